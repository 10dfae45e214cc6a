// The benchmark runner: every scenario in its own process, one after the other (they would
// skew each other's numbers on a 2-core machine), then bench/README.md rendered from
// bench/results/*.json. Nothing is asserted: the numbers are published, not gated.
//   npm run build && npm run bench                  quick sizes (a few minutes)
//   npm run bench -- --full                         full sizes (the issue's: 1M writes, 1M and 10M queries, 60 s memory)
//   npm run bench -- --only store-query [--full]    one scenario (README is re-rendered from all results on disk)
//   npm run bench -- --list                         scenarios and their commands
// PostgreSQL parts run when GENAI_USAGE_BENCH_POSTGRES_URL (or GENAI_USAGE_TEST_POSTGRES_URL)
// points at a reachable server; otherwise they are skipped with the reason printed.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const root = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const full = argv.includes('--full');
const onlyArg = argv.find((a) => a.startsWith('--only='))?.split('=')[1] ?? (argv.includes('--only') ? argv[argv.indexOf('--only') + 1] : undefined);

/** Each scenario: its file and its arguments for the quick and the full run. */
const SCENARIOS = [
  { name: 'startup', file: 'startup.mjs', quick: ['--runs=7'], full: ['--runs=15'] },
  { name: 'instrumentation', file: 'run-instrumentation.mjs', quick: [], full: ['--full'], needsBenchDeps: true },
  { name: 'store-write', file: 'store-write.mjs', quick: ['--records=100000'], full: ['--records=1000000'], postgres: true },
  { name: 'store-query', file: 'store-query.mjs', quick: ['--records=100000'], full: ['--full', '--records=1000000'], postgres: true, duckdb: true },
  { name: 'stream-observer', file: 'stream-observer.mjs', quick: [], full: [] },
  { name: 'budgets', file: 'budget-check.mjs', quick: [], full: [] },
  { name: 'explorer', file: 'explorer-pages.mjs', quick: ['--records=100000'], full: ['--full'] },
  { name: 'collector', file: 'collector-ingest.mjs', quick: ['--rates=1000', '--seconds=5'], full: [], optional: true },
  // After store-query: it reports the export RSS store-query measured on its largest store.
  { name: 'memory', file: 'memory.mjs', quick: ['--seconds=15'], full: ['--seconds=60', '--variants=base,genai-usage,genai-usage-nostore'], needsBenchDeps: true },
];

const command = (s) => ['node', `bench/${s.file}`, ...(full ? s.full : s.quick)].join(' ');

if (argv.includes('--list') || argv.includes('--help')) {
  for (const s of SCENARIOS) console.log(`${s.name.padEnd(16)} quick: node bench/${[s.file, ...s.quick].join(' ')}\n${''.padEnd(16)} full:  node bench/${[s.file, ...s.full].join(' ')}`);
  process.exit(0);
}
if (onlyArg !== undefined && !SCENARIOS.some((s) => s.name === onlyArg)) {
  console.error(`bench: unknown scenario "${onlyArg}"; valid: ${SCENARIOS.map((s) => s.name).join(', ')}`);
  process.exit(2);
}

function ensureBuilt() {
  if (existsSync(`${root}dist/index.js`)) return true;
  console.log('bench: dist/ is missing, building (npx tsc -p tsconfig.json)');
  const r = spawnSync('npx', ['tsc', '-p', 'tsconfig.json'], { cwd: root, stdio: 'inherit' });
  return r.status === 0;
}

/** The peers and DuckDB live in bench/node_modules (bench/package.json); installed on first run. */
function ensureBenchDeps() {
  const installed = () => ['openai', '@duckdb/node-api', '@opentelemetry/instrumentation-openai', '@traceloop/instrumentation-openai'].every((p) => existsSync(`${here}node_modules/${p}/package.json`));
  if (installed()) return true;
  console.log('bench: bench/node_modules is incomplete, running `npm install --prefix bench`');
  const r = spawnSync('npm', ['install', '--prefix', here, '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (r.status === 0 && installed()) return true;
  console.log('bench: could not install the benchmark dependencies; run `npm install --prefix bench` by hand (needs the npm registry)');
  return false;
}

/** The PostgreSQL URL if a server answers there; otherwise undefined and the reason. */
async function checkPostgres() {
  const url = process.env.GENAI_USAGE_BENCH_POSTGRES_URL ?? process.env.GENAI_USAGE_TEST_POSTGRES_URL;
  if (!url) return { reason: 'no GENAI_USAGE_BENCH_POSTGRES_URL or GENAI_USAGE_TEST_POSTGRES_URL set' };
  let pg;
  try {
    pg = createRequire(`${root}package.json`)('pg');
  } catch {
    return { reason: 'the `pg` driver is not installed (npm install pg)' };
  }
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return { url };
  } catch (error) {
    return { reason: `${url.replace(/\/\/[^@/]*@/, '//…@')} is not reachable (${error.message})` };
  } finally {
    await client.end().catch(() => undefined);
  }
}

const started = performance.now();
const report = [];
if (!ensureBuilt()) {
  console.error('bench: the build failed; fix it and run `npm run build` first');
  process.exit(1);
}
const selected = SCENARIOS.filter((s) => !onlyArg || s.name === onlyArg);
const benchDeps = selected.some((s) => s.needsBenchDeps || s.duckdb) ? ensureBenchDeps() : true;
const postgres = selected.some((s) => s.postgres) ? await checkPostgres() : {};
if (selected.some((s) => s.postgres) && !postgres.url) console.log(`bench: PostgreSQL parts skipped: ${postgres.reason}`);

for (const s of selected) {
  const entry = { name: s.name, command: command(s) };
  report.push(entry);
  if (!existsSync(`${here}${s.file}`)) {
    entry.status = 'skipped';
    entry.reason = `bench/${s.file} does not exist yet`;
  } else if (s.needsBenchDeps && !benchDeps) {
    entry.status = 'skipped';
    entry.reason = 'bench/node_modules missing (npm install --prefix bench)';
  }
  if (entry.status) {
    console.log(`\n=== ${s.name}: skipped (${entry.reason})`);
    continue;
  }
  const args = [...(full ? s.full : s.quick)];
  if (s.duckdb && !benchDeps) args.push('--no-duckdb');
  const env = { ...process.env };
  // Children read either variable: clear both when the server is unusable so they skip cleanly.
  delete env.GENAI_USAGE_BENCH_POSTGRES_URL;
  delete env.GENAI_USAGE_TEST_POSTGRES_URL;
  if (postgres.url) env.GENAI_USAGE_BENCH_POSTGRES_URL = postgres.url;
  console.log(`\n=== ${s.name}: ${['node', `bench/${s.file}`, ...args].join(' ')}`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [`${here}${s.file}`, ...args], { cwd: root, env, stdio: 'inherit' });
  entry.seconds = Math.round((performance.now() - t0) / 100) / 10;
  entry.status = r.status === 0 ? 'ok' : 'failed';
  if (r.status !== 0) entry.reason = r.signal ? `killed by ${r.signal}` : `exit code ${r.status}`;
  if (s.postgres && !postgres.url) entry.note = `PostgreSQL skipped: ${postgres.reason}`;
  console.log(`=== ${s.name}: ${entry.status} in ${entry.seconds} s${entry.reason ? ` (${entry.reason})` : ''}`);
}

const totalSeconds = Math.round((performance.now() - started) / 1000);
writeRunLog();
console.log(`\nbench: ${report.map((e) => `${e.name} ${e.status}${e.seconds ? ` ${e.seconds}s` : ''}`).join(', ')}; total ${totalSeconds} s`);
const render = spawnSync(process.execPath, [`${here}render-readme.mjs`], { cwd: root, stdio: 'inherit' });
process.exit(report.some((e) => e.status === 'failed') || render.status !== 0 ? 1 : 0);

/** results/run.json: what ran, how long, what was skipped and why. `--only` updates its one entry. */
function writeRunLog() {
  const file = `${here}results/run.json`;
  let log = { scenarios: [] };
  if (onlyArg) {
    try {
      log = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // No earlier full run: this one entry is the log.
    }
    const entry = { ...report[0], date: new Date().toISOString(), full };
    const at = log.scenarios.findIndex((e) => e.name === onlyArg);
    if (at >= 0) log.scenarios[at] = entry;
    else log.scenarios.push(entry);
  } else {
    log = { date: new Date().toISOString(), full, totalSeconds, scenarios: report };
  }
  log.machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
  mkdirSync(`${here}results`, { recursive: true });
  writeFileSync(file, `${JSON.stringify(log, null, 2)}\n`);
}
