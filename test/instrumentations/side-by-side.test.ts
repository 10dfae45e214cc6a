import { describe, expect, it } from 'vitest';
import { metrics } from '@opentelemetry/api';
import * as openaiV6 from 'openai-v6';
import { OpenAIInstrumentation as ContribOpenAIInstrumentation } from '@opentelemetry/instrumentation-openai';
import { OpenAIInstrumentation as TraceloopOpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import { OpenAIInstrumentation } from '../../src/index.js';
import { fixture } from '../support/replay-server.js';
import { sumWhere, useHarness } from '../support/tracking-harness.js';

// The peers patch only openai < 7, so these run on openai 6 (the `openai-v6` alias). Tracking
// starts without openai patched; each test decides who patches first.
const h = useHarness({ instrumentations: { openai: false } });
const OpenAIv6 = openaiV6.default;
const client = () => new OpenAIv6({ apiKey: 'k', baseURL: `${h.server.url}/v1`, maxRetries: 0 });
const chat = { model: 'gpt-4o-mini', messages: [{ role: 'user' as const, content: 'hi' }] };
const proto = OpenAIv6.Chat.Completions.prototype;
const unpatched = proto.create;

type Patcher = { name: string; patch(): void; unpatch(): void; scope: string };

function contrib(): Patcher {
  const inst = new ContribOpenAIInstrumentation({ enabled: false });
  // Its metric instruments exist only once it has a meter provider (as under registerInstrumentations).
  inst.setMeterProvider(metrics.getMeterProvider());
  const definition = (inst as unknown as { getModuleDefinitions(): Array<{ patch(m: unknown): unknown; unpatch(m: unknown): void }> }).getModuleDefinitions()[0]!;
  return {
    name: 'contrib',
    scope: '@opentelemetry/instrumentation-openai',
    patch: () => {
      inst.enable();
      definition.patch(openaiV6);
    },
    unpatch: () => {
      definition.unpatch(openaiV6);
      inst.disable();
    },
  };
}

function traceloop(): Patcher {
  const inst = new TraceloopOpenAIInstrumentation({ enabled: false });
  return {
    name: 'openllmetry',
    scope: '@traceloop/instrumentation-openai',
    patch: () => {
      inst.enable();
      inst.manuallyInstrument(OpenAIv6);
    },
    unpatch: () => {
      (inst as unknown as { unpatch(m: unknown): void }).unpatch({ OpenAI: OpenAIv6 });
      inst.disable();
    },
  };
}

function ours(): Patcher {
  const inst = new OpenAIInstrumentation();
  return {
    name: 'genai-usage',
    scope: 'genai-usage-instrumentation-openai',
    patch: () => inst.patchModule(openaiV6),
    unpatch: () => {
      inst.unpatchModule(openaiV6);
      inst.disable();
    },
  };
}

async function oneCall(peerScope: string) {
  const body = fixture('openai/chat-completion').body;
  const before = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'openai' });
  h.server.enqueue('openai/chat-completion');
  const result = await client().chat.completions.create(chat);
  expect(result.id).toBe(body.id);
  await h.tracking.forceFlush();
  const scopes = h.spans.getFinishedSpans().map((s) => s.instrumentationScope.name);
  // Both wrappers ran: each made its span for the call.
  expect(scopes).toEqual(expect.arrayContaining(['genai-usage-instrumentation-openai', peerScope]));
  const records = await h.waitForRecords(1);
  expect(records).toHaveLength(1);
  expect(records[0]).toMatchObject({ inputTokens: body.usage.prompt_tokens, outputTokens: body.usage.completion_tokens, cacheReadTokens: body.usage.prompt_tokens_details.cached_tokens });
  const after = sumWhere(await h.metric('genai_usage.requests'), { 'gen_ai.provider.name': 'openai' });
  expect(after - before).toBe(1);
}

describe.each([contrib, traceloop])('side by side with %o', (makePeer) => {
  it.each([
    ['the peer patches first', true],
    ['we patch first', false],
  ])('%s: both wrappers survive, the call is counted once', async (_label, peerFirst) => {
    const peer = makePeer();
    const us = ours();
    const order = peerFirst ? [peer, us] : [us, peer];
    for (const p of order) p.patch();
    try {
      await oneCall(peer.scope);
    } finally {
      for (const p of [...order].reverse()) p.unpatch();
    }
    // Each removed only its own wrapper.
    expect(proto.create).toBe(unpatched);
  });
});

describe('streams side by side', () => {
  it.each([contrib, traceloop])('%o: a streamed call with usage is counted once, chunks unchanged', async (makePeer) => {
    for (const first of [true, false]) {
      const peer = makePeer();
      const us = ours();
      const order = first ? [peer, us] : [us, peer];
      for (const p of order) p.patch();
      try {
        h.records.length = 0;
        h.server.enqueue('openai/chat-completion-stream-usage');
        const stream = await client().chat.completions.create({ ...chat, stream: true, stream_options: { include_usage: true } });
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? '';
        expect(text).toBe('The capital of France is Paris.');
        const records = await h.waitForRecords(1);
        expect(records).toHaveLength(1);
        expect(records[0]).toMatchObject({ streaming: true, inputTokens: 1289, outputTokens: 7, usageEstimated: false });
      } finally {
        for (const p of [...order].reverse()) p.unpatch();
      }
    }
  });
});

describe('unpatching in the other order', () => {
  it.each([contrib, traceloop])('%o unpatches while ours is on top: its wrapper is spliced out from beneath ours', async (makePeer) => {
    const peer = makePeer();
    const us = ours();
    peer.patch();
    us.patch();
    peer.unpatch();
    try {
      h.server.enqueue('openai/chat-completion');
      await client().chat.completions.create(chat);
      await h.tracking.forceFlush();
      expect(h.spans.getFinishedSpans().map((s) => s.instrumentationScope.name)).toEqual(['genai-usage-instrumentation-openai']);
      expect(await h.waitForRecords(1)).toHaveLength(1);
    } finally {
      us.unpatch();
    }
    expect(proto.create).toBe(unpatched);
  });
});
