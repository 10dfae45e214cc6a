// The per-chunk cost of observing a stream, isolated from the SDK and the network: iterate a
// synthetic async generator of chat chunks raw, and through genai-usage's observer, with and
// without an active AsyncLocalStorage context (any OpenTelemetry app has one). Median of runs.
//   node bench/stream-observer.mjs
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { observeIterator } from '../dist/instrumentations/observe-stream.js';

const N = 1_000_000;
const RUNS = 5;
async function* chunks(n) {
  for (let i = 0; i < n; i++) yield { id: 'c', model: 'm', choices: [{ index: 0, delta: { content: ' tok' }, finish_reason: null }] };
}
// What the chat-completions mapping does per chunk, roughly: read the delta, keep the text.
const text = [];
const observer = { chunk: (c) => void (c.choices[0]?.delta?.content && text.push(c.choices[0].delta.content)), end() {}, error() {} };

async function nsPerChunk(observed) {
  const samples = [];
  for (let r = 0; r < RUNS + 1; r++) {
    text.length = 0;
    const source = chunks(N);
    const iterable = { [Symbol.asyncIterator]: () => (observed ? observeIterator(source, observer) : source) };
    const t = process.cpuUsage();
    for await (const _ of iterable);
    const c = process.cpuUsage(t);
    if (r > 0) samples.push(((c.user + c.system) * 1000) / N); // run 0 warms up
  }
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)];
}

const als = new AsyncLocalStorage();
const result = { chunksPerRun: N, runs: RUNS };
result.bare = { rawNs: await nsPerChunk(false), observedNs: await nsPerChunk(true) };
await als.run({ request: 1 }, async () => {
  result.activeContext = { rawNs: await nsPerChunk(false), observedNs: await nsPerChunk(true) };
});
for (const k of ['bare', 'activeContext']) result[k].addedNs = result[k].observedNs - result[k].rawNs;
console.log(JSON.stringify(result));
mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
writeFileSync(
  new URL('./results/stream-observer.json', import.meta.url),
  `${JSON.stringify({ machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, date: new Date().toISOString(), ...result }, null, 2)}\n`,
);
