import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { ChatOpenAI, OpenAIEmbeddings } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

// LangChain makes no spans of its own: its model classes are read through the SDKs they call.
// @langchain/openai uses the app's `openai`; @langchain/anthropic brings its own
// @anthropic-ai/sdk (0.122), which is patched here the way the loader hook patches every copy.
const require = createRequire(import.meta.url);
const nestedAnthropicDir = dirname(createRequire(require.resolve('@langchain/anthropic')).resolve('@anthropic-ai/sdk'));
const nestedAnthropic = await import(pathToFileURL(join(nestedAnthropicDir, 'index.mjs')).href);
const h = useHarness({ instrumentModules: { openai: OpenAI, anthropic: nestedAnthropic } });

const chatOpenAI = (o: Record<string, unknown> = {}) => new ChatOpenAI({ model: 'gpt-4o-mini', apiKey: 'k', maxRetries: 0, configuration: { baseURL: `${h.server.url}/v1` }, ...o });
const chatAnthropic = (o: Record<string, unknown> = {}) => new ChatAnthropic({ model: 'claude-haiku-4-5', apiKey: 'k', maxRetries: 0, clientOptions: { baseURL: h.server.url }, ...o });

describe('LangChain JS through the SDK patches', () => {
  it('ChatOpenAI.invoke: one record, tokens exact', async () => {
    const u = fixture('openai/chat-completion').body.usage;
    h.server.enqueue('openai/chat-completion');
    const message = await chatOpenAI().invoke('Hello');
    expect(message.usage_metadata).toMatchObject({ input_tokens: u.prompt_tokens, output_tokens: u.completion_tokens });
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ provider: 'openai', inputTokens: u.prompt_tokens, outputTokens: u.completion_tokens, cacheReadTokens: u.prompt_tokens_details.cached_tokens, streaming: false, costSource: 'table' });
  });

  it('ChatOpenAI.stream: one streamed record with the usage LangChain asked for', async () => {
    h.server.enqueue('openai/chat-completion-stream-usage');
    let text = '';
    for await (const chunk of await chatOpenAI().stream('Capital of France?')) text += chunk.content;
    expect(text).toBe('The capital of France is Paris.');
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ streaming: true, usageEstimated: false, inputTokens: 1289, outputTokens: 7, cacheReadTokens: 1024 });
    expect((h.server.requests.at(-1)!.body as { stream_options?: unknown }).stream_options).toEqual({ include_usage: true });
  });

  it('OpenAIEmbeddings.embedDocuments: one embeddings record per request', async () => {
    h.server.enqueue('openai/embeddings-float');
    const vectors = await new OpenAIEmbeddings({ model: 'text-embedding-3-small', apiKey: 'k', maxRetries: 0, configuration: { baseURL: `${h.server.url}/v1` } }).embedDocuments(['refund policy']);
    expect(vectors).toHaveLength(1);
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operation: 'embeddings', provider: 'openai', inputTokens: 6 });
  });

  it('ChatAnthropic.invoke (its own @anthropic-ai/sdk 0.122): cache reads and writes as part of input', async () => {
    const u = fixture('anthropic/message').body.usage;
    h.server.enqueue('anthropic/message');
    await chatAnthropic().invoke('Hello');
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      provider: 'anthropic',
      inputTokens: u.input_tokens + u.cache_read_input_tokens + u.cache_creation_input_tokens,
      outputTokens: u.output_tokens,
      cacheReadTokens: u.cache_read_input_tokens,
      cacheWriteTokens: u.cache_creation_input_tokens,
    });
  });

  it('ChatAnthropic.stream: one streamed record', async () => {
    const events = fixture('anthropic/message-stream').events!;
    const start = events.find((e) => e.data.type === 'message_start')!.data.message.usage;
    const delta = events.find((e) => e.data.type === 'message_delta')!.data.usage;
    h.server.enqueue('anthropic/message-stream');
    for await (const _ of await chatAnthropic().stream('Hello'));
    const records = await h.waitForRecords(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      streaming: true,
      usageEstimated: false,
      inputTokens: start.input_tokens + start.cache_read_input_tokens + start.cache_creation_input_tokens,
      outputTokens: delta.output_tokens,
    });
  });

  it('a chain with two model calls: two records, attributed to the caller', async () => {
    h.server.enqueue('openai/chat-completion', 'anthropic/message');
    const { withUsageContext } = await import('../../src/index.js');
    await withUsageContext({ userId: 'u-chain', agentName: 'Planner' }, async () => {
      const plan = await chatOpenAI().invoke('Plan the reply');
      await chatAnthropic().invoke(String(plan.content));
    });
    const records = await h.waitForRecords(2);
    expect(records.map((r) => [r.provider, r.userId, r.agentName])).toEqual([
      ['openai', 'u-chain', 'Planner'],
      ['anthropic', 'u-chain', 'Planner'],
    ]);
  });
});
