// An ESM app using Bedrock: run as `node --import genai-usage/register bedrock-esm-app.mjs` with BEDROCK_URL set.
import { BedrockRuntime, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } from '@aws-sdk/client-bedrock-runtime';
import { onUsage, withUsageContext } from 'genai-usage';

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const config = { region: 'us-east-1', endpoint: process.env.BEDROCK_URL, credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, maxAttempts: 1 };
const messages = [{ role: 'user', content: [{ text: 'hi' }] }];
await withUsageContext({ userId: 'u-esm', agentName: 'EsmAgent' }, async () => {
  await new BedrockRuntimeClient(config).send(new ConverseCommand({ modelId: 'us.amazon.nova-pro-v1:0', messages }));
  await new BedrockRuntime(config).converse({ modelId: 'us.amazon.nova-pro-v1:0', messages });
  const { stream } = await new BedrockRuntimeClient(config).send(new ConverseStreamCommand({ modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', messages }));
  for await (const _ of stream);
});
await new Promise((r) => setTimeout(r, 20));
