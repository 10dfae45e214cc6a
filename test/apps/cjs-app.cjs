// A CommonJS app: `require` of the SDKs and of genai-usage (Node 22 loads our ESM build via require(esm)).
const OpenAI = require('openai');
const Anthropic = require('@anthropic-ai/sdk');
const { onUsage, withUsageContext } = require('genai-usage');

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const openai = new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'k', baseURL: process.env.REPLAY_URL, maxRetries: 0 });
withUsageContext({ userId: 'u-cjs', agentName: 'CjsAgent' }, async () => {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
}).then(() => new Promise((r) => setTimeout(r, 20)));
