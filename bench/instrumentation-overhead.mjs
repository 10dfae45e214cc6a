// One benchmark process: N openai calls through a stub fetch (no network), plain or streamed,
// with tracking on or off. Prints one JSON line. Run by bench/run.mjs, which alternates
// variants in separate processes and reports medians and ratios.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    variant: { type: 'string' }, // base | genai-usage
    mode: { type: 'string', default: 'chat' }, // chat | stream
    calls: { type: 'string', default: '5000' },
    chunks: { type: 'string', default: '200' },
    // Run the calls inside an active OpenTelemetry context, as in a server whose HTTP
    // instrumentation already made the request span current (the OTel SDK is started for both variants).
    'ambient-context': { type: 'boolean', default: false },
  },
});
const calls = Number(values.calls);
const chunks = Number(values.chunks);
const fixtures = new URL('../test/fixtures/openai/', import.meta.url);
const chatBody = JSON.stringify(JSON.parse(readFileSync(new URL('chat-completion.json', fixtures), 'utf8')).body);

/** A stream of `chunks` content chunks and a usage chunk, as OpenAI sends it. */
function sseBody(n) {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1761907398, model: 'gpt-4o-mini-2024-07-18' };
  const lines = [];
  for (let i = 0; i < n; i++) lines.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: ' tok' }, finish_reason: null }] })}\n\n`);
  lines.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 120, completion_tokens: n, total_tokens: 120 + n, prompt_tokens_details: { cached_tokens: 0 } } })}\n\n`);
  lines.push('data: [DONE]\n\n');
  return lines.join('');
}
const streamBody = sseBody(chunks);
const stubFetch = async (_url, init) => {
  const stream = JSON.parse(init.body).stream === true;
  return new Response(stream ? streamBody : chatBody, { status: 200, headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } });
};

let tracking;
if (values.variant === 'genai-usage' || values.variant === 'sdk-only') {
  const { startUsageTracking } = await import('../dist/index.js');
  const { MetricReader } = await import('@opentelemetry/sdk-metrics');
  // A real MeterProvider aggregating every metric; nothing exported during the run.
  class IdleReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  tracking = startUsageTracking({ serviceName: 'bench', store: false, prometheus: false, metricReaders: [new IdleReader()],
    ...(values.variant === 'sdk-only' ? { instrumentations: { openai: false, anthropic: false } } : { instrumentModules: { openai: await import('openai') } }),
  });
}
const ambient = values['ambient-context'];
if (ambient && values.variant === 'base') {
  const { startUsageTracking } = await import('../dist/index.js');
  tracking = startUsageTracking({ serviceName: 'bench', store: false, prometheus: false, instrumentations: { openai: false, anthropic: false } });
}
const { default: OpenAI } = await import('openai');
const client = new OpenAI({ apiKey: 'bench', baseURL: 'http://bench.invalid/v1', fetch: stubFetch, maxRetries: 0 });
const params = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] };

async function once() {
  if (values.mode === 'stream') {
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    for await (const _ of stream);
  } else {
    await client.chat.completions.create(params);
  }
}

async function loop() {
  for (let i = 0; i < Math.min(500, calls); i++) await once(); // warm-up: JIT, price cache
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < calls; i++) await once();
  return { wall: performance.now() - t0, cpu: process.cpuUsage(cpu0) };
}
let measured;
if (ambient) {
  const { context, trace } = await import('@opentelemetry/api');
  const request = trace.getTracer('http').startSpan('GET /chat');
  measured = await context.with(trace.setSpan(context.active(), request), loop);
  request.end();
} else measured = await loop();
const { wall, cpu } = measured;
await tracking?.shutdown();
process.stdout.write(
  `${JSON.stringify({ variant: values.variant, ambient, mode: values.mode, calls, chunks: values.mode === 'stream' ? chunks : 0, cpuUsPerCall: (cpu.user + cpu.system) / calls, wallUsPerCall: (wall * 1000) / calls })}\n`,
);
