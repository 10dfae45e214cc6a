// One benchmark process: N LLM calls through the real SDK with a stub `fetch` (no network),
// plain or streamed, uninstrumented or under one instrumentation. Prints one JSON line.
// With --serve it warms up, prints READY, then measures a block of calls per `run <calls>`
// line on stdin (one JSON line each) until `exit`: bench/run-instrumentation.mjs keeps one
// such process per variant and interleaves their blocks in time.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { anthropicSse, bedrockConverseJson, bedrockConverseStream, geminiSse, mistralSse, openaiSse } from './stub-llm.mjs';

const { values } = parseArgs({
  options: {
    sdk: { type: 'string', default: 'openai' }, // openai | anthropic | google-genai | mistral | bedrock
    // genai-usage-spans: our instrumentation class alone in the NodeSDK, as contrib runs (no usage accounting).
    // genai-usage-context: genai-usage with the calls made inside a usage context (user, agent, session, a tag).
    // genai-usage-spans-metrics: genai-usage-spans plus the three semconv histogram points contrib records per call.
    variant: { type: 'string', default: 'base' }, // base | genai-usage | genai-usage-context | genai-usage-spans | genai-usage-spans-metrics | contrib | openllmetry
    mode: { type: 'string', default: 'chat' }, // chat | stream
    calls: { type: 'string', default: '5000' },
    chunks: { type: 'string', default: '200' },
    // Run inside an active OpenTelemetry context, as a server whose HTTP instrumentation made
    // the request span current (the OpenTelemetry SDK is started for every variant then).
    ambient: { type: 'boolean', default: false },
    serve: { type: 'boolean', default: false },
  },
});
const { sdk, variant, mode, ambient } = values;
const calls = Number(values.calls);
const chunks = Number(values.chunks);
// Peers patch openai below 7 only: every variant uses the SDKs installed in bench/node_modules.
const requireFromBench = createRequire(new URL('./package.json', import.meta.url));
// No peer instruments @google/genai or Mistral: those come from the project's own dev dependencies.
const requireFromRoot = createRequire(new URL('../package.json', import.meta.url));
const SDK_MODULES = { openai: 'openai', anthropic: '@anthropic-ai/sdk', 'google-genai': '@google/genai', mistral: '@mistralai/mistralai', bedrock: '@aws-sdk/client-bedrock-runtime' };
const loadSdk = (name) => (name === 'openai' || name === 'anthropic' ? requireFromBench : requireFromRoot)(SDK_MODULES[name]);
const INSTRUMENT_KEYS = { openai: 'openai', anthropic: 'anthropic', 'google-genai': 'googleGenAI', mistral: 'mistral', bedrock: 'bedrock' };

const fixtures = new URL('../test/fixtures/', import.meta.url);
const fixtureBody = (name) => JSON.stringify(JSON.parse(readFileSync(new URL(name, fixtures), 'utf8')).body);
const bodies = {
  openai: fixtureBody('openai/chat-completion.json'),
  anthropic: fixtureBody('anthropic/message.json'),
  'google-genai': fixtureBody('gemini/generate-content.json'),
  mistral: fixtureBody('mistral/chat-completion.json'),
};

const sse = { openai: openaiSse, anthropic: anthropicSse, 'google-genai': geminiSse, mistral: mistralSse, bedrock: () => '' }[sdk](chunks);
const stubFetch = async (url, init) => {
  // Gemini says "stream" in the URL; the others in the body. Mistral passes a Request.
  const target = String(url?.url ?? url);
  const body = init?.body ?? (url instanceof Request ? await url.text() : '{}');
  const stream = target.includes('streamGenerateContent') || JSON.parse(typeof body === 'string' ? body : '{}').stream === true;
  return new Response(stream ? sse : bodies[sdk], { status: 200, headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } });
};

const { MetricReader } = await import('@opentelemetry/sdk-metrics');
const { SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace');
/** A real MeterProvider aggregating every metric, never exported during the run. */
class IdleReader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
/** Every span goes through a real processor and is dropped at export. */
const dropExporter = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const common = { metricReaders: [new IdleReader()], spanProcessors: [new SimpleSpanProcessor({ exporter: dropExporter })] };

let shutdown = async () => {};
if (variant === 'genai-usage' || variant === 'genai-usage-context') {
  const { startUsageTracking } = await import('../dist/index.js');
  const tracking = startUsageTracking({ serviceName: 'bench', store: false, prometheus: false, ...common, instrumentModules: { [INSTRUMENT_KEYS[sdk]]: loadSdk(sdk) } });
  shutdown = () => tracking.shutdown();
} else if (variant !== 'base' || ambient) {
  const { NodeSDK } = await import('@opentelemetry/sdk-node');
  const instrumentations = [];
  if (variant === 'contrib') {
    const { OpenAIInstrumentation } = requireFromBench('@opentelemetry/instrumentation-openai');
    instrumentations.push(new OpenAIInstrumentation());
  } else if (variant === 'genai-usage-spans' || variant === 'genai-usage-spans-metrics') {
    const ours = await import('../dist/index.js');
    const classes = { openai: 'OpenAIInstrumentation', anthropic: 'AnthropicInstrumentation', 'google-genai': 'GoogleGenAIInstrumentation', mistral: 'MistralInstrumentation', bedrock: 'BedrockRuntimeInstrumentation' };
    instrumentations.push(new ours[classes[sdk]]());
  } else if (variant === 'openllmetry') {
    const mod = requireFromBench(sdk === 'openai' ? '@traceloop/instrumentation-openai' : '@traceloop/instrumentation-anthropic');
    instrumentations.push(new (sdk === 'openai' ? mod.OpenAIInstrumentation : mod.AnthropicInstrumentation)());
  }
  // The resource genai-usage builds (synchronous detectors). NodeSDK's default adds the host
  // detector, whose async host.id makes every span's export wait on a promise: measured +2.8 µs
  // [0.4, 7.1] per call, charged to the peers, not to their instrumentation.
  const r = await import('@opentelemetry/resources');
  const resourceDetectors = [r.serviceInstanceIdDetector, r.processDetector, r.osDetector, r.envDetector];
  const spanProcessors = variant === 'genai-usage-spans-metrics' ? [...common.spanProcessors, await semconvMetricsProcessor()] : common.spanProcessors;
  const otel = new NodeSDK({ serviceName: 'bench', ...common, spanProcessors, logRecordProcessors: [], resourceDetectors, instrumentations });
  otel.start();
  shutdown = () => otel.shutdown();
}

/**
 * Like for like with contrib, which records a duration and two token-usage points per call: those
 * three points for our spans, with the attribute sets built once per model as genai-usage's
 * metrics do, and no pricing, record or attributed counters. Bench only: no product setup runs this.
 */
async function semconvMetricsProcessor() {
  const { metrics } = await import('@opentelemetry/api');
  const A = await import('../dist/semconv.js');
  let histograms;
  const sets = new Map();
  return {
    onStart() {},
    onEnd(span) {
      const a = span.attributes;
      if (a[A.ATTR_GEN_AI_OPERATION_NAME] === undefined) return;
      histograms ??= {
        duration: metrics.getMeter('bench').createHistogram(A.METRIC_OPERATION_DURATION, { unit: 's', advice: { explicitBucketBoundaries: A.DURATION_BUCKETS } }),
        tokens: metrics.getMeter('bench').createHistogram(A.METRIC_TOKEN_USAGE, { unit: '{token}', advice: { explicitBucketBoundaries: A.TOKEN_USAGE_BUCKETS } }),
      };
      const model = a[A.ATTR_GEN_AI_RESPONSE_MODEL];
      let set = sets.get(model);
      if (!set) {
        const base = { [A.ATTR_GEN_AI_OPERATION_NAME]: a[A.ATTR_GEN_AI_OPERATION_NAME], [A.ATTR_GEN_AI_PROVIDER_NAME]: a[A.ATTR_GEN_AI_PROVIDER_NAME], [A.ATTR_GEN_AI_REQUEST_MODEL]: a[A.ATTR_GEN_AI_REQUEST_MODEL], [A.ATTR_GEN_AI_RESPONSE_MODEL]: model };
        set = { base, input: { ...base, [A.ATTR_GEN_AI_TOKEN_TYPE]: A.TOKEN_TYPE_INPUT }, output: { ...base, [A.ATTR_GEN_AI_TOKEN_TYPE]: A.TOKEN_TYPE_OUTPUT } };
        sets.set(model, set);
      }
      histograms.duration.record(span.duration[0] + span.duration[1] / 1e9, set.base);
      const input = a[A.ATTR_GEN_AI_USAGE_INPUT_TOKENS];
      if (typeof input === 'number') {
        histograms.tokens.record(input, set.input);
        histograms.tokens.record(a[A.ATTR_GEN_AI_USAGE_OUTPUT_TOKENS] ?? 0, set.output);
      }
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

// Loaded after the instrumentations are registered, through require: their hooks patch it.
const clients = {
  openai: () => new (loadSdk('openai').OpenAI)({ apiKey: 'bench', baseURL: 'http://bench.invalid/v1', fetch: stubFetch, maxRetries: 0 }),
  anthropic: () => new (loadSdk('anthropic').Anthropic)({ apiKey: 'bench', baseURL: 'http://bench.invalid', fetch: stubFetch, maxRetries: 0, openTelemetry: false }),
  'google-genai': () => new (loadSdk('google-genai').GoogleGenAI)({ apiKey: 'bench', httpOptions: { baseUrl: 'http://bench.invalid', fetch: stubFetch } }),
  mistral: () => {
    const { Mistral, HTTPClient } = loadSdk('mistral');
    return new Mistral({ apiKey: 'bench', serverURL: 'http://bench.invalid', httpClient: new HTTPClient({ fetcher: stubFetch }) });
  },
  bedrock: () => new (loadSdk('bedrock').BedrockRuntimeClient)({ region: 'us-east-1', credentials: { accessKeyId: 'AKIDBENCH', secretAccessKey: 'bench' }, requestHandler: bedrockHandler(), maxAttempts: 1 }),
};

/** The AWS SDK's request handler, stubbed: SigV4 signing, the middleware stack and parsing still run. */
function bedrockHandler() {
  const { EventStreamCodec } = requireFromRoot('@smithy/core/event-streams');
  const codec = new EventStreamCodec((b) => new TextDecoder().decode(b), (t) => new TextEncoder().encode(t));
  const json = bedrockConverseJson();
  const frames = bedrockConverseStream(chunks, codec);
  return {
    handle: async (request) => {
      const stream = request.path.endsWith('/converse-stream');
      const headers = { 'content-type': stream ? 'application/vnd.amazon.eventstream' : 'application/json', 'x-amzn-requestid': 'bench' };
      return { response: { statusCode: 200, headers, body: Readable.from([stream ? frames : json]) } };
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs: () => ({}),
  };
}
const client = clients[sdk]();

async function once() {
  if (sdk === 'openai') {
    const params = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] };
    if (mode === 'stream') for await (const _ of await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }));
    else await client.chat.completions.create(params);
  } else if (sdk === 'anthropic') {
    const params = { model: 'claude-haiku-4-5', max_tokens: 256, messages: [{ role: 'user', content: 'Hello there' }] };
    if (mode === 'stream') for await (const _ of await client.messages.create({ ...params, stream: true }));
    else await client.messages.create(params);
  } else if (sdk === 'google-genai') {
    const params = { model: 'gemini-2.5-flash', contents: 'Hello there' };
    if (mode === 'stream') for await (const _ of await client.models.generateContentStream(params));
    else await client.models.generateContent(params);
  } else if (sdk === 'bedrock') {
    const { ConverseCommand, ConverseStreamCommand } = loadSdk('bedrock');
    const params = { modelId: 'us.amazon.nova-pro-v1:0', messages: [{ role: 'user', content: [{ text: 'Hello there' }] }], inferenceConfig: { maxTokens: 256 } };
    if (mode === 'stream') for await (const _ of (await client.send(new ConverseStreamCommand(params))).stream);
    else await client.send(new ConverseCommand(params));
  } else {
    const params = { model: 'mistral-small-latest', messages: [{ role: 'user', content: 'Hello there' }] };
    if (mode === 'stream') for await (const _ of await client.chat.stream(params));
    else await client.chat.complete(params);
  }
}

/** Where the previous block ended: work a process defers to its idle time (a GC the memory reducer runs, a timer) is charged to the next block. */
let lastEnd = process.cpuUsage();
/** `n` calls, timed: CPU (user + system, this process) during the block and since the previous one ended, and wall. */
async function block(n) {
  const cpu0 = process.cpuUsage();
  const sinceLast = process.cpuUsage(lastEnd);
  const main0 = process.threadCpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await once();
  const cpu = process.cpuUsage(cpu0);
  const main = process.threadCpuUsage(main0);
  lastEnd = process.cpuUsage();
  return { calls: n, cpuUsPerCall: (cpu.user + cpu.system) / n, withIdleCpuUsPerCall: (cpu.user + cpu.system + sinceLast.user + sinceLast.system) / n, mainThreadCpuUsPerCall: (main.user + main.system) / n, wallUsPerCall: ((performance.now() - t0) * 1000) / n };
}

/**
 * Inside an active request span when --ambient, as a server whose HTTP instrumentation made it
 * current; for genai-usage-context also inside the usage context such a handler would set.
 */
async function inRequest(fn) {
  if (!ambient) return fn();
  const { context, trace } = await import('@opentelemetry/api');
  const request = trace.getTracer('http').startSpan('POST /chat');
  let handler = fn;
  if (variant === 'genai-usage-context') {
    const { withUsageContext } = await import('../dist/index.js');
    handler = () => withUsageContext({ userId: 'u-1042', agentName: 'support', sessionId: 's-77', tags: { feature: 'chat' } }, fn);
  }
  try {
    return await context.with(trace.setSpan(context.active(), request), handler);
  } finally {
    request.end();
  }
}

// JIT, caches; a serving process warms up with --calls calls.
const warmUp = () => inRequest(() => block(values.serve ? calls : Math.min(500, calls)));
if (values.serve) {
  await warmUp();
  process.stdout.write('READY\n');
  const { createInterface } = await import('node:readline');
  for await (const line of createInterface({ input: process.stdin })) {
    const [command, n] = line.trim().split(/\s+/);
    if (command === 'exit') break;
    if (command === 'run') process.stdout.write(`${JSON.stringify(await inRequest(() => block(Number(n))))}\n`);
  }
  await shutdown();
  process.exit(0);
}
await warmUp();
const measured = await inRequest(() => block(calls));
await shutdown();
process.stdout.write(
  `${JSON.stringify({ sdk, variant, mode, ambient, calls, chunks: mode === 'stream' ? chunks : 0, cpuUsPerCall: measured.cpuUsPerCall, wallUsPerCall: measured.wallUsPerCall, rssMb: process.memoryUsage().rss / 1e6 })}\n`,
);
