// Instrumentation overhead, side by side, resolved finely enough to compare variants whose
// added costs differ by a few µs on a noisy machine:
// - one process per variant (the peers patch the same SDK), started together: a process set;
// - every variant measures a block of calls in turn, order rotated each round, so a load
//   change hits all variants alike; the block of variant X and base in the same round pair up;
// - several process sets, so one process's own bias (JIT, memory layout) is visible too;
// - added cost = median over the paired (variant - base) block differences, with a 95%
//   two-level bootstrap interval (processes, then blocks); genai-usage - contrib likewise.
// Writes bench/results/instrumentation.json (with --only: instrumentation-<names>.json).
//   node bench/run-instrumentation.mjs [--full] [--sets=N] [--rounds=N] [--only=openai-chat,mistral]
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hierarchicalInterval, median } from './stats.mjs';

const arg = (name, fallback) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? fallback;
const full = process.argv.includes('--full');
const sets = Number(arg('sets', full ? 5 : 3));
const rounds = Number(arg('rounds', full ? 12 : 7));
// `--only=a,b` or `--only a,b`: scenarios by sdk (`mistral`) or sdk-mode (`openai-chat`).
const onlyAt = process.argv.indexOf('--only');
const only = (arg('only', undefined) ?? (onlyAt > 0 ? process.argv[onlyAt + 1] : undefined))?.split(',');
const here = fileURLToPath(new URL('.', import.meta.url));
const PEERS = ['base', 'genai-usage', 'genai-usage-spans', 'contrib', 'openllmetry'];
/** (a - b) pairs reported: ours against each peer, like for like against contrib, what a usage context adds, our instrumentation alone against contrib, and what the usage half adds. */
const COMPARISONS = [
  ['genai-usage', 'contrib'],
  ['genai-usage-spans-metrics', 'contrib'],
  ['genai-usage-context', 'genai-usage'],
  ['genai-usage', 'openllmetry'],
  ['genai-usage-spans', 'contrib'],
  ['genai-usage', 'genai-usage-spans'],
];
// Blocks long enough (~0.2-0.5 s of CPU) to measure the steady state rather than timer noise.
const scenarios = [
  // Measured on the chat call alone: like for like with contrib, and the calls in a usage context.
  { sdk: 'openai', mode: 'chat', blockCalls: full ? 4000 : 2000, warmUp: 4000, variants: [...PEERS, 'genai-usage-spans-metrics', 'genai-usage-context'] },
  { sdk: 'openai', mode: 'stream', chunks: 200, blockCalls: full ? 200 : 100, warmUp: 300, variants: PEERS },
  // OpenLLMetry's Anthropic instrumentation 0.27 throws while patching @anthropic-ai/sdk 1.x
  // (it wraps the removed `Completions` resource), and contrib has none: only ours there.
  { sdk: 'anthropic', mode: 'chat', blockCalls: full ? 4000 : 2000, warmUp: 4000, variants: ['base', 'genai-usage'] },
  { sdk: 'anthropic', mode: 'stream', chunks: 200, blockCalls: full ? 200 : 100, warmUp: 300, variants: ['base', 'genai-usage'] },
  // No peer instruments @google/genai 3 or Mistral 2: ours against the uninstrumented SDK.
  { sdk: 'google-genai', mode: 'chat', blockCalls: full ? 2000 : 1000, warmUp: 2000, variants: ['base', 'genai-usage'] },
  { sdk: 'google-genai', mode: 'stream', chunks: 200, blockCalls: full ? 200 : 100, warmUp: 300, variants: ['base', 'genai-usage'] },
  { sdk: 'mistral', mode: 'chat', blockCalls: full ? 2000 : 1000, warmUp: 2000, variants: ['base', 'genai-usage'] },
  { sdk: 'mistral', mode: 'stream', chunks: 200, blockCalls: full ? 200 : 100, warmUp: 300, variants: ['base', 'genai-usage'] },
  // The current @aws-sdk/client-bedrock-runtime (a dev dependency) with a stubbed request handler.
  { sdk: 'bedrock', mode: 'chat', blockCalls: full ? 1000 : 500, warmUp: 1000, variants: ['base', 'genai-usage'] },
  { sdk: 'bedrock', mode: 'stream', chunks: 200, blockCalls: full ? 100 : 50, warmUp: 150, variants: ['base', 'genai-usage'] },
].filter((s) => !only || only.includes(s.sdk) || only.includes(`${s.sdk}-${s.mode}`));

/** A variant's serving process: `measure(n)` runs a block of n calls and resolves to µs/call. */
async function startVariant(s, variant) {
  const args = [`${here}instrumentation-overhead.mjs`, '--serve', '--sdk', s.sdk, '--variant', variant, '--mode', s.mode, '--calls', String(s.warmUp), '--ambient'];
  if (s.chunks) args.push('--chunks', String(s.chunks));
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${variant} (${s.sdk} ${s.mode}) exited`);
    return value;
  };
  if ((await next()) !== 'READY') throw new Error(`${variant} did not start`);
  return {
    async measure(n) {
      child.stdin.write(`run ${n}\n`);
      return JSON.parse(await next());
    },
    async stop() {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.stdin.end('exit\n');
      await exited;
    },
  };
}

const results = [];
for (const s of scenarios) {
  /** samples[variant][set][round] = µs per call */
  const samples = Object.fromEntries(s.variants.map((v) => [v, []]));
  for (let set = 0; set < sets; set++) {
    const procs = {};
    for (const v of s.variants) procs[v] = await startVariant(s, v); // one at a time: warm-ups do not compete
    for (const v of s.variants) samples[v].push([]);
    for (let round = 0; round < rounds; round++) {
      const order = s.variants.map((_, k) => s.variants[(k + round + set) % s.variants.length]);
      for (const v of order) samples[v][set].push((await procs[v].measure(s.blockCalls)).cpuUsPerCall);
    }
    for (const v of s.variants) await procs[v].stop();
    process.stdout.write(`${s.sdk} ${s.mode}: process set ${set + 1}/${sets} done\n`);
  }
  const paired = (a, b) => samples[a].map((rows, set) => rows.map((x, round) => x - samples[b][set][round]));
  const perChunk = (d) => (s.chunks ? { median: d.median / s.chunks, lo: d.lo / s.chunks, hi: d.hi / s.chunks } : undefined);
  const row = { sdk: s.sdk, mode: s.mode, chunks: s.chunks ?? 0, calls: s.blockCalls, sets, rounds, variants: {}, comparisons: {}, samples };
  for (const v of s.variants) {
    const all = samples[v].flat();
    const added = v === 'base' ? undefined : hierarchicalInterval(paired(v, 'base'));
    row.variants[v] = {
      cpuUsPerCall: median(all),
      min: Math.min(...all),
      max: Math.max(...all),
      addedUsPerCall: added?.median ?? 0,
      addedCi: added ? [added.lo, added.hi] : undefined,
      addedUsPerChunk: added && s.chunks ? perChunk(added).median : undefined,
      addedPerChunkCi: added && s.chunks ? [perChunk(added).lo, perChunk(added).hi] : undefined,
    };
  }
  for (const [a, b] of COMPARISONS.filter((pair) => pair.every((v) => s.variants.includes(v)))) {
    const d = hierarchicalInterval(paired(a, b));
    row.comparisons[`${a} - ${b}`] = { usPerCall: d.median, ci: [d.lo, d.hi], usPerChunk: s.chunks ? d.median / s.chunks : undefined };
  }
  results.push(row);
  const fmt = (x) => x.toFixed(1);
  console.log(`\n${s.sdk} ${s.mode}: ${sets} process sets × ${rounds} rounds × ${s.blockCalls} calls; CPU µs per call, median [95% CI]`);
  for (const [v, r] of Object.entries(row.variants)) console.log(`  ${v.padEnd(12)} ${fmt(r.cpuUsPerCall)}${r.addedCi ? `   added ${fmt(r.addedUsPerCall)} [${fmt(r.addedCi[0])}, ${fmt(r.addedCi[1])}]` : ''}`);
  for (const [name, c] of Object.entries(row.comparisons)) console.log(`  ${name}: ${fmt(c.usPerCall)} [${fmt(c.ci[0])}, ${fmt(c.ci[1])}] µs per call`);
}
mkdirSync(`${here}results`, { recursive: true });
// A partial run (--only) keeps the full results: it writes its own file.
writeFileSync(
  `${here}results/${only ? `instrumentation-${only.join('-')}` : 'instrumentation'}.json`,
  `${JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, date: new Date().toISOString(), full, method: 'interleaved blocks', results }, null, 2)}\n`,
);
