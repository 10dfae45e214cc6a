// A CommonJS app using Bedrock: `require` of the SDK and of genai-usage.
const { BedrockRuntime, BedrockRuntimeClient, ConverseCommand, ConverseStreamCommand } = require('@aws-sdk/client-bedrock-runtime');
const { onUsage, withUsageContext } = require('genai-usage');

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const config = { region: 'us-east-1', endpoint: process.env.BEDROCK_URL, credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' }, maxAttempts: 1 };
const messages = [{ role: 'user', content: [{ text: 'hi' }] }];
withUsageContext({ userId: 'u-cjs', agentName: 'CjsAgent' }, async () => {
  await new BedrockRuntimeClient(config).send(new ConverseCommand({ modelId: 'us.amazon.nova-pro-v1:0', messages }));
  await new BedrockRuntime(config).converse({ modelId: 'us.amazon.nova-pro-v1:0', messages });
  const { stream } = await new BedrockRuntimeClient(config).send(new ConverseStreamCommand({ modelId: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0', messages }));
  for await (const _ of stream);
}).then(() => new Promise((r) => setTimeout(r, 20)));
