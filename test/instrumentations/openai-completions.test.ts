import { describe, expect, it } from 'vitest';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

const h = useHarness();
const request = { model: 'gpt-3.5-turbo-instruct', prompt: 'Write three steps to bake a cake.', max_tokens: 120, temperature: 0.2, stop: ['4.'] };
const streamText = (name: string) =>
  fixture(name)
    .events!.filter((e) => typeof e.data === 'object')
    .map((e) => e.data.choices[0]?.text ?? '')
    .join('');

describe('openai legacy completions.create', () => {
  it('plain: operation text_completion, whole attribute set, priced from the table', async () => {
    const body = fixture('openai/completion').body;
    h.server.enqueue('openai/completion');
    const result = await h.openai().completions.create(request);
    expect(result).toEqual(body);
    expect(h.server.requests.at(-1)!.path).toBe('/v1/completions');
    const [span] = await h.callSpans();
    expect(span!.name).toBe('text_completion gpt-3.5-turbo-instruct');
    const cost = estimateCost({ provider: 'openai', model: body.model, inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens });
    expect(cost.costUsd).toBeGreaterThan(0);
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'text_completion',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-3.5-turbo-instruct',
      'gen_ai.request.max_tokens': 120,
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.stop_sequences': ['4.'],
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
      'gen_ai.response.model': body.model,
      'gen_ai.response.id': body.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': body.usage.prompt_tokens,
      'gen_ai.usage.output_tokens': body.usage.completion_tokens,
      'genai_usage.cost.usd': cost.costUsd,
      'genai_usage.cost.input_usd': cost.inputCostUsd,
      'genai_usage.cost.output_usd': cost.outputCostUsd,
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.price_version': cost.priceVersion,
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'text_completion', inputTokens: 11, outputTokens: 38, costUsd: cost.costUsd, streaming: false });
    expect(sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.operation.name': 'text_completion' })).toBe(1);
  });

  it('stream with include_usage: chunks unchanged, usage from the last chunk', async () => {
    const events = fixture('openai/completion-stream-usage').events!.filter((e) => typeof e.data === 'object');
    h.server.enqueue({ fixture: 'openai/completion-stream-usage', chunkDelayMs: 2 });
    const stream = await h.openai().completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks).toEqual(events.map((e) => e.data));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ operation: 'text_completion', streaming: true, inputTokens: 7, outputTokens: 8, usageEstimated: false, finishReason: 'stop', costSource: 'table' });
    expect(record!.timeToFirstTokenMs).toBeGreaterThan(0);
  });

  it('stream without usage: the text is estimated, and marked so', async () => {
    // The same stream as sent without `stream_options`: the usage chunk is not there.
    const sse = fixture('openai/completion-stream-usage').sse!.replace(/data: \{[^\n]*"choices":\[\][^\n]*\n\n/, '');
    h.server.enqueue({ sse });
    for await (const _ of await h.openai().completions.create({ ...request, stream: true }));
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ usageEstimated: true, outputTokens: countTokens(streamText('openai/completion-stream-usage')) });
    expect(record!.inputTokens).toBeGreaterThanOrEqual(countTokens(request.prompt));
  });
});
