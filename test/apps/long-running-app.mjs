// A server-like app: makes one call, then idles until a deploy sends SIGTERM.
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
setInterval(() => {}, 1000);
process.stdout.write('READY\n');
