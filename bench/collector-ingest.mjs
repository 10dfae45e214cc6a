// Collector ingest: OTLP/HTTP protobuf → genai-usage collector → a store, at fixed request rates.
//   npx tsc -p tsconfig.json && node bench/collector-ingest.mjs [--rates=1000,2000,4000] [--seconds=10] [--spans=10]
//     [--stores=sqlite,postgres,clickhouse]   (default sqlite; PostgreSQL and ClickHouse URLs from
//     GENAI_USAGE_BENCH_{POSTGRES,CLICKHOUSE}_URL or GENAI_USAGE_TEST_{POSTGRES,CLICKHOUSE}_URL)
// Several stores run one after another in the same run; ratios to SQLite at the same offered
// load go to bench/results/collector-stores.json.
// The collector runs in this process; the load generator is a separate Node process (this file
// with --role=load) on loopback: keep-alive http.Agent, open-loop schedule (request i is due at
// t0 + i/rate whether or not earlier ones answered), latency measured from the due time, so a
// stalled server shows up in the percentiles instead of silently slowing the sender down.
// Bodies are encoded beforehand by the real OTLP serializer, each with fresh trace/span ids.
// Results: printed, and written to bench/results/collector.json.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;

if (arg('role') === 'load') await loadGenerator();
else await main();

async function main() {
  const { COLLECTOR_DEFAULTS } = await import('../dist/collector/collector-config.js');
  const { startCollector } = await import('../dist/collector/collector-server.js');
  const { openStore } = await import('../dist/store/open-store.js');
  const rates = arg('rates', '1000,2000,4000').split(',').map(Number);
  const seconds = Number(arg('seconds', '10'));
  const spans = Number(arg('spans', '10'));
  const engines = arg('stores', 'sqlite').split(',');
  const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-collector-'));
  const byStore = {};
  try {
    for (const engine of engines) {
      const { url: storeUrl, label, drop } = await benchStore(engine, dir);
      const collector = await startCollector({ ...COLLECTOR_DEFAULTS, port: 0, store: storeUrl, tokens: [] }, { log: () => undefined });
      const scenarios = [];
      try {
        for (const rate of rates) {
          const before = collector.deps.metrics.recordsWritten;
          const load = await runLoad({ url: collector.url, rate, seconds, spans, warmup: 2 });
          // Let the last batches land before counting.
          await new Promise((resolve) => setTimeout(resolve, 500));
          const stored = collector.deps.metrics.recordsWritten - before;
          const result = {
            requestsPerSecondTarget: rate,
            spansPerRequest: spans,
            seconds,
            requests: load.requests,
            ok: load.ok,
            errors: load.errors,
            achievedRequestsPerSecond: Math.round(load.ok / load.elapsedS),
            spansPerSecond: Math.round((load.ok * spans) / load.elapsedS),
            latencyMs: load.latencyMs,
            storedRecords: stored,
            collectorCpuPercent: load.collectorCpuPercent,
            // The machine is shared: a load average above the core count means other work competed.
            loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
          };
          scenarios.push(result);
          console.log(
            `${engine} ${rate} req/s × ${spans} spans: ${result.spansPerSecond} spans/s stored, ` +
              `p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms, errors ${load.errors}, records ${stored}, load avg ${result.loadAverage1m}`,
          );
        }
      } finally {
        await collector.close();
      }
      const store = await openStore(storeUrl);
      const [total] = await store.aggregate({});
      await store.close();
      await drop();
      byStore[engine] = { store: label, totalRecordsInStore: total?.requests, scenarios };
    }
    const note = 'latency from the scheduled send time (open loop); warm-up excluded';
    const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}`;
    if (engines.length === 1 && engines[0] === 'sqlite') {
      const out = join(dirname(fileURLToPath(import.meta.url)), 'results/collector.json');
      writeFileSync(out, `${JSON.stringify({ machine, node: process.version, store: byStore.sqlite.store, note, totalRecordsInStore: byStore.sqlite.totalRecordsInStore, scenarios: byStore.sqlite.scenarios }, null, 2)}\n`);
      console.log(`written ${out}`);
    } else {
      // Ratios against SQLite at the same offered load, from this one run.
      const ratios = {};
      for (const [engine, r] of Object.entries(byStore)) {
        if (engine === 'sqlite' || !byStore.sqlite) continue;
        ratios[engine] = r.scenarios.map((sc, i) => ({
          requestsPerSecondTarget: sc.requestsPerSecondTarget,
          spansPerSecondVsSqlite: +(sc.spansPerSecond / byStore.sqlite.scenarios[i].spansPerSecond).toFixed(2),
        }));
        for (const row of ratios[engine]) console.log(`${engine} / sqlite at ${row.requestsPerSecondTarget} req/s: ${row.spansPerSecondVsSqlite}x spans/s`);
      }
      const out = join(dirname(fileURLToPath(import.meta.url)), 'results/collector-stores.json');
      writeFileSync(out, `${JSON.stringify({ machine, node: process.version, note, byStore, ratios }, null, 2)}\n`);
      console.log(`written ${out}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A fresh store per engine: a SQLite file, a PostgreSQL schema or a ClickHouse database (dropped after). */
async function benchStore(engine, dir) {
  const name = `bench_collector_${process.pid}`;
  if (engine === 'sqlite') return { url: `sqlite:${join(dir, 'bench.db')}`, label: 'sqlite (file, WAL)', drop: async () => undefined };
  if (engine === 'postgres') {
    const base = process.env.GENAI_USAGE_BENCH_POSTGRES_URL ?? process.env.GENAI_USAGE_TEST_POSTGRES_URL;
    if (!base) throw new Error('--stores=postgres needs GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL');
    const { default: pg } = await import('pg');
    return {
      url: `${base}${base.includes('?') ? '&' : '?'}schema=${name}`,
      label: 'postgres',
      drop: async () => {
        const client = new pg.Client({ connectionString: base });
        await client.connect();
        await client.query(`DROP SCHEMA IF EXISTS ${name} CASCADE`);
        await client.end();
      },
    };
  }
  if (engine === 'clickhouse') {
    const base = process.env.GENAI_USAGE_BENCH_CLICKHOUSE_URL ?? process.env.GENAI_USAGE_TEST_CLICKHOUSE_URL;
    if (!base) throw new Error('--stores=clickhouse needs GENAI_USAGE_BENCH_CLICKHOUSE_URL or GENAI_USAGE_TEST_CLICKHOUSE_URL');
    const url = base.replace(/^(clickhouse(?:\+https?)?:\/\/[^/?]+)(\/[^?]*)?/, `$1/${name}`);
    return { url, label: 'clickhouse', drop: () => dropClickHouseDatabase(url, name) };
  }
  throw new Error(`unknown store ${engine}; valid: sqlite, postgres, clickhouse`);
}

async function dropClickHouseDatabase(url, name) {
  const { createClient } = await import('@clickhouse/client');
  const { parseClickHouseUrl } = await import('../dist/store/clickhouse/clickhouse-connection.js');
  const parsed = parseClickHouseUrl(url);
  // Dropping thousands of small parts takes a while on a busy disk.
  const client = createClient({ url: parsed.origin, username: parsed.username, password: parsed.password, request_timeout: 600_000 });
  await client.command({ query: `DROP DATABASE IF EXISTS ${name}${parsed.cluster ? ` ON CLUSTER ${parsed.cluster}` : ''}` });
  await client.close();
}

/** Forks the load generator, measures the collector's CPU (this process) meanwhile. */
function runLoad(options) {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['--role=load'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let cpuStart;
    let wallStart;
    child.on('message', (message) => {
      if (message.type === 'measuring') {
        cpuStart = process.cpuUsage();
        wallStart = performance.now();
      } else if (message.type === 'done') {
        const cpu = process.cpuUsage(cpuStart);
        const wallMs = performance.now() - wallStart;
        resolve({ ...message.result, collectorCpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / wallMs) * 100) });
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)));
    child.send({ type: 'start', options });
  });
}

async function loadGenerator() {
  const { options } = await new Promise((resolve) => process.once('message', resolve));
  const { ProtobufTraceSerializer } = await import('@opentelemetry/otlp-transformer');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } = await import('@opentelemetry/sdk-trace');
  const { url, rate, seconds, spans, warmup } = options;
  const total = rate * (seconds + warmup);
  // Pre-encode every body so the generator only sends during the run.
  const memory = new InMemorySpanExporter();
  const provider = new TracerProvider({ resource: resourceFromAttributes({ 'service.name': 'bench' }), spanProcessors: [new SimpleSpanProcessor({ exporter: memory })] });
  const tracer = provider.getTracer('bench');
  const bodies = [];
  for (let i = 0; i < total; i++) {
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
            'user.id': `u-${(i * spans + j) % 500}`,
            'gen_ai.agent.name': `agent-${j % 5}`,
            'genai_usage.session.id': `s-${i % 2000}`,
          },
        })
        .end();
    }
    bodies.push(Buffer.from(ProtobufTraceSerializer.serializeRequest(memory.getFinishedSpans())));
    memory.reset();
  }
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
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
  let ok = 0;
  let errors = 0;
  const warmupCount = rate * warmup;
  const t0 = performance.now() + 50;
  const pending = [];
  let measureStart = 0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    if (i === warmupCount) {
      measureStart = due;
      process.send({ type: 'measuring' });
    }
    const measured = i >= warmupCount;
    pending.push(
      send(bodies[i]).then((status) => {
        if (!measured) return;
        latencies.push(performance.now() - due);
        if (status === 200) ok++;
        else errors++;
      }),
    );
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - measureStart) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] * 100) / 100;
  process.send({ type: 'done', result: { requests: total - warmupCount, ok, errors, elapsedS, latencyMs: { p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100) } } });
  agent.destroy();
  process.disconnect();
}
