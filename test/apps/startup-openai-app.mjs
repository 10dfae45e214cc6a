// The startup benchmark's app: imports `openai` and builds a client; with CALL set, one call
// after the "started" marker. Under `--import genai-usage/register`, or with IN_CODE set,
// tracking started in code (the README's snippet with instrumentModules).
import OpenAI from 'openai';

let tracking;
if (process.env.IN_CODE) {
  const { startUsageTracking } = await import('genai-usage');
  tracking = startUsageTracking({ instrumentModules: { openai: OpenAI } });
}
const client = new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
globalThis.__markLoaded?.('started');
if (process.env.CALL) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
await tracking?.shutdown();
