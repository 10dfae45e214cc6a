// Collector ingest: OTLP/HTTP protobuf → genai-usage collector → SQLite, compared in one run.
//   npm run build && node bench/collector-ingest.mjs [--rates=1000,2000] [--seconds=10] [--spans=10] [--concurrency=64] [--overload=4] [--rounds=3] [--store=<url>] [--journal | --journal-dir=<dir>] [--set=option=n,...] [--server-pid=N]
// The collector runs in this process; the load generator is a separate Node process (this file
// with --role=load) on loopback with a keep-alive http.Agent. Four measurements, one run:
// 1. capacity: closed loop (`concurrency` requests always outstanding) against SQLite; stored spans/s.
// 2. baseline: the same closed loop against a collector whose store discards records — the
//    HTTP + decode + mapping ceiling of this machine right now, so the store's share shows as a ratio.
// 3. rates: open loop (request i is due at t0 + i/rate whether or not earlier ones answered),
//    latency measured from the due time, so a stalled server shows in the percentiles.
// 4. overload: open loop at `overload` × the capacity just measured (1 and 4 alternate, `rounds` times; the
//    median round is reported with the range); goodput (spans answered 200 per
//    second) as a fraction of that capacity, and how the rest was refused (429 before the body is read).
// Bodies are protobuf requests encoded once by the real OTLP serializer, then copied with fresh
// trace/span ids written in, so the generator spends its time sending, not encoding.
// Results: printed, and written to bench/results/collector.json.
import { fork } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

/** The store's database server process when it runs on this machine (see listeningPid). */
let serverPid;

if (arg('role') === 'load') await loadGenerator();
else await main();

async function main() {
  const { COLLECTOR_DEFAULTS } = await import('../dist/collector/collector-config.js');
  const { startCollector } = await import('../dist/collector/collector-server.js');
  const { openStore } = await import('../dist/store/open-store.js');
  const rates = arg('rates', '1000,2000').split(',').filter(Boolean).map(Number);
  const seconds = Number(arg('seconds', '10'));
  const spans = Number(arg('spans', '10'));
  const concurrency = Number(arg('concurrency', '64'));
  const overload = Number(arg('overload', '4'));
  const rounds = Number(arg('rounds', '3'));
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-collector-'));
  // --store=<url> runs against PostgreSQL or ClickHouse instead (use an empty database/schema);
  // results then go to results/collector-<engine>.json, each with its own no-store baseline.
  const storeUrl = arg('store', `sqlite:${join(dir, 'bench.db')}`);
  const engine = /^clickhouse/.test(storeUrl) ? 'clickhouse' : /^postgres/.test(storeUrl) ? 'postgres' : 'sqlite';
  // --journal answers ingest once journaled (journalDir): the spans/s answered then say how fast
  // the journal takes them, and storedPerSecond and backlogAtEnd how fast the store keeps up.
  // --journal-dir=<dir> puts it elsewhere (its own disk, as a deployment would).
  const journalDir = arg('journal-dir', process.argv.includes('--journal') ? join(dir, 'journal') : undefined);
  const journal = journalDir !== undefined;
  // --set=maxBatchRecords=20000,maxConcurrentWrites=2 overrides numeric collector options.
  const set = Object.fromEntries(
    arg('set', '').split(',').filter(Boolean).map((kv) => {
      const [key, value] = kv.split('=');
      if (!(key in COLLECTOR_DEFAULTS) || !/^\d+$/.test(value ?? '')) throw new Error(`--set: ${kv} is not option=integer (options: ${Object.keys(COLLECTOR_DEFAULTS).join(', ')})`);
      return [key, Number(value)];
    }),
  );
  const config = { ...COLLECTOR_DEFAULTS, port: 0, store: storeUrl, tokens: [], ...(journal ? { journalDir } : {}), ...set };
  // A database server on this machine shares its cores: found by the port it listens on (or
  // --server-pid=N), its CPU (with its child processes: PostgreSQL's backends) is measured too.
  serverPid = Number(arg('server-pid', '')) || listeningPid(storeUrl);
  const machine = () => Math.round(loadavg()[0] * 100) / 100;
  const results = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`,
    node: process.version,
    ...(Object.keys(set).length ? { settings: set } : {}),
    store: `${engine === 'sqlite' ? 'sqlite (file, WAL, write thread)' : engine}${journal ? ', behind the journal' : ''}`,
    note: 'open-loop latency from the scheduled send time; warm-up excluded; loadAverage1m above the core count means other work competed',
    command: `node bench/collector-ingest.mjs ${process.argv.slice(2).join(' ')}`.trim(),
    spansPerRequest: spans,
  };

  // 2. Baseline first: an empty machine state, no store file yet.
  const discard = { engine: 'sqlite', insert: async (records) => records.length, records: async () => [], close: async () => undefined };
  const baselineCollector = await startCollector({ ...config, store: 'sqlite::memory:' }, { store: discard, log: () => undefined });
  try {
    const load = await runLoad({ url: baselineCollector.url, mode: 'closed', concurrency, seconds, spans, warmup: 2, seed: 1 });
    results.baseline = summary(load, spans, { note: 'store discards records: HTTP, decode and mapping only', loadAverage1m: machine() });
    print('baseline (no store), closed loop', results.baseline);
    // The same open-loop rates without a store: the latency floor of this machine (HTTP, decode,
    // the journal's fsync when journaled, the load generator on the same cores) for each p99 below.
    results.baselineScenarios = [];
    for (const [i, rate] of rates.entries()) {
      const o = await runLoad({ url: baselineCollector.url, mode: 'open', rate, seconds, spans, warmup: 2, seed: 10 + i });
      const s = { requestsPerSecondTarget: rate, ...summary(o, spans, { loadAverage1m: machine() }) };
      results.baselineScenarios.push(s);
      print(`baseline (no store), ${rate} req/s × ${spans} spans, open loop`, s);
    }
  } finally {
    await baselineCollector.close();
  }

  const collector = await startCollector(config, { log: process.env.BENCH_LOG ? (l) => console.error(`collector: ${l}`) : () => undefined });
  try {
    // Capacity, then (with --overload) the overload it defines, in `rounds` pairs: on 2 shared
    // cores one 10 s window swings by ±25 %, so each round's goodput is taken against its own
    // capacity and the median round reported, with the range.
    const roundResults = [];
    for (let r = 0; r < rounds; r++) {
      const before = collector.deps.metrics.recordsWritten;
      const load = await runLoad({ url: collector.url, mode: 'closed', concurrency, seconds, spans, warmup: 2, seed: 2 + r * 1000 });
      const capacity = summary(load, spans, { ...stored(collector, before, load), loadAverage1m: machine() });
      capacity.ofBaseline = ratio(capacity.spansPerSecond, results.baseline.spansPerSecond);
      print(`capacity (${engine}), closed loop${rounds > 1 ? `, round ${r + 1}/${rounds}` : ''}`, capacity);
      const round = { capacity };
      if (overload > 0) {
        const overloadRate = Math.round((overload * capacity.spansPerSecond) / spans);
        const o = await runLoad({ url: collector.url, mode: 'open', rate: overloadRate, seconds, spans, warmup: 2, seed: 99 + r * 1000 });
        round.overload = { factor: overload, requestsPerSecondTarget: overloadRate, ...summary(o, spans, { loadAverage1m: machine() }) };
        round.overload.goodputOfCapacity = ratio(round.overload.spansPerSecond, capacity.spansPerSecond);
        print(`overload ${overload}× capacity (${overloadRate} req/s), open loop${rounds > 1 ? `, round ${r + 1}/${rounds}` : ''}`, round.overload);
      }
      roundResults.push(round);
    }
    const byCapacity = roundResults.toSorted((a, b) => a.capacity.spansPerSecond - b.capacity.spansPerSecond);
    results.capacity = byCapacity[Math.floor(rounds / 2)].capacity;
    if (overload > 0) {
      const byGoodput = roundResults.toSorted((a, b) => a.overload.goodputOfCapacity - b.overload.goodputOfCapacity);
      results.overload = { ...byGoodput[Math.floor(rounds / 2)].overload, rounds: roundResults.map((x) => x.overload.goodputOfCapacity), range: [byGoodput[0].overload.goodputOfCapacity, byGoodput[rounds - 1].overload.goodputOfCapacity] };
    }
    if (rounds > 1) results.capacityRounds = roundResults.map((x) => x.capacity.spansPerSecond);

    results.scenarios = [];
    for (const [i, rate] of rates.entries()) {
      const before = collector.deps.metrics.recordsWritten;
      const load = await runLoad({ url: collector.url, mode: 'open', rate, seconds, spans, warmup: 2, seed: 10 + i });
      const s = { requestsPerSecondTarget: rate, ...summary(load, spans, { ...stored(collector, before, load), loadAverage1m: machine() }) };
      results.scenarios.push(s);
      print(`${rate} req/s × ${spans} spans, open loop`, s);
    }

    const store = await openStore(storeUrl);
    const [total] = await store.aggregate({});
    await store.close();
    results.totalRecordsInStore = total?.requests;
    if (results.overload) console.log(`goodput under ${overload}× overload: ${results.overload.goodputOfCapacity} of capacity (median of ${rounds} rounds: ${results.overload.rounds.join(', ')})`);
    console.log(`capacity with ${engine}: ${results.capacity.ofBaseline} of the no-store baseline`);
    const name = `collector${engine === 'sqlite' ? '' : `-${engine}`}${journal ? '-journal' : ''}`;
    const out = join(dirname(fileURLToPath(import.meta.url)), `results/${name}.json`);
    writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
    console.log(`written ${out}`);
  } finally {
    await collector.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function summary(load, spans, extra) {
  const spansPerSecond = Math.round((load.ok * spans) / load.elapsedS);
  return {
    seconds: Math.round(load.elapsedS * 10) / 10,
    requests: load.requests,
    ok: load.ok,
    statuses: load.statuses,
    errors: load.requests - load.ok,
    achievedRequestsPerSecond: Math.round(load.ok / load.elapsedS),
    spansPerSecond,
    latencyMs: load.latencyMs,
    okLatencyMs: load.okLatencyMs,
    collectorCpuPercent: load.collectorCpuPercent,
    loadGeneratorCpuPercent: load.loadCpuPercent,
    // CPU of the collector process (HTTP thread and SQLite write thread) per span stored: less
    // sensitive to a busy machine than throughput.
    collectorCpuMicrosPerSpan: spansPerSecond > 0 ? Math.round((load.collectorCpuPercent / 100) * 1e6 / spansPerSecond * 10) / 10 : null,
    cores: load.cores,
    eventLoopDelayMs: load.eventLoopDelayMs,
    // The whole bench process (the collector and the bodies it holds) at the end of the window.
    collectorRssMb: load.collectorRssMb,
    ...extra,
  };
}

/**
 * Where the machine's cores went during the measured window, in cores (1 = one core busy):
 * the collector's event-loop thread, its other threads (SQLite write thread, libuv pool, GC
 * helpers), the database server when it runs here, and the load generator.
 */
function coresUsed(collectorMain, collectorAll, server, loadPercent) {
  const c = (v) => Math.round(v * 100) / 100;
  const out = { collectorMain: c(collectorMain), collectorOtherThreads: c(Math.max(0, collectorAll - collectorMain)), ...(server === undefined ? {} : { storeServer: c(server) }), loadGenerator: c(loadPercent / 100) };
  out.total = c(Object.values(out).reduce((a, b) => a + b, 0));
  return out;
}


/** The pid listening on a loopback store URL's port, from /proc (Linux); undefined when not found. */
function listeningPid(url) {
  try {
    const u = new URL(url.replace(/^clickhouse\+https:/, 'https:').replace(/^clickhouse:/, 'http:').replace(/^postgres(ql)?:/, 'http:'));
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname) || !u.port) return undefined;
    const hexPort = Number(u.port).toString(16).toUpperCase().padStart(4, '0');
    const inodes = new Set();
    for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
      for (const line of readFileSync(f, 'utf8').split('\n').slice(1)) {
        const cols = line.trim().split(/\s+/);
        if (cols[1]?.endsWith(`:${hexPort}`) && cols[3] === '0A') inodes.add(`socket:[${cols[9]}]`);
      }
    }
    for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        for (const fd of readdirSync(`/proc/${pid}/fd`)) if (inodes.has(readlinkSync(`/proc/${pid}/fd/${fd}`))) return Number(pid);
      } catch {
        // a process that ended meanwhile, or not ours to read
      }
    }
  } catch {
    // not Linux, or not a URL with a port
  }
  return undefined;
}

/** CPU seconds of the server process and its live children, and the children it has reaped. */
function serverCpuSeconds() {
  if (!serverPid) return undefined;
  const stats = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      stats.set(Number(pid), { ppid: Number(f[1]), own: Number(f[11]) + Number(f[12]), reaped: Number(f[13]) + Number(f[14]) });
    } catch {
      // ended meanwhile
    }
  }
  const root = stats.get(serverPid);
  if (!root) return undefined;
  let ticks = root.own + root.reaped;
  for (const s of stats.values()) if (s.ppid === serverPid) ticks += s.own;
  return ticks / 100; // USER_HZ
}

/** Records the store took during the run (warm-up included) and, with a journal, what it still holds. */
function stored(collector, before, load) {
  const storedRecords = collector.deps.metrics.recordsWritten - before;
  const out = { storedRecords, storedPerSecond: Math.round(storedRecords / (load.elapsedS + 2)) };
  if (collector.deps.config.journalDir) out.backlogAtEnd = collector.deps.queue.depth();
  return out;
}

function ratio(a, b) {
  return b > 0 ? Math.round((a / b) * 100) / 100 : null;
}

function print(label, s) {
  console.log(
    `${label}: ${s.spansPerSecond} spans/s answered 200, p50 ${s.latencyMs.p50} ms, p99 ${s.latencyMs.p99} ms, max ${s.latencyMs.max} ms, ` +
      `statuses ${JSON.stringify(s.statuses)}, stored ${s.storedPerSecond}/s${s.backlogAtEnd !== undefined ? ` (journal backlog ${s.backlogAtEnd})` : ''}, collector CPU ${s.collectorCpuPercent}% (${s.collectorCpuMicrosPerSpan} µs/span), load generator CPU ${s.loadGeneratorCpuPercent}%, load avg ${s.loadAverage1m}` +
      (s.eventLoopDelayMs ? `; event loop held p99 ${s.eventLoopDelayMs.p99} ms, max ${s.eventLoopDelayMs.max} ms; RSS ${s.collectorRssMb} MB` : '') +
      (s.cores ? `; cores: collector main ${s.cores.collectorMain} + other threads ${s.cores.collectorOtherThreads}${s.cores.storeServer === undefined ? '' : ` + store server ${s.cores.storeServer}`} + load generator ${s.cores.loadGenerator} = ${s.cores.total}` : ''),
  );
}

/** Forks the load generator, measures the collector's CPU (this process, all threads) meanwhile. */
function runLoad(options) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--role=load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
    let cpuStart;
    let mainStart;
    let serverStart;
    let wallStart;
    // The collector's event loop: a long synchronous stretch (formatting a batch, say) delays every request behind it.
    const delay = monitorEventLoopDelay({ resolution: 1 });
    child.on('message', (message) => {
      if (message.type === 'measuring') {
        delay.enable();
        cpuStart = process.cpuUsage();
        mainStart = process.threadCpuUsage();
        serverStart = serverCpuSeconds();
        wallStart = performance.now();
      } else if (message.type === 'done') {
        const cpu = process.cpuUsage(cpuStart);
        const main = process.threadCpuUsage(mainStart);
        const serverEnd = serverCpuSeconds();
        const wallMs = performance.now() - wallStart;
        const cores = coresUsed((main.user + main.system) / 1000 / wallMs, (cpu.user + cpu.system) / 1000 / wallMs, serverStart === undefined || serverEnd === undefined ? undefined : ((serverEnd - serverStart) * 1000) / wallMs, message.result.loadCpuPercent);
        delay.disable();
        const eventLoopDelayMs = { p99: Math.round(delay.percentile(99) / 1e5) / 10, max: Math.round(delay.max / 1e5) / 10 };
        resolve({ ...message.result, collectorCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100), cores, eventLoopDelayMs, collectorRssMb: Math.round(process.memoryUsage().rss / 1e6) });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
    child.send({ type: 'start', options });
  });
}

/** `count` template bodies of `spans` spans each, and where their ids sit in the bytes. */
async function templates(spans, count) {
  const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('bench');
  const out = [];
  for (let t = 0; t < count; t++) {
    for (let j = 0; j < spans; j++) {
      tracer
        .startSpan('chat gpt-4o-mini', {
          attributes: {
            'gen_ai.operation.name': 'chat',
            'gen_ai.provider.name': 'openai',
            'gen_ai.request.model': 'gpt-4o-mini',
            'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
            'gen_ai.usage.input_tokens': 100 + j,
            'gen_ai.usage.output_tokens': 20 + j,
            'user.id': `u-${(t * spans + j) % 500}`,
            'gen_ai.agent.name': `agent-${j % 5}`,
            'genai_usage.session.id': `s-${t}`,
          },
        })
        .end();
    }
    const finished = memory.getFinishedSpans();
    const body = Buffer.from(ProtobufTraceSerializer.serializeRequest(finished));
    // Each span's trace id (16 bytes) and span id (8 bytes) appear once in the encoding.
    const offsets = finished.map((span) => {
      const { traceId, spanId } = span.spanContext();
      return [body.indexOf(Buffer.from(traceId, 'hex')), body.indexOf(Buffer.from(spanId, 'hex'))];
    });
    if (offsets.flat().some((o) => o < 0)) throw new Error('template ids not found');
    out.push({ body, offsets });
    memory.reset();
  }
  return out;
}

async function loadGenerator() {
  const { options } = await new Promise((resolve) => process.once('message', resolve));
  const { url, mode, rate, concurrency, seconds, spans, warmup, seed } = options;
  const tpl = await templates(spans, 200);
  let counter = 0;
  // A fresh copy with unique ids: seed in the trace id's first 4 bytes, a counter in the next 4.
  const nextBody = () => {
    const n = counter++;
    const { body, offsets } = tpl[n % tpl.length];
    const copy = Buffer.from(body);
    for (const [j, [trace, span]] of offsets.entries()) {
      copy.writeUInt32BE(seed, trace);
      copy.writeUInt32BE(n, trace + 4);
      copy.writeUInt32BE(j + 1, span);
      copy.writeUInt32BE(n, span + 4);
    }
    return copy;
  };
  // Enough sockets that an overload reaches the server: with 512, at most 5,120 spans were ever
  // queued there (under a second's work), so excess waited in this process and never got a 429.
  // And keep them all: the default maxFreeSockets (256) destroyed the rest whenever a burst of
  // 429s freed more at once, so the next burst opened thousands of new connections, overflowed
  // the server's accept backlog and waited out SYN retransmits (1 s, 3 s) with the server idle.
  const agent = new Agent({ keepAlive: true, maxSockets: 4096, maxFreeSockets: 4096 });
  const target = new URL('/v1/traces', url);
  const send = (body) =>
    new Promise((resolve) => {
      const req = request(target, { method: 'POST', agent, headers: { 'content-type': 'application/x-protobuf', 'content-length': body.length } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode));
      });
      req.on('error', () => resolve(0));
      req.end(body);
    });
  const latencies = [];
  const okLatencies = [];
  const statuses = {};
  let ok = 0;
  let requests = 0;
  let measuring = false;
  let measureStart = 0;
  const record = (status, latency) => {
    if (!measuring) return;
    requests++;
    statuses[status] = (statuses[status] ?? 0) + 1;
    latencies.push(latency);
    if (status === 200) ok++, okLatencies.push(latency);
  };
  let loadCpuStart;
  const startMeasuring = (at) => {
    measuring = true;
    measureStart = at;
    loadCpuStart = process.cpuUsage();
    process.send({ type: 'measuring' });
  };
  const t0 = performance.now() + 50;
  const end = t0 + (warmup + seconds) * 1000;
  if (mode === 'closed') {
    setTimeout(() => startMeasuring(performance.now()), warmup * 1000 + 50);
    const worker = async () => {
      while (performance.now() < end) {
        const started = performance.now();
        const wasMeasuring = measuring;
        const status = await send(nextBody());
        if (wasMeasuring) record(status, performance.now() - started);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  } else {
    const total = Math.round(rate * (seconds + warmup));
    const pending = [];
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      if (i === Math.round(rate * warmup)) startMeasuring(due);
      const counted = measuring;
      pending.push(send(nextBody()).then((status) => counted && record(status, performance.now() - due)));
    }
    await Promise.all(pending);
  }
  const elapsedS = (performance.now() - measureStart) / 1000;
  // This generator shares the machine's cores with the collector: what it took is reported beside the collector's.
  const loadCpu = process.cpuUsage(loadCpuStart);
  const loadCpuPercent = Math.round(((loadCpu.user + loadCpu.system) / 1e6 / elapsedS) * 100);
  const pct = (list) => {
    list.sort((a, b) => a - b);
    const at = (p) => Math.round((list[Math.min(list.length - 1, Math.floor((p / 100) * list.length))] ?? 0) * 100) / 100;
    return { p50: at(50), p90: at(90), p99: at(99), max: at(100) };
  };
  process.send({ type: 'done', result: { requests, ok, statuses, elapsedS, latencyMs: pct(latencies), okLatencyMs: pct(okLatencies), loadCpuPercent } });
  agent.destroy();
  process.disconnect();
}
