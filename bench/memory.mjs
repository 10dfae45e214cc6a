// Memory: RSS of an app making ~1,000 LLM calls/s for 60 s (quick: 15 s), uninstrumented vs
// instrumented. The real `openai` client (bench/node_modules, as in instrumentation-overhead.mjs)
// with a stub `fetch` (no network), calls launched on an open-loop schedule (10 ms ticks, no
// waiting for earlier calls), each with a user and agent in the usage context; one call in ten
// streams 20 chunks. RSS sampled every second. Each variant runs in its own process.
//   npx tsc -p tsconfig.json && node bench/memory.mjs [--seconds=60] [--rate=1000] [--variants=base,genai-usage]
// Variants: base (no OpenTelemetry at all), genai-usage (startUsageTracking with its SQLite store
// in a temp dir, metrics aggregated, no Prometheus server), genai-usage-nostore (store: false).
// Writes bench/results/memory.json; adds the RSS during the export that store-query.mjs measured
// on its largest store (bench/results/store.json), when present.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { openaiSse } from './stub-llm.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const MB = (bytes) => +(bytes / 1048576).toFixed(1);

if (arg('role') === 'app') await app(arg('variant', 'base'), Number(arg('seconds', '60')), Number(arg('rate', '1000')));
else main();

function main() {
  const seconds = Number(arg('seconds', '60'));
  const rate = Number(arg('rate', '1000'));
  const variants = arg('variants', 'base,genai-usage').split(',');
  const here = fileURLToPath(new URL('.', import.meta.url));
  const runs = {};
  for (const variant of variants) {
    console.log(`memory: ${variant}, ${rate} calls/s for ${seconds} s`);
    const out = execFileSync(process.execPath, [`${here}memory.mjs`, '--role=app', `--variant=${variant}`, `--seconds=${seconds}`, `--rate=${rate}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    runs[variant] = JSON.parse(out.trim().split('\n').pop());
    const r = runs[variant];
    console.log(
      `  RSS start ${r.rssStartMB} MB, peak ${r.rssPeakMB} MB, end ${r.rssEndMB} MB; heap end ${r.heapUsedEndMB} MB; ` +
        `${r.achievedCallsPerSecond} calls/s, ${r.errors} errors, CPU ${r.cpuPercent}%, loop delay p99 ${r.eventLoopDelayP99Ms} ms` +
        (r.storedRecords === undefined ? '' : `, ${r.storedRecords} records stored`),
    );
  }
  const difference = {};
  if (runs.base) {
    for (const [variant, r] of Object.entries(runs)) {
      if (variant === 'base') continue;
      difference[variant] = {
        peakMB: +(r.rssPeakMB - runs.base.rssPeakMB).toFixed(1),
        endMB: +(r.rssEndMB - runs.base.rssEndMB).toFixed(1),
        growthDuringRunMB: +(r.rssEndMB - r.rssStartMB - (runs.base.rssEndMB - runs.base.rssStartMB)).toFixed(1),
      };
      console.log(`  ${variant} - base: peak +${difference[variant].peakMB} MB, end +${difference[variant].endMB} MB`);
    }
  }
  const result = {
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`,
    date: new Date().toISOString(),
    seconds,
    callsPerSecondTarget: rate,
    runs,
    difference,
    export: exportFromStoreBench(here),
  };
  if (result.export) console.log(`  export (store-query, ${result.export.engine}, ${result.export.records.toLocaleString('en-US')} records): RSS ${result.export.rssStartMB} -> max ${result.export.rssMaxMB} MB`);
  mkdirSync(`${here}results`, { recursive: true });
  writeFileSync(`${here}results/memory.json`, `${JSON.stringify(result, null, 2)}\n`);
  console.log('results: bench/results/memory.json');
}

/** The export RSS store-query.mjs measured on the largest store it built, per engine. */
function exportFromStoreBench(here) {
  let query;
  try {
    query = JSON.parse(readFileSync(`${here}results/store.json`, 'utf8')).query;
  } catch {
    return undefined;
  }
  for (const engine of ['sqlite', 'postgres']) {
    const sizes = Object.keys(query?.[engine] ?? {}).map(Number).sort((a, b) => b - a);
    const exp = sizes.map((n) => query[engine][n].export).find(Boolean);
    if (exp) return { engine, measuredAt: query.at, ...exp };
  }
  return undefined;
}

async function app(variant, seconds, rate) {
  const VARIANTS = ['base', 'genai-usage', 'genai-usage-nostore'];
  if (!VARIANTS.includes(variant)) throw new Error(`unknown variant ${variant}; valid: ${VARIANTS.join(', ')}`);
  const requireFromBench = createRequire(new URL('./package.json', import.meta.url));
  const fixture = new URL('../test/fixtures/openai/chat-completion.json', import.meta.url);
  const body = JSON.stringify(JSON.parse(readFileSync(fixture, 'utf8')).body);
  const sse = openaiSse(20);
  const stubFetch = async (_url, init) => {
    const stream = JSON.parse(init.body).stream === true;
    return new Response(stream ? sse : body, { status: 200, headers: { 'content-type': stream ? 'text/event-stream' : 'application/json' } });
  };

  let withContext = (_fields, fn) => fn();
  let finish = async () => ({});
  if (variant !== 'base') {
    const { startUsageTracking, withUsageContext, openStore } = await import('../dist/index.js');
    const { MetricReader } = await import('@opentelemetry/sdk-metrics');
    class IdleReader extends MetricReader {
      async onForceFlush() {}
      async onShutdown() {}
    }
    const dir = mkdtempSync(join(tmpdir(), 'genai-usage-bench-mem-'));
    const store = variant === 'genai-usage' ? `sqlite:${join(dir, 'usage.db')}` : false;
    const tracking = startUsageTracking({
      serviceName: 'bench-memory',
      store,
      storeSpoolDir: join(dir, 'spool'),
      prometheus: false,
      metricReaders: [new IdleReader()],
      instrumentModules: { openai: requireFromBench('openai') },
    });
    withContext = withUsageContext;
    finish = async () => {
      await tracking.shutdown();
      let storedRecords;
      if (store) {
        const s = await openStore(store);
        storedRecords = (await s.aggregate({}))[0]?.requests ?? 0;
        await s.close();
      }
      rmSync(dir, { recursive: true, force: true });
      return { storedRecords };
    };
  }

  const { OpenAI } = requireFromBench('openai');
  const client = new OpenAI({ apiKey: 'bench', baseURL: 'http://bench.invalid/v1', fetch: stubFetch, maxRetries: 0 });
  const agents = ['Triage', 'Billing', 'Search', 'Summarizer', 'Coder', 'Reviewer'];
  let errors = 0;
  let completed = 0;
  const call = (i) =>
    withContext({ userId: `user-${i % 1000}`, agentName: agents[i % agents.length], sessionId: `s-${Math.floor(i / 20)}` }, async () => {
      const params = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hello there' }] };
      if (i % 10 === 9) for await (const _ of await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }));
      else await client.chat.completions.create(params);
    }).then(
      () => completed++,
      () => errors++,
    );

  for (let i = 0; i < 200; i++) await call(i); // warm-up: JIT, lazy requires, store opened
  completed = 0;
  errors = 0;
  const rssStart = process.memoryUsage().rss;
  const samples = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push({ t: samples.length + 1, rssMB: MB(m.rss), heapUsedMB: MB(m.heapUsed), externalMB: MB(m.external) });
  };
  const sampler = setInterval(sample, 1000);
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const cpu0 = process.cpuUsage();
  const perTick = rate / 100;
  const ticks = seconds * 100;
  const t0 = performance.now();
  const pending = new Set();
  let n = 0;
  for (let k = 0; k < ticks; k++) {
    const wait = t0 + k * 10 - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    for (let j = 0; j < perTick; j++) {
      const p = call(n++);
      pending.add(p);
      p.then(() => pending.delete(p));
    }
  }
  await Promise.all(pending);
  const elapsedS = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  sample();
  loopDelay.disable();
  const cpu = process.cpuUsage(cpu0);
  const heapUsedEnd = process.memoryUsage().heapUsed;
  const extra = await finish();
  const rss = samples.map((s) => s.rssMB);
  process.stdout.write(
    `${JSON.stringify({
      variant,
      seconds,
      calls: n,
      completed,
      errors,
      achievedCallsPerSecond: Math.round(completed / elapsedS),
      cpuPercent: Math.round(((cpu.user + cpu.system) / 1000 / (elapsedS * 1000)) * 100),
      eventLoopDelayP99Ms: +(loopDelay.percentile(99) / 1e6).toFixed(1),
      rssStartMB: MB(rssStart),
      rssPeakMB: Math.max(MB(rssStart), ...rss),
      rssEndMB: rss[rss.length - 1],
      heapUsedEndMB: MB(heapUsedEnd),
      ...extra,
      samples,
    })}\n`,
  );
}

