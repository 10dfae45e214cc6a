// Loaded first (`--import`) into every process bench/startup.mjs starts, whatever the variant:
// records when the app reached its last line and, at exit, the process's CPU time (all threads)
// and peak RSS, into the file STARTUP_PROBE_OUT names.
import { writeFileSync } from 'node:fs';

let readyMs;
globalThis.__benchReady = () => {
  readyMs = performance.now();
};
process.on('exit', () => {
  const cpu = process.cpuUsage();
  const out = process.env.STARTUP_PROBE_OUT;
  if (out) writeFileSync(out, JSON.stringify({ readyMs, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKb: process.resourceUsage().maxRSS }));
});
