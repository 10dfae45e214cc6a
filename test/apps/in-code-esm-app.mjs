// An ESM app that starts tracking in code, as the README's first snippet does. APP_MODE:
//   plain    imports openai before starting (static imports run first): never patched
//   modules  passes the imported module: instrumentModules
//   no-sdk   never loads openai
import { startUsageTracking } from 'genai-usage';

const mode = process.env.APP_MODE ?? 'plain';
const sdk = mode === 'no-sdk' ? undefined : await import('openai');
const tracking = startUsageTracking(mode === 'modules' ? { instrumentModules: { openai: sdk } } : {});
if (sdk) {
  const client = new sdk.OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
  await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
}
if (process.env.APP_SHUTDOWN) await tracking.shutdown();
