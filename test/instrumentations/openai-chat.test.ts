import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness, type Harness } from '../support/tracking-harness.js';

const h = useHarness();

describe('openai chat.completions.create', () => {
  it('records a semconv span, a priced usage record and metrics', async () => {
    const body = fixture('openai/chat-completion').body;
    h.server.enqueue('openai/chat-completion');
    const result = await h.openai().chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'Hello' }],
      temperature: 0.2,
      max_tokens: 100,
    });
    expect(result.id).toBe(body.id);

    const [span] = await h.callSpans();
    expect(span!.name).toBe('chat gpt-4o-mini');
    const { cached_tokens } = body.usage.prompt_tokens_details;
    const expectedCost = estimateCost({
      provider: 'openai',
      model: body.model,
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      cacheReadTokens: cached_tokens,
    });
    expect(expectedCost.source).toBe('table');
    expect(span!.attributes).toEqual({
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': 'openai',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.request.temperature': 0.2,
      'gen_ai.request.max_tokens': 100,
      'server.address': '127.0.0.1',
      'server.port': h.server.port,
      'gen_ai.response.model': body.model,
      'gen_ai.response.id': body.id,
      'gen_ai.response.finish_reasons': ['stop'],
      'gen_ai.usage.input_tokens': body.usage.prompt_tokens,
      'gen_ai.usage.output_tokens': body.usage.completion_tokens,
      'gen_ai.usage.cache_read.input_tokens': cached_tokens,
      'genai_usage.cost.source': 'table',
      'genai_usage.cost.usd': expectedCost.costUsd,
      'genai_usage.cost.input_usd': expectedCost.inputCostUsd,
      'genai_usage.cost.output_usd': expectedCost.outputCostUsd,
      'genai_usage.cost.cache_read_savings_usd': expectedCost.cacheReadSavingsUsd,
      'genai_usage.cost.price_version': expectedCost.priceVersion,
      'genai_usage.service_tier': 'default',
      'openai.response.service_tier': 'default',
    });

    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({
      provider: 'openai',
      operation: 'chat',
      requestModel: 'gpt-4o-mini',
      responseModel: body.model,
      inputTokens: body.usage.prompt_tokens,
      outputTokens: body.usage.completion_tokens,
      totalTokens: body.usage.prompt_tokens + body.usage.completion_tokens,
      cacheReadTokens: cached_tokens,
      costUsd: expectedCost.costUsd,
      costSource: 'table',
      success: true,
      streaming: false,
      serviceName: 'harness',
    });
    expect(h.records).toHaveLength(1);

    const tokens = await h.metric('genai_usage.tokens');
    expect(sumWhere(tokens, { 'gen_ai.token.type': 'input' })).toBe(body.usage.prompt_tokens);
    expect(sumWhere(tokens, { 'gen_ai.token.type': 'cache_read' })).toBe(cached_tokens);
    expect(sumWhere(await h.metric('genai_usage.cost'))).toBeCloseTo(expectedCost.costUsd!, 12);
    expect(sumWhere(await h.metric('genai_usage.requests'))).toBe(1);
  });
});
