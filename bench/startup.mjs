// Startup cost: process starts of an app that only imports `openai` (the real one, from the
// project's node_modules) and builds a client, uninstrumented and with tracking, interleaved:
// every run starts each variant once, in a rotated order, so load on a shared machine hits all
// of them alike. Reported: medians of wall time (spawn to exit), time to the app's last line,
// CPU time (user + system, every thread) and peak RSS, and each variant's added cost over the
// baseline of the same runs with a 95% bootstrap interval. Writes bench/results/startup.json.
//   npm run build && node bench/startup.mjs [--runs=11] [--variants=baseline,register,in-code,baseline-call,register-call]
// Variants (each with the default configuration: the SQLite store, Prometheus on a free port):
//   baseline        node app.mjs
//   register        node --import genai-usage/register app.mjs
//   in-code         startUsageTracking() in the app; tracking.shutdown() at the end
//   register-call   --import genai-usage/register, one call to a local stub (tracked, priced, stored)
//   baseline-call   the same call, uninstrumented
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatInterval, median, pairedDifference } from './stats.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const runs = Number(arg('runs', '11'));
const variantNames = arg('variants', 'baseline,register,in-code,baseline-call,register-call').split(',');
const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));

// The apps live under the project (in .tmp/), so `openai` and `genai-usage` resolve as they
// would for a user who installed both.
mkdirSync(join(root, '.tmp'), { recursive: true });
const dir = mkdtempSync(join(root, '.tmp', 'bench-startup-'));
const probe = join(here, 'startup-probe.mjs');
const APP = `import OpenAI from 'openai';
const client = new OpenAI({ apiKey: 'bench', baseURL: process.env.STUB_URL ?? 'http://127.0.0.1:9/v1', maxRetries: 0 });
globalThis.__benchReady?.();
if (process.env.BENCH_CALL) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
`;
const IN_CODE = `import OpenAI from 'openai';
import { startUsageTracking } from 'genai-usage';
const tracking = startUsageTracking({ instrumentModules: { openai: OpenAI } });
const client = new OpenAI({ apiKey: 'bench', baseURL: process.env.STUB_URL ?? 'http://127.0.0.1:9/v1', maxRetries: 0 });
globalThis.__benchReady?.();
if (process.env.BENCH_CALL) await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] });
await tracking.shutdown();
`;
writeFileSync(join(dir, 'app.mjs'), APP);
writeFileSync(join(dir, 'in-code.mjs'), IN_CODE);

const VARIANTS = {
  baseline: { args: ['app.mjs'] },
  register: { args: ['--import', 'genai-usage/register', 'app.mjs'] },
  'in-code': { args: ['in-code.mjs'] },
  'baseline-call': { args: ['app.mjs'], call: true },
  'register-call': { args: ['--import', 'genai-usage/register', 'app.mjs'], call: true },
};
for (const name of variantNames) if (!VARIANTS[name]) throw new Error(`unknown variant ${name}; valid: ${Object.keys(VARIANTS).join(', ')}`);

const stub = await startStub();
const cleanEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('GENAI_USAGE_')));

function startOne(name, run) {
  const variant = VARIANTS[name];
  const out = join(dir, `probe-${name}-${run}.json`);
  const env = { ...cleanEnv, STARTUP_PROBE_OUT: out, OTEL_EXPORTER_PROMETHEUS_PORT: '0', STUB_URL: `${stub.url}/v1`, ...(variant.call ? { BENCH_CALL: '1' } : {}) };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, ['--import', probe, ...variant.args], { cwd: dir, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      const wallMs = performance.now() - t0;
      if (code !== 0) return reject(new Error(`${name} exited ${code}: ${stderr}`));
      const p = JSON.parse(readFileSync(out, 'utf8'));
      resolve({ wallMs, readyMs: p.readyMs, cpuMs: p.cpuMs, peakRssMb: p.maxRssKb / 1024, stderr });
    });
  });
}

const samples = Object.fromEntries(variantNames.map((n) => [n, []]));
for (let run = 0; run < runs; run++) {
  const order = variantNames.map((_, k) => variantNames[(k + run) % variantNames.length]);
  for (const name of order) samples[name].push(await startOne(name, run));
  process.stdout.write(`run ${run + 1}/${runs}: ${order.map((n) => `${n} ${samples[n].at(-1).wallMs.toFixed(0)} ms`).join(', ')}\n`);
}
await stub.close();
rmSync(dir, { recursive: true, force: true });

const metrics = ['wallMs', 'readyMs', 'cpuMs', 'peakRssMb'];
const result = { machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, date: new Date().toISOString(), runs, variants: {}, added: {} };
for (const name of variantNames) {
  result.variants[name] = Object.fromEntries(metrics.map((m) => [m, median(samples[name].map((s) => s[m]))]));
  const baseName = name.endsWith('-call') ? 'baseline-call' : 'baseline';
  if (name === baseName || !samples[baseName]) continue;
  result.added[name] = { over: baseName, ...Object.fromEntries(metrics.map((m) => [m, pairedDifference(samples[name].map((s) => s[m]), samples[baseName].map((s) => s[m]))])) };
}
console.log(`\nmedians of ${runs} interleaved runs (${result.machine})`);
for (const [name, v] of Object.entries(result.variants)) console.log(`  ${name.padEnd(14)} wall ${v.wallMs.toFixed(0)} ms, ready ${v.readyMs.toFixed(0)} ms, cpu ${v.cpuMs.toFixed(0)} ms, peak RSS ${v.peakRssMb.toFixed(1)} MB`);
for (const [name, d] of Object.entries(result.added)) {
  console.log(`  ${name} - ${d.over} (median [95% CI]): wall ${formatInterval(d.wallMs, 0)} ms, ready ${formatInterval(d.readyMs, 0)} ms, cpu ${formatInterval(d.cpuMs, 0)} ms, peak RSS ${formatInterval(d.peakRssMb)} MB`);
}
const stderrs = Object.values(samples).flat().map((s) => s.stderr).filter(Boolean);
if (stderrs.length) console.log(`\nstderr of a run:\n${stderrs[0]}`);
mkdirSync(join(here, 'results'), { recursive: true });
writeFileSync(join(here, 'results', 'startup.json'), `${JSON.stringify(result, null, 2)}\n`);

/** A local OpenAI-compatible stub for the *-call variants: one chat completion with usage. */
async function startStub() {
  const { createServer } = await import('node:http');
  const body = JSON.stringify(JSON.parse(readFileSync(join(root, 'test/fixtures/openai/chat-completion.json'), 'utf8')).body);
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(body));
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${server.address().port}`, close: () => new Promise((r) => server.close(r)) };
}
