import { withUsageContext } from '../context/usage-context.js';

/** The SDK clients the workload drives (the real `openai`, `@anthropic-ai/sdk` and, when installed, `@aws-sdk/client-bedrock-runtime`'s aggregated `BedrockRuntime`). */
export interface DemoClients {
  openai: any;
  anthropic: any;
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
 * several models and both providers, a model with no known price, and the mock server's
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

async function supportConversation({ openai, anthropic }: DemoClients, attempt: Attempt): Promise<void> {
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

async function researchTask({ openai, anthropic, bedrock }: DemoClients, attempt: Attempt): Promise<void> {
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
    // A self-hosted model with no public price: recorded with cost "unknown", never $0.
    await attempt(() => openai.chat.completions.create({ model: 'acme-local-7b', messages: [{ role: 'user', content: 'Classify: "refund request"' }] }));
  });
}
