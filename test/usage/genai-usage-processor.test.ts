import { SpanKind, context, propagation, trace } from '@opentelemetry/api';
import { AlwaysOffSampler, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it } from 'vitest';
import { estimateCost, withUsageContext } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { startHarness, sumWhere, type Harness } from '../support/tracking-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('sampling never hides spend', () => {
  it.each([
    ['always_off', new AlwaysOffSampler()],
    ['ratio 0', new TraceIdRatioBasedSampler(0)],
  ])('with a %s trace sampler: no span exported, metrics and records complete', async (_name, sampler) => {
    h = await startHarness({ sampler });
    h.server.enqueue('openai/chat-completion', 'openai/chat-completion', 'anthropic/message');
    await h.openai().chat.completions.create(chat);
    await h.openai().chat.completions.create(chat);
    await h.anthropic().messages.create({ model: 'claude-haiku-4-5', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }] });
    expect(await h.callSpans()).toHaveLength(0);
    const records = await h.waitForRecords(3);
    expect(records).toHaveLength(3);
    expect(sumWhere(await h.metric('genai_usage.requests'))).toBe(3);
    const body = fixture('openai/chat-completion').body;
    expect(sumWhere(await h.metric('genai_usage.tokens'), { 'gen_ai.provider.name': 'openai', 'gen_ai.token.type': 'input' })).toBe(2 * body.usage.prompt_tokens);
  });
});

describe('spans from any source', () => {
  it('prices and records a GenAI span from another instrumentation (older attribute names)', async () => {
    h = await startHarness();
    const tracer = trace.getTracer('@traceloop/instrumentation-openai');
    withUsageContext({ userId: 'u-foreign' }, () => {
      const span = tracer.startSpan('openai.chat', {
        kind: SpanKind.CLIENT,
        attributes: { 'gen_ai.system': 'openai', 'gen_ai.request.model': 'gpt-4o-mini', 'gen_ai.usage.prompt_tokens': 1000 },
      });
      span.setAttributes({ 'gen_ai.response.model': 'gpt-4o-mini-2024-07-18', 'gen_ai.usage.completion_tokens': 200 });
      span.end();
    });
    const [record] = await h.waitForRecords(1);
    const expected = estimateCost({ provider: 'openai', model: 'gpt-4o-mini-2024-07-18', inputTokens: 1000, outputTokens: 200 });
    expect(record).toMatchObject({ provider: 'openai', inputTokens: 1000, outputTokens: 200, userId: 'u-foreign', costUsd: expected.costUsd, costSource: 'table' });
  });

  it('an invoke_agent parent with two chat children yields two records; spend is never counted twice', async () => {
    h = await startHarness();
    h.server.enqueue('openai/chat-completion', 'openai/chat-completion');
    const tracer = trace.getTracer('my-agent-framework');
    await tracer.startActiveSpan('invoke_agent Planner', { attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.usage.input_tokens': 99999 } }, async (agent) => {
      await h!.openai().chat.completions.create(chat);
      await h!.openai().chat.completions.create(chat);
      agent.end();
    });
    const records = await h.waitForRecords(2);
    expect(records).toHaveLength(2);
    expect(records.every((r) => r.operation === 'chat')).toBe(true);
  });

  it('does not touch non-GenAI spans', async () => {
    h = await startHarness();
    trace.getTracer('http').startSpan('GET /', { attributes: { 'http.method': 'GET' } }).end();
    await h.tracking.forceFlush();
    const [span] = h.spans.getFinishedSpans();
    expect(span!.attributes).toEqual({ 'http.method': 'GET' });
    expect(h.records).toHaveLength(0);
  });
});

describe('content capture', () => {
  it('is off by default', async () => {
    h = await startHarness();
    h.server.enqueue('openai/chat-completion');
    await h.openai().chat.completions.create(chat);
    const [span] = await h.callSpans();
    expect(span!.attributes['gen_ai.input.messages']).toBeUndefined();
    expect(span!.attributes['gen_ai.output.messages']).toBeUndefined();
  });

  it('records input and output messages when turned on', async () => {
    h = await startHarness({ captureContent: true });
    h.server.enqueue('openai/chat-completion');
    await h.openai().chat.completions.create(chat);
    const [span] = await h.callSpans();
    expect(JSON.parse(span!.attributes['gen_ai.input.messages'] as string)).toEqual(chat.messages);
    const output = JSON.parse(span!.attributes['gen_ai.output.messages'] as string);
    expect(output[0].content).toBe(fixture('openai/chat-completion').body.choices[0].message.content);
  });
});

describe('baggage propagation', () => {
  it('writes the usage context into W3C baggage when propagateBaggage is on', async () => {
    h = await startHarness({ propagateBaggage: true });
    const carrier: Record<string, string> = {};
    withUsageContext({ userId: 'u-7', agentName: 'Router' }, () => propagation.inject(context.active(), carrier));
    expect(carrier.baggage).toContain('user.id=u-7');
    expect(carrier.baggage).toContain('gen_ai.agent.name=Router');
  });
});

describe('sinks', () => {
  it('a sink that throws does not stop the other sinks, the metrics or the call', async () => {
    const { GenAiUsageProcessor } = await import('../../src/index.js');
    const seen: string[] = [];
    const failing = { write: () => { throw new Error('sink bug'); }, forceFlush: async () => {}, shutdown: async () => {} };
    const working = { write: (r: { id: string }) => void seen.push(r.id), forceFlush: async () => {}, shutdown: async () => {} };
    h = await startHarness({ spanProcessors: [new GenAiUsageProcessor({ sinks: [failing, working] })] });
    h.server.enqueue('openai/chat-completion');
    await expect(h.openai().chat.completions.create(chat)).resolves.toMatchObject({ object: 'chat.completion' });
    await h.tracking.forceFlush();
    expect(seen).toHaveLength(1);
  });
});

describe('tags', () => {
  it("a record's tags are the ones its span carries, as the span's limits left them", async () => {
    process.env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT = '8';
    try {
      h = await startHarness();
      h.server.enqueue('openai/chat-completion');
      await withUsageContext({ tags: { feature: 'summarise-long-documents', team: 'ml' } }, () => h!.openai().chat.completions.create(chat));
      const [record] = await h.waitForRecords(1);
      const [span] = await h.callSpans();
      expect(span!.attributes['genai_usage.tag.feature']).toBe('summaris');
      expect(record!.tags).toEqual({ feature: 'summaris', team: 'ml' });
    } finally {
      delete process.env.OTEL_SPAN_ATTRIBUTE_VALUE_LENGTH_LIMIT;
    }
  });
});
