// A CommonJS app that starts tracking in code and calls the SDK right away, then shuts down.
const { startUsageTracking } = require('genai-usage');
const tracking = startUsageTracking();
const OpenAI = require('openai');

new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 }).chat.completions
  .create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] })
  .finally(() => tracking.shutdown());
