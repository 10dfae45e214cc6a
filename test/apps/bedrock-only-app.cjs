// The CommonJS twin of bedrock-only-app.mjs.
const { AnthropicBedrock } = require('@anthropic-ai/bedrock-sdk');
const { onUsage } = require('genai-usage');

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const client = new AnthropicBedrock({ awsAccessKey: 'AKIDEXAMPLE', awsSecretKey: 'secret', awsRegion: 'us-east-1', baseURL: process.env.REPLAY_URL, maxRetries: 0 });
client.messages
  .create({ model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })
  .then(() => new Promise((r) => setTimeout(r, 20)));
