// A CommonJS app that requires openai before starting tracking and never again.
const OpenAI = require('openai');
const { startUsageTracking } = require('genai-usage');

startUsageTracking();
new OpenAI({ apiKey: 'k', baseURL: `${process.env.REPLAY_URL}/v1`, maxRetries: 0 }).chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
