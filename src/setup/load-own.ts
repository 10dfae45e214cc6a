import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const requireHere = createRequire(import.meta.url);
/**
 * Run from the TypeScript sources (the tests, through Vite's module runner): `require` cannot
 * enter that module graph, so there each lazy module is imported when it is declared.
 */
const fromSource = import.meta.url.endsWith('.ts');
const pending: Array<Promise<unknown>> = [];

/**
 * One of our own modules, loaded synchronously (`require(esm)`, Node >= 22.12) the first time
 * the returned function is called, then cached: a start pays only for the parts it uses, and a
 * call in the first millisecond still finds everything it needs. `url` is
 * `new URL('./x.js', import.meta.url)` and `sourceImport` is `() => import('./x.js')`, the same
 * module (run from source, it is imported right away; see {@link ownModulesLoaded}).
 */
export function lazyOwnModule<T>(url: URL, sourceImport: () => Promise<T>): () => T {
  let loaded: T | undefined;
  if (fromSource) {
    pending.push(
      sourceImport().then((mod) => {
        loaded = mod;
      }),
    );
  }
  return () => {
    if (loaded === undefined) {
      if (fromSource) throw new Error(`genai-usage: ${url.pathname} is not imported yet (run from source: await ownModulesLoaded() first)`);
      loaded = requireHere(fileURLToPath(url)) as T;
    }
    return loaded;
  };
}

/** Run from source: resolves once every lazy module declared so far is imported (the test setup awaits it). */
export async function ownModulesLoaded(): Promise<void> {
  while (pending.length > 0) await Promise.all(pending.splice(0));
}

type AnyClass = abstract new (...args: any[]) => object;

/**
 * A constructor that is the class `load()` returns in every way code can observe it (`new`,
 * `extends`, `instanceof`, statics): how the public entry exports a class whose module is
 * heavy without loading it.
 */
export function lazyClass<C extends AnyClass>(load: () => C): C {
  // A plain function as the target: a Proxy can only be constructed if its target can.
  const proxy: C = new Proxy(function () {} as unknown as C, {
    construct: (_target, args, newTarget) => Reflect.construct(load() as unknown as new (...a: unknown[]) => object, args, newTarget === proxy ? load() : newTarget),
    get: (_target, key) => Reflect.get(load(), key),
    has: (_target, key) => Reflect.has(load(), key),
    set: (_target, key, value) => Reflect.set(load(), key, value),
    getPrototypeOf: () => Reflect.getPrototypeOf(load()),
    apply: () => {
      throw new TypeError(`Class constructor ${load().name} cannot be invoked without 'new'`);
    },
  });
  return proxy;
}
