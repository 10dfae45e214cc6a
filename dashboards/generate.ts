/**
 * Writes or checks the generated dashboards and recording rules. Run through vitest:
 *   GENERATE=1 npx vitest run test/dashboards/generator.test.ts   (writes the files)
 *   npx vitest run test/dashboards/generator.test.ts              (fails if they differ)
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { generateAll } from './src/index.js';

export function writeGeneratedFiles(root: string): string[] {
  const written: string[] = [];
  for (const [path, content] of generateAll()) {
    const file = join(root, path);
    mkdirSync(dirname(file), { recursive: true });
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) {
      writeFileSync(file, content);
      written.push(path);
    }
  }
  return written;
}

/** The generated files whose committed copy is missing or differs. */
export function staleGeneratedFiles(root: string): string[] {
  const stale: string[] = [];
  for (const [path, content] of generateAll()) {
    const file = join(root, path);
    if (!existsSync(file) || readFileSync(file, 'utf8') !== content) stale.push(path);
  }
  return stale;
}
