// Benchmark runner: each variant in its own process, order alternated, median of several runs.
// `npm run bench` (quick) or `npm run bench -- --full`. Results: bench/results/*.json, bench/README.md.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';

const full = process.argv.includes('--full');
const runs = full ? 9 : 5;
const here = fileURLToPath(new URL('.', import.meta.url));
const scenarios = [
  { mode: 'chat', calls: full ? 20000 : 5000 },
  { mode: 'stream', calls: full ? 2000 : 500, chunks: 200 },
];

function runOne(variant, s) {
  const args = [`${here}instrumentation-overhead.mjs`, '--variant', variant, '--mode', s.mode, '--calls', String(s.calls)];
  if (s.chunks) args.push('--chunks', String(s.chunks));
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').pop());
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const s of scenarios) {
  const samples = { base: [], 'genai-usage': [] };
  for (let i = 0; i < runs; i++) {
    const order = i % 2 === 0 ? ['base', 'genai-usage'] : ['genai-usage', 'base'];
    for (const v of order) samples[v].push(runOne(v, s).cpuUsPerCall);
  }
  const base = median(samples.base);
  const ours = median(samples['genai-usage']);
  const added = ours - base;
  const row = {
    scenario: s.mode === 'stream' ? `streamed chat, ${s.chunks} chunks` : 'chat (non-streaming)',
    calls: s.calls,
    runs,
    baseCpuUsPerCall: base,
    instrumentedCpuUsPerCall: ours,
    addedCpuUsPerCall: added,
    addedCpuUsPerChunk: s.chunks ? added / s.chunks : undefined,
    ratio: ours / base,
    spreadUs: { base: [Math.min(...samples.base), Math.max(...samples.base)], instrumented: [Math.min(...samples['genai-usage']), Math.max(...samples['genai-usage'])] },
  };
  results.push(row);
  console.log(JSON.stringify(row));
}

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`;
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(`${here}results/instrumentation.json`, `${JSON.stringify({ machine, date: new Date().toISOString(), full, results }, null, 2)}\n`);
const f = (n) => (n === undefined ? '' : n.toFixed(2));
const table = [
  '| scenario | uninstrumented µs/call | genai-usage µs/call | added µs/call | added µs/chunk | ratio |',
  '|---|---:|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.scenario} | ${f(r.baseCpuUsPerCall)} | ${f(r.instrumentedCpuUsPerCall)} | ${f(r.addedCpuUsPerCall)} | ${f(r.addedCpuUsPerChunk)} | ${r.ratio.toFixed(3)} |`),
].join('\n');
writeFileSync(
  `${here}README.md`,
  `# Benchmarks

Reproduce: \`npm run build && npm run bench\` (quick, ~1 min) or \`npm run bench -- --full\`.
Not part of \`npm test\`; nothing here is asserted.

## Instrumentation overhead (openai client, stub \`fetch\`, no network)

CPU time (user + system, \`process.cpuUsage\`) per call: the real \`openai\` client against a
stub \`fetch\` returning a recorded response, uninstrumented vs \`startUsageTracking\` (spans,
pricing, attribution, all metrics aggregated by a real MeterProvider; no store, no export).
Each variant runs in its own process, order alternated, median of ${runs} runs.
Machine: ${machine} (shared, noisy: read the ratios, not the absolutes).

${table}

Raw numbers with the spread: \`bench/results/instrumentation.json\`.
`,
);
