import { withUsageContext } from '../context/usage-context.js';

/**
 * The SDK clients the workload drives: the real `openai` and `@anthropic-ai/sdk`, and, when
 * installed, `@google/genai`, `@mistralai/mistralai` and `@aws-sdk/client-bedrock-runtime`'s
 * aggregated `BedrockRuntime` (their calls are skipped otherwise).
 */
export interface DemoClients {
  openai: any;
  anthropic: any;
  gemini?: any;
  mistral?: any;
  bedrock?: any;
}

interface Conversation {
  userId: string;
  sessionId: string;
  group: string;
  feature: string;
}

const USERS: Conversation[] = [
  { userId: 'alice', sessionId: 's-alice-1', group: 'support', feature: 'chat' },
  { userId: 'bob', sessionId: 's-bob-1', group: 'support', feature: 'chat' },
  { userId: 'carol', sessionId: 's-carol-1', group: 'research', feature: 'reports' },
  { userId: 'dave', sessionId: 's-dave-1', group: 'research', feature: 'search' },
];

const LONG_POLICY = 'You are a support assistant for Acme Cloud. '.repeat(40);

/**
 * A realistic day in miniature: support conversations that hand off from a triage agent to
 * billing or tech support, a research agent that streams long answers and embeds documents,
 * several models and providers (OpenAI, Anthropic, Gemini, Mistral), a model with no known price, and the mock server's
 * random failures. Every call goes through the real SDK clients.
 */
export async function runDemoWorkload(clients: DemoClients, rounds = 3): Promise<{ calls: number; failed: number }> {
  let calls = 0;
  let failed = 0;
  const attempt = async (fn: () => Promise<unknown>) => {
    calls++;
    try {
      await fn();
    } catch {
      failed++;
    }
  };
  for (let round = 0; round < rounds; round++) {
    for (const user of USERS) {
      await withUsageContext({ userId: user.userId, sessionId: `${user.sessionId}-${round}`, conversationId: `c-${user.userId}-${round}`, group: user.group, tags: { feature: user.feature } }, async () => {
        if (user.group === 'support') await supportConversation(clients, attempt);
        else await researchTask(clients, attempt);
      });
    }
  }
  return { calls, failed };
}

type Attempt = (fn: () => Promise<unknown>) => Promise<void>;

async function supportConversation({ openai, anthropic, mistral }: DemoClients, attempt: Attempt): Promise<void> {
  await withUsageContext({ agentName: 'Triage' }, async () => {
    await attempt(() =>
      openai.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [
          { role: 'system', content: LONG_POLICY },
          { role: 'user', content: 'My invoice looks wrong and the API returns 500s.' },
        ],
      }),
    );
    await withUsageContext({ agentName: 'Billing' }, () =>
      attempt(() =>
        anthropic.messages.create({
          model: 'claude-haiku-4-5',
          max_tokens: 300,
          system: [{ type: 'text', text: LONG_POLICY, cache_control: { type: 'ephemeral' } }],
          messages: [{ role: 'user', content: 'Explain the invoice line items.' }],
        }),
      ),
    );
    if (mistral) {
      await withUsageContext({ agentName: 'Translator' }, () =>
        attempt(() =>
          mistral.chat.complete({
            model: 'mistral-small-latest',
            messages: [
              { role: 'system', content: LONG_POLICY },
              { role: 'user', content: 'Traduis la réponse en français, s’il te plaît.' },
            ],
          }),
        ),
      );
    }
    await withUsageContext({ agentName: 'TechSupport' }, () =>
      attempt(async () => {
        const stream = await openai.chat.completions.create({
          model: 'gpt-4o',
          stream: true,
          stream_options: { include_usage: true },
          messages: [{ role: 'user', content: 'Why would an API return HTTP 500 intermittently?' }],
        });
        for await (const _ of stream);
      }),
    );
  });
}

async function researchTask({ openai, anthropic, gemini, mistral, bedrock }: DemoClients, attempt: Attempt): Promise<void> {
  await withUsageContext({ agentName: 'Researcher' }, async () => {
    // Amazon Bedrock, through a US cross-Region inference profile, with a cached system prompt.
    if (bedrock) {
      await attempt(() =>
        bedrock.converse({
          modelId: 'us.amazon.nova-pro-v1:0',
          system: [{ text: LONG_POLICY }, { cachePoint: { type: 'default' } }],
          messages: [{ role: 'user', content: [{ text: 'List the three largest cost drivers this quarter.' }] }],
          inferenceConfig: { maxTokens: 400 },
        }),
      );
    }
    await attempt(() => openai.embeddings.create({ model: 'text-embedding-3-small', input: ['quarterly report', 'usage trends', 'pricing'] }));
    await attempt(() => openai.responses.create({ model: 'gpt-5-mini', input: 'Summarise the usage trends for Q3 in three bullet points.' }));
    await attempt(() => anthropic.messages.stream({ model: 'claude-sonnet-4-6', max_tokens: 800, messages: [{ role: 'user', content: 'Draft a two-paragraph report on LLM spend.' }] }).finalMessage());
    if (gemini) {
      await attempt(() => gemini.models.embedContent({ model: 'gemini-embedding-001', contents: ['quarterly report', 'usage trends'] }));
      // Gemini 2.5 thinks before it answers: thoughts are billed (and recorded) as output.
      await attempt(() => gemini.models.generateContent({ model: 'gemini-2.5-flash', contents: 'Which features drove usage growth in Q3?' }));
      await attempt(async () => {
        for await (const _ of await gemini.models.generateContentStream({ model: 'gemini-2.5-pro', contents: 'Write the executive summary.' }));
      });
    }
    if (mistral) {
      await attempt(async () => {
        for await (const _ of await mistral.chat.stream({ model: 'mistral-large-latest', messages: [{ role: 'user', content: 'List three risks in the Q3 plan.' }] }));
      });
    }
    // A self-hosted model with no public price: recorded with cost "unknown", never $0.
    await attempt(() => openai.chat.completions.create({ model: 'acme-local-7b', messages: [{ role: 'user', content: 'Classify: "refund request"' }] }));
  });
}
