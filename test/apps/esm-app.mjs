// An ESM app that knows nothing about instrumentation beyond the usage context:
// run as `node --import genai-usage/register esm-app.mjs` with REPLAY_URL set.
import OpenAI from 'openai';
import Anthropic from '@anthropic-ai/sdk';
import { onUsage, withUsageContext } from 'genai-usage';

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const openai = new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
const anthropic = new Anthropic({ apiKey: 'k', baseURL: process.env.REPLAY_URL, maxRetries: 0 });
await withUsageContext({ userId: 'u-esm', agentName: 'EsmAgent' }, async () => {
  await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
  await anthropic.messages.create({ model: 'claude-haiku-4-5', max_tokens: 50, messages: [{ role: 'user', content: 'hi' }] });
});
await new Promise((r) => setTimeout(r, 20));
