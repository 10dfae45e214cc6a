// An ESM app that knows nothing about tracking and calls the SDK in its first statement,
// then exits: under `--import genai-usage/register` the call must still be tracked, priced
// and stored (everything the tracking loads on first use is loaded in time).
import OpenAI from 'openai';

await new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 }).chat.completions.create({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi' }],
});
