// A LangChain app: run as `node --import genai-usage/register langchain-app.mjs` with REPLAY_URL set.
// @langchain/anthropic loads its own copy of @anthropic-ai/sdk, @langchain/google-genai the older
// @google/generative-ai SDK; the loader hook patches both.
import { ChatOpenAI } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { ChatGoogleGenerativeAI } from '@langchain/google-genai';
import { onUsage, withUsageContext } from 'genai-usage';

onUsage((r) => process.stdout.write(`RECORD ${JSON.stringify(r)}\n`));
const openai = new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'k', maxRetries: 0, configuration: { baseURL: `${process.env.REPLAY_URL}/v1` } });
const gemini = new ChatGoogleGenerativeAI({ model: 'gemini-2.5-flash', apiKey: 'k', maxRetries: 0, baseUrl: process.env.REPLAY_URL });
const anthropic = new ChatAnthropic({ model: 'claude-haiku-4-5', apiKey: 'k', maxRetries: 0, clientOptions: { baseURL: process.env.REPLAY_URL } });
await withUsageContext({ userId: 'u-lc', agentName: 'LangChainAgent' }, async () => {
  await openai.invoke('hi');
  for await (const _ of await anthropic.stream('hi'));
  await gemini.invoke('hi');
});
await new Promise((r) => setTimeout(r, 20));
