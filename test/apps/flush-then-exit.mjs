// Tracking started in code: stream a reply without usage, forceFlush(), then exit at once
// (process.exit skips every shutdown hook): the record must already be in the store.
import OpenAI from 'openai';
import { startUsageTracking } from 'genai-usage';

const tracking = startUsageTracking({ prometheus: false, instrumentModules: { openai: OpenAI } });
const openai = new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
for await (const _ of await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hello' }] }));
await tracking.forceFlush();
process.exit(0);
