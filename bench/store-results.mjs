// Merges one benchmark section into bench/results/store.json (write and query run separately).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform } from 'node:os';

const FILE = new URL('./results/store.json', import.meta.url);

export function saveResults(section, data) {
  let all = {};
  try {
    all = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {
    // First run.
  }
  all.machine = { node: process.version, platform: `${platform()}-${arch()}`, cpus: cpus().length, cpu: cpus()[0]?.model };
  all[section] = { ...data, at: new Date().toISOString() };
  mkdirSync(new URL('./results/', import.meta.url), { recursive: true });
  writeFileSync(FILE, `${JSON.stringify(all, null, 2)}\n`);
  console.log(`results: bench/results/store.json (${section})`);
}

/** A section saved by an earlier run, if any. */
export function loadResults(section) {
  try {
    return JSON.parse(readFileSync(FILE, 'utf8'))[section];
  } catch {
    return undefined;
  }
}
