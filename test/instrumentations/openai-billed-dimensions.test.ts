// The real `openai` SDK against the replay server: service tiers, audio tokens and web searches
// read from the responses, carried on span and record, and priced (expected USD written out
// from OpenAI's published prices, not read from the table).
import { describe, expect, it } from 'vitest';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

const h = useHarness();
const usd = (microUsdTimesTokens: number): number => microUsdTimesTokens / 1e6;

describe('service_tier', () => {
  it('flex: the request asks for it, the response says it was served, and the call is priced at Batch rates', async () => {
    h.server.enqueue('openai/chat-completion-flex');
    const result = await h.openai().chat.completions.create({ model: 'gpt-5-mini', service_tier: 'flex', messages: [{ role: 'user', content: 'Summarise the night' }] });
    expect(result.service_tier).toBe('flex');
    expect((h.server.requests.at(-1)?.body as { service_tier?: string }).service_tier).toBe('flex');
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'openai.request.service_tier': 'flex',
      'openai.response.service_tier': 'flex',
      'genai_usage.service_tier': 'flex',
      'genai_usage.cost.source': 'table',
    });
    expect(span!.attributes['genai_usage.cost.price_version']).toMatch(/\+tiers@\d{4}-\d{2}-\d{2}$/);
    // gpt-5-mini flex (half of $0.25 / $0.025 cached / $2.00): 1376 × $0.125 + 1024 × $0.0125 + 900 × $1.00 per 1M.
    const expected = usd(1_376 * 0.125 + 1_024 * 0.0125 + 900 * 1);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ serviceTier: 'flex', inputTokens: 2400, cacheReadTokens: 1024, reasoningTokens: 640, costSource: 'table' });
    expect(record!.costUsd).toBeCloseTo(expected, 12);
    // What the cached reads saved at the flex rate: 1024 × ($0.125 − $0.0125) per 1M.
    expect(record!.cacheReadSavingsUsd).toBeCloseTo(usd(1_024 * 0.1125), 12);
    const cost = (await h.metric('genai_usage.cost')).filter((p) => p.attributes['gen_ai.response.model'] === 'gpt-5-mini-2025-08-07');
    expect(sumWhere(cost)).toBeCloseTo(expected, 12);
  });

  it('a tier without a known price for the served model is unknown, never the standard price', async () => {
    const body = { ...fixture('openai/chat-completion').body, service_tier: 'scale' };
    h.server.enqueue({ fixture: 'openai/chat-completion', json: body });
    await h.openai().chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
    const [span] = await h.callSpans();
    expect(span!.attributes['genai_usage.cost.unknown_reason']).toBe('no scale tier price for openai gpt-4o-mini');
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ serviceTier: 'scale', costSource: 'unknown' });
    expect(record!.costUsd).toBeUndefined();
    const unpriced = (await h.metric('genai_usage.unpriced_calls')).filter((p) => p.attributes['gen_ai.response.model'] === body.model);
    expect(sumWhere(unpriced)).toBe(1);
  });

  it('streams: the tier is read from the chunks', async () => {
    const sse = fixture('openai/chat-completion-stream-usage').sse!.replaceAll('"service_tier":"default"', '"service_tier":"priority"');
    h.server.enqueue({ fixture: 'openai/chat-completion-stream-usage', sse });
    const stream = await h.openai().chat.completions.create({ model: 'gpt-4o-mini', service_tier: 'priority', stream: true, stream_options: { include_usage: true }, messages: [{ role: 'user', content: 'hi' }] });
    for await (const _ of stream) void _;
    const [record] = await h.waitForRecords(1);
    // gpt-4o-mini priority: $0.25 input, $0.125 cached, $1.00 output per 1M; 265 uncached + 1024 cached in, 7 out.
    expect(record).toMatchObject({ serviceTier: 'priority', streaming: true });
    expect(record!.costUsd).toBeCloseTo(usd(265 * 0.25 + 1_024 * 0.125 + 7 * 1), 12);
  });
});

describe('audio tokens (chat.completions with audio output)', () => {
  it('prompt and completion audio_tokens become audio parts, priced at the audio rates', async () => {
    h.server.enqueue('openai/chat-completion-audio');
    const result = await h.openai().chat.completions.create({
      model: 'gpt-audio',
      modalities: ['text', 'audio'],
      audio: { voice: 'alloy', format: 'wav' },
      messages: [{ role: 'user', content: [{ type: 'input_audio', input_audio: { data: 'UklGRg==', format: 'wav' } }] }],
    });
    expect(result.choices[0]?.message.audio?.transcript).toContain('parcel');
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({
      'gen_ai.usage.input_tokens': 1320,
      'gen_ai.usage.output_tokens': 820,
      'genai_usage.usage.audio.input_tokens': 1200,
      'genai_usage.usage.audio.output_tokens': 700,
      'genai_usage.service_tier': 'default',
    });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ audioInputTokens: 1200, audioOutputTokens: 700, imageInputTokens: 0 });
    // gpt-audio: text $2.50 in / $10 out, audio $32 in / $64 out per 1M.
    expect(record!.costUsd).toBeCloseTo(usd(120 * 2.5 + 1_200 * 32 + 120 * 10 + 700 * 64), 12); // 0.0847
    // Metrics: audio types are parts beside the wholes, never stacked on them.
    const tokens = (await h.metric('genai_usage.tokens')).filter((p) => p.attributes['gen_ai.response.model'] === 'gpt-audio-2025-08-28');
    expect(sumWhere(tokens, { 'gen_ai.token.type': 'audio_input' })).toBe(1200);
    expect(sumWhere(tokens, { 'gen_ai.token.type': 'audio_output' })).toBe(700);
    expect(sumWhere(tokens, { 'gen_ai.token.type': 'input' })).toBe(1320);
    expect(sumWhere(tokens, { 'gen_ai.token.type': 'output' })).toBe(820);
  });

  it('a model whose audio price the table lacks: counted, and unknown rather than billed as text', async () => {
    const body = { ...fixture('openai/chat-completion-audio').body, model: 'gpt-4o-audio-preview-2025-06-03' };
    h.server.enqueue({ fixture: 'openai/chat-completion-audio', json: body });
    await h.openai().chat.completions.create({ model: 'gpt-4o-audio-preview', modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' }, messages: [{ role: 'user', content: 'hi' }] });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ audioInputTokens: 1200, costSource: 'unknown' });
    expect(record!.costUsd).toBeUndefined();
  });
});

describe('web searches (responses.create with the web_search tool)', () => {
  it('counts the billable searches (tool_usage), prices them per 1,000 beside priority-tier tokens', async () => {
    h.server.enqueue('openai/responses-web-search');
    await h.openai().responses.create({ model: 'gpt-5', service_tier: 'priority', tools: [{ type: 'web_search' }], input: 'ECB rate?' });
    const [span] = await h.callSpans();
    expect(span!.attributes).toMatchObject({ 'genai_usage.usage.web_search.requests': 2, 'genai_usage.service_tier': 'priority', 'openai.request.service_tier': 'priority' });
    // gpt-5 priority: $2.50 in, $20 out per 1M; web search $10 per 1,000 calls.
    expect(span!.attributes['genai_usage.cost.web_search_usd']).toBeCloseTo(0.02, 12);
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ webSearchRequests: 2, serviceTier: 'priority' });
    expect(record!.costUsd).toBeCloseTo(usd(3_000 * 2.5 + 600 * 20) + 0.02, 12); // 0.0395
  });

  it('without tool_usage: the web_search_call items whose action is a search (page opens are not billed)', async () => {
    const { tool_usage: _, ...body } = fixture('openai/responses-web-search').body;
    h.server.enqueue({ fixture: 'openai/responses-web-search', json: { ...body, service_tier: 'default' } });
    await h.openai().responses.create({ model: 'gpt-5', tools: [{ type: 'web_search' }], input: 'ECB rate?' });
    const [record] = await h.waitForRecords(1);
    expect(record).toMatchObject({ webSearchRequests: 2, serviceTier: 'default' });
    // gpt-5 standard: $1.25 in, $10 out per 1M, plus 2 searches at $10 per 1,000.
    expect(record!.costUsd).toBeCloseTo(usd(3_000 * 1.25 + 600 * 10) + 0.02, 12);
  });
});
