import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diag } from '@opentelemetry/api';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { ESM_LOADED_KEY } from './esm-hook-source.js';

type Queued = [name: string, namespace: unknown, url: string];
type Handler = (name: string, namespace: unknown, url: string) => void;

/**
 * Receives the SDK modules the ESM loader hook saw evaluated (queued ones first), until the
 * returned function is called. One receiver at a time: the running tracking.
 */
export function onEsmSdkLoaded(handler: Handler): () => void {
  const key = Symbol.for(ESM_LOADED_KEY);
  const slot = globalThis as Record<symbol, Queued[] | Handler | undefined>;
  const queued = Array.isArray(slot[key]) ? slot[key] : [];
  const receive: Handler = (name, namespace, url) => {
    try {
      handler(name, namespace, url);
    } catch (err) {
      diag.error(`genai-usage: patching ${name} failed`, err);
    }
  };
  slot[key] = receive;
  for (const [name, namespace, url] of queued) receive(name, namespace, url);
  return () => {
    if (slot[key] === receive) slot[key] = [];
  };
}

/**
 * Hands an evaluated SDK module to an instrumentation the way its require hook would: the
 * version read from the package, its supported range checked, and the exports remembered so
 * `disable()` unpatches them.
 */
export function patchLoadedModule(instrumentation: InstrumentationBase, name: string, namespace: unknown, url: string): void {
  // A subpath (`@anthropic-ai/sdk/resources/index`) is one of the package's files, as its require hook names them.
  const pkg = packageName(name);
  const baseDir = packageDir(url, pkg);
  const requireName = name === pkg || baseDir === undefined ? name : join(pkg, relative(baseDir, fileURLToPath(url)));
  const onRequire = (instrumentation as unknown as { _onRequire?: (def: unknown, exports: unknown, name: string, baseDir?: string) => unknown })._onRequire;
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name !== pkg) continue;
    if (typeof onRequire === 'function') onRequire.call(instrumentation, definition, namespace, requireName, baseDir);
    else if (name === pkg) definition.patch?.(namespace);
  }
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

/** The folder of the package `name` that holds the file at `url`. */
function packageDir(url: string, name: string): string | undefined {
  let dir = dirname(fileURLToPath(url));
  for (let depth = 0; depth < 12; depth++) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === name) return dir;
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
