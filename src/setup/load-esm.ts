import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const requireHere = createRequire(import.meta.url);

/**
 * A dependency's ESM build, loaded synchronously (`require(esm)`, Node >= 22.12) when first
 * needed: the very module instances a later `import` of the package gets (one copy, shared
 * classes), without paying for them at process start.
 */
export function loadEsm<T>(specifier: string): T {
  return requireHere(fileURLToPath(import.meta.resolve(specifier))) as T;
}
