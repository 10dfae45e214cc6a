import { diag } from '@opentelemetry/api';
import type { InstrumentationBase } from '@opentelemetry/instrumentation';
import { ESM_LOADED_KEY } from './esm-hook-source.js';
import { packageDir, packageNameOf, relativeFileName } from './package-dir.js';

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
 * Hands an evaluated SDK module to an instrumentation the way import-in-the-middle's hook
 * would: a package's main entry to the definition of that package, a subpath entry
 * (`@anthropic-ai/sdk/resources/index`) to the definition's matching `files` as
 * `<package>/<path in the package>`; the version read from the package and its supported range
 * checked, and the exports remembered so `disable()` unpatches them.
 */
export function patchLoadedModule(instrumentation: InstrumentationBase, specifier: string, namespace: unknown, url: string): void {
  const packageName = packageNameOf(specifier);
  const baseDir = packageDir(url, packageName);
  const fileName = baseDir ? relativeFileName(baseDir, url, packageName) : specifier;
  const onRequire = (instrumentation as unknown as { _onRequire?: (def: unknown, exports: unknown, name: string, baseDir?: string) => unknown })._onRequire;
  for (const definition of instrumentation.getModuleDefinitions()) {
    if (definition.name !== packageName && definition.name !== specifier) continue;
    const name = definition.name === specifier ? specifier : fileName;
    if (typeof onRequire === 'function') {
      onRequire.call(instrumentation, definition, namespace, name, baseDir);
    } else if (name === definition.name) {
      definition.patch?.(namespace);
    } else {
      for (const file of definition.files) if (file.name === name) file.patch(namespace);
    }
  }
}
