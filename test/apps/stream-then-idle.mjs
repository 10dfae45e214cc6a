// A server-like app: streams one reply without usage (so its tokens must be estimated), then
// idles until a deploy sends SIGTERM. With STREAM_OPEN=1 it stops reading after the first chunk
// and leaves the stream open, as a request handler would be mid-reply at SIGTERM.
import OpenAI from 'openai';

const openai = new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 });
const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [{ role: 'user', content: 'Say hello' }] });
const iterator = stream[Symbol.asyncIterator]();
if (process.env.STREAM_OPEN === '1') await iterator.next();
else while (!(await iterator.next()).done);
setInterval(() => {}, 1000);
process.stdout.write('READY\n');
