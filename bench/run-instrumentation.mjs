// Instrumentation overhead, side by side: each variant in its own process, the order rotated
// every run, median of several runs, and the added cost as a paired difference against the
// uninstrumented variant of the same runs with a 95% bootstrap interval (bench/stats.mjs).
// `--only google-genai,mistral` runs those SDKs' scenarios alone. Writes bench/results/instrumentation.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { pairedDifference } from './stats.mjs';

const full = process.argv.includes('--full');
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt > 0 ? process.argv[onlyAt + 1]?.split(',') : undefined;
// Short runs measure JIT warm-up more than the steady state: keep each run a few seconds long.
const runs = full ? 7 : 3;
const here = fileURLToPath(new URL('.', import.meta.url));
const scenarios = [
  { sdk: 'openai', mode: 'chat', calls: full ? 50000 : 20000, variants: ['base', 'genai-usage', 'contrib', 'openllmetry'] },
  { sdk: 'openai', mode: 'stream', chunks: 200, calls: full ? 3000 : 1000, variants: ['base', 'genai-usage', 'contrib', 'openllmetry'] },
  // OpenLLMetry's Anthropic instrumentation 0.27 throws while patching @anthropic-ai/sdk 1.x
  // (it wraps the removed `Completions` resource), so only ours is measured there.
  { sdk: 'anthropic', mode: 'chat', calls: full ? 50000 : 20000, variants: ['base', 'genai-usage'] },
  { sdk: 'anthropic', mode: 'stream', chunks: 200, calls: full ? 3000 : 1000, variants: ['base', 'genai-usage'] },
  // No peer instruments @google/genai 3 or Mistral 2: ours against the uninstrumented SDK.
  { sdk: 'google-genai', mode: 'chat', calls: full ? 30000 : 10000, variants: ['base', 'genai-usage'] },
  { sdk: 'google-genai', mode: 'stream', chunks: 200, calls: full ? 3000 : 1000, variants: ['base', 'genai-usage'] },
  { sdk: 'mistral', mode: 'chat', calls: full ? 30000 : 10000, variants: ['base', 'genai-usage'] },
  { sdk: 'mistral', mode: 'stream', chunks: 200, calls: full ? 3000 : 1000, variants: ['base', 'genai-usage'] },
  // The current @aws-sdk/client-bedrock-runtime (a dev dependency) with a stubbed request handler.
  { sdk: 'bedrock', mode: 'chat', calls: full ? 20000 : 5000, variants: ['base', 'genai-usage'] },
  { sdk: 'bedrock', mode: 'stream', chunks: 200, calls: full ? 2000 : 500, variants: ['base', 'genai-usage'] },
].filter((s) => !only || only.includes(s.sdk));

function runOne(s, variant) {
  const args = [`${here}instrumentation-overhead.mjs`, '--sdk', s.sdk, '--variant', variant, '--mode', s.mode, '--calls', String(s.calls), '--ambient'];
  if (s.chunks) args.push('--chunks', String(s.chunks));
  return JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' }).trim().split('\n').pop()).cpuUsPerCall;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = [];
for (const s of scenarios) {
  const samples = Object.fromEntries(s.variants.map((v) => [v, []]));
  for (let i = 0; i < runs; i++) {
    const order = s.variants.map((_, k) => s.variants[(k + i) % s.variants.length]);
    for (const v of order) samples[v].push(runOne(s, v));
  }
  const base = median(samples.base);
  const row = { sdk: s.sdk, mode: s.mode, chunks: s.chunks ?? 0, calls: s.calls, runs, variants: {} };
  for (const v of s.variants) {
    const m = median(samples[v]);
    const added = v === 'base' ? undefined : pairedDifference(samples[v], samples.base);
    row.variants[v] = {
      cpuUsPerCall: m,
      addedUsPerCall: m - base,
      addedUsPerChunk: s.chunks ? (m - base) / s.chunks : undefined,
      // The paired difference of the same runs, with its 95% interval (per chunk: divided by the chunk count).
      addedPaired: added && { median: added.median, lo: added.lo, hi: added.hi, perChunk: s.chunks ? { median: added.median / s.chunks, lo: added.lo / s.chunks, hi: added.hi / s.chunks } : undefined },
      min: Math.min(...samples[v]),
      max: Math.max(...samples[v]),
    };
  }
  results.push(row);
  console.log(JSON.stringify(row));
}
mkdirSync(`${here}results`, { recursive: true });
writeFileSync(
  `${here}results/${only ? `instrumentation-${only.join('-')}` : 'instrumentation'}.json`,
  `${JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, date: new Date().toISOString(), full, results }, null, 2)}\n`,
);
