import { describe, expect, it } from 'vitest';
import OpenAIv6 from 'openai-v6';
import { fixture } from '../support/replay-server.js';
import { useHarness } from '../support/tracking-harness.js';

// openai 6 is installed beside 7 as the alias `openai-v6`; both majors are patched the same way.
const h = useHarness({ instrumentModules: { openai: OpenAIv6 } });

const client = () => new OpenAIv6({ apiKey: 'k', baseURL: `${h.server.url}/v1`, maxRetries: 0 });
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('openai v6', () => {
  it('chat.completions.create: same span and record as v7', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    const result = await client().chat.completions.create(chat);
    expect(result.id).toBe(body.id);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ provider: 'openai', inputTokens: body.usage.prompt_tokens, cacheReadTokens: body.usage.prompt_tokens_details.cached_tokens, costSource: 'table' });
  });

  it('streams with usage, and withResponse()', async () => {
    h.server.enqueue('openai/chat-completion-stream-usage');
    const { data, response } = await client().chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(response.status).toBe(200);
    for await (const _ of data);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ streaming: true, usageEstimated: false, inputTokens: 1289, outputTokens: 7 });
  });

  it('responses.create, embeddings.create and legacy completions.create', async () => {
    h.server.enqueue('openai/responses', 'openai/embeddings', 'openai/completion');
    await client().responses.create({ model: 'gpt-5-mini', input: 'hi' });
    await client().embeddings.create({ model: 'text-embedding-3-small', input: ['a', 'b'] });
    await client().completions.create({ model: 'gpt-3.5-turbo-instruct', prompt: 'hi' });
    const records = await h.waitForRecords(3);
    expect(records.map((r) => r.operation)).toEqual(['chat', 'embeddings', 'text_completion']);
  });
});
