import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/** The bundled `@pydantic/genai-prices` release (its package.json is not exported, so it is read from beside the entry). */
function bundledTableVersion(): string {
  try {
    const entry = createRequire(import.meta.url).resolve('@pydantic/genai-prices');
    const pkg = JSON.parse(readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? `genai-prices@${pkg.version}` : 'genai-prices';
  } catch {
    return 'genai-prices';
  }
}

let tableVersion: string | undefined;
let generation = 0;

/** Which data the table prices from: `genai-prices@0.1.8`, or the refreshed file's `genai-prices-data@sha256:…`. */
export function currentTableVersion(): string {
  tableVersion ??= bundledTableVersion();
  return tableVersion;
}

/** Bumped whenever the table's data is replaced, so cached resolutions are dropped. */
export function tableGeneration(): number {
  return generation;
}

/** Called by the price data loader after it replaced the table's data. */
export function setTableVersion(version: string): void {
  tableVersion = version;
  generation++;
}
