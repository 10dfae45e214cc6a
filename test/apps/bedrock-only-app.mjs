// An ESM app that uses Anthropic models only through the Bedrock client: it never imports
// `@anthropic-ai/sdk` itself (the Bedrock client loads its resources entry, not its main one).
import { AnthropicBedrock } from '@anthropic-ai/bedrock-sdk';
import { onUsage } from 'genai-usage';

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const client = new AnthropicBedrock({ awsAccessKey: 'AKIDEXAMPLE', awsSecretKey: 'secret', awsRegion: 'us-east-1', baseURL: process.env.REPLAY_URL, maxRetries: 0 });
await client.messages.create({ model: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] });
await new Promise((r) => setTimeout(r, 20));
