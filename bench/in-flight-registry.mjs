// The per-call cost of the in-flight call registry (what shutdown and forceFlush wait on),
// isolated: register and unregister one call object per iteration, against the same loop
// that only allocates the object, with 0 and 1,000 other calls in flight. Median of runs.
//   npm run build && node bench/in-flight-registry.mjs
import { cpus } from 'node:os';
import { callEnded, callStarted } from '../dist/instrumentations/in-flight-calls.js';

const N = 2_000_000;
const RUNS = 7;
const makeCall = () => ({ pendingEnd: undefined, interrupt() {}, endNow() {} });

function nsPerCall(registered) {
  const samples = [];
  for (let r = 0; r < RUNS + 1; r++) {
    const t = process.cpuUsage();
    let keep;
    for (let i = 0; i < N; i++) {
      const call = makeCall();
      if (registered) {
        callEnded(callStarted(call));
      }
      keep = call;
    }
    const c = process.cpuUsage(t);
    if (keep === undefined) throw new Error('unreachable');
    if (r > 0) samples.push(((c.user + c.system) * 1000) / N); // run 0 warms up
  }
  samples.sort((a, b) => a - b);
  return { median: samples[Math.floor(samples.length / 2)], min: samples[0], max: samples.at(-1) };
}

const result = { machine: `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}`, callsPerRun: N, runs: RUNS };
for (const inFlight of [0, 1000]) {
  const others = Array.from({ length: inFlight }, () => callStarted(makeCall()));
  const base = nsPerCall(false);
  const registry = nsPerCall(true);
  result[`inFlight${inFlight}`] = { baseNs: base, registryNs: registry, addedNsPerCall: registry.median - base.median };
  for (const o of others) callEnded(o);
}
console.log(JSON.stringify(result, null, 2));
