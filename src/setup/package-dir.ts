import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `@scope/pkg/sub/path` → `@scope/pkg`; `pkg/sub` → `pkg`. */
export function packageNameOf(specifier: string): string {
  return specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/');
}

/** The folder of the package `packageName` that holds the file at `url`. */
export function packageDir(url: string, packageName: string): string | undefined {
  let dir = dirname(fileURLToPath(url));
  for (let depth = 0; depth < 12; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === packageName) return dir;
      } catch {
        // an unreadable manifest: keep walking up
      }
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

/** The file at `url` as `<packageName>/<path in the package>` (how instrumentation definitions name files). */
export function relativeFileName(baseDir: string, url: string, packageName: string): string {
  return `${packageName}/${relative(baseDir, fileURLToPath(url)).split(sep).join('/')}`;
}
