// A namespace import: `registerHooks` does not exist before Node 22.15, and a named import of it
// would fail to link before the version check could say so.
import * as nodeModule from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterLoad, afterResolve, createHookState, notifyCall, wrapperSource, type LoadResult, type ResolveResult } from './esm-hook-source.js';

/** How the ESM loader hook runs: in the app's thread (`module.registerHooks`) or on a loader thread (`module.register`). */
export type LoaderHookMode = 'sync' | 'thread';

/**
 * Registers the ESM loader hook of `genai-usage/register` for `modules` only (see
 * `esm-hook-source.ts`): every other module loads as if no hook were there. Where Node runs
 * synchronous hooks correctly (22.22.3+, 24.11.1+, 25.1+) it runs in the app's thread: no
 * loader thread to start, no message per resolved module, and it hands over `require()`d
 * SDKs too (see {@link registerRequireHook}). Returns the mode used.
 */
export function registerLoaderHook(modules: readonly string[]): LoaderHookMode {
  if (inThreadHooks()) {
    registerSyncHooks(modules, true);
    markLoaderHookRegistered('sync');
    return 'sync';
  }
  nodeModule.register(new URL('./esm-hook-thread.js', import.meta.url), { data: { names: [...modules] } });
  markLoaderHookRegistered('thread');
  return 'thread';
}

/**
 * True where in-thread hooks work (see {@link syncHooksWork}) and are not turned off
 * (`GENAI_USAGE_LOADER_HOOK=thread`): then they hand `require()`d SDKs to the tracking, and
 * `@opentelemetry/instrumentation`'s require-in-the-middle is not needed.
 */
export function inThreadHooks(): boolean {
  return process.env.GENAI_USAGE_LOADER_HOOK !== 'thread' && syncHooksWork(process.versions.node) && typeof nodeModule.registerHooks === 'function';
}

/**
 * For an in-code start (no `--import genai-usage/register`): an in-thread hook that hands
 * over the SDKs the app `require()`s from now on (ESM imports stay unpatched, as without the
 * loader hook). Once per process, and not again under the loader hook, which does this too.
 */
export function registerRequireHook(modules: readonly string[]): void {
  const slot = globalThis as Record<symbol, unknown>;
  if (slot[REQUIRE_HOOK_FLAG] || !inThreadHooks()) return;
  registerSyncHooks(modules, false);
}

const REQUIRE_HOOK_FLAG = Symbol.for('genai-usage.require-hook');

/**
 * `require()` of an instrumented SDK: CommonJS gets the hand-over of `module.exports` appended
 * to its source (it runs once the module body has run, where require-in-the-middle would see
 * the exports); an ES module loaded by `require(esm)`, its namespace's (as for `import`).
 */
function registerSyncHooks(modules: readonly string[], esm: boolean): void {
  const state = createHookState(modules);
  const required = new Map<string, string>();
  // A file hooked by name (`@anthropic-ai/sdk/resources/index`) is also `require()`d by a relative
  // path from inside its package, often first: it is recognised by where it resolves to.
  const files = modules.filter((name) => name.split('/').length > (name.startsWith('@') ? 2 : 1)).map((name) => [`/node_modules/${name}.js`, name] as const);
  type Next<R> = (value: string, context: { conditions?: readonly string[] }) => R;
  nodeModule.registerHooks({
    resolve(specifier, context, nextResolve) {
      const next = nextResolve as Next<ResolveResult>;
      const named = state.names.has(specifier);
      const requiring = context.conditions?.includes('require') === true;
      if (!named && !(requiring && files.length > 0)) return next(specifier, context);
      const result = next(specifier, context);
      if (requiring) {
        const name = named ? specifier : files.find(([suffix]) => result.url.endsWith(suffix))?.[1];
        if (name !== undefined && result.url.startsWith('file:')) required.set(result.url, name);
        return result as ReturnType<typeof nextResolve>;
      }
      return (esm ? afterResolve(state, specifier, result) : result) as ReturnType<typeof nextResolve>;
    },
    load(url, context, nextLoad) {
      const wrapper = esm ? wrapperSource(url) : undefined;
      if (wrapper !== undefined) return { format: 'module', source: wrapper, shortCircuit: true };
      const result = (nextLoad as Next<LoadResult>)(url, context);
      const name = required.get(url);
      if (name !== undefined) return afterRequireLoad(name, url, result) as ReturnType<typeof nextLoad>;
      return afterLoad(state, url, result) as ReturnType<typeof nextLoad>;
    },
  });
  (globalThis as Record<symbol, unknown>)[REQUIRE_HOOK_FLAG] = true;
}

function afterRequireLoad(name: string, url: string, result: LoadResult): LoadResult {
  if (result.format === 'module') return afterLoad({ names: new Set([name]), targets: new Map([[url, name]]) }, url, result);
  if (result.format !== 'commonjs' && result.format != null) return result;
  const source = result.source == null ? readFileSync(fileURLToPath(url), 'utf8') : typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source as ArrayBuffer);
  return { ...result, format: 'commonjs', source: `${source}\n;${notifyCall(name, 'module.exports', JSON.stringify(url))}\n` };
}

/**
 * `module.registerHooks` exists from 22.15, but before nodejs/node#59929 (22.22.3, 24.11.1,
 * 25.1.0) its load step rejected the CommonJS results the default loader hands back.
 */
export function syncHooksWork(version: string): boolean {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map((part) => Number.parseInt(part, 10));
  if (major >= 26) return true;
  if (major === 25) return minor >= 1;
  if (major === 24) return minor > 11 || (minor === 11 && patch >= 1);
  if (major === 22) return minor > 22 || (minor === 22 && patch >= 3);
  return false;
}

/** Set by `genai-usage/register` once the hook is in place: ESM imports of the SDKs are patched. */
const HOOK_FLAG = Symbol.for('genai-usage.loader-hook');
function markLoaderHookRegistered(mode: LoaderHookMode): void {
  (globalThis as Record<symbol, unknown>)[HOOK_FLAG] = mode;
}
export function loaderHookMode(): LoaderHookMode | undefined {
  return (globalThis as Record<symbol, LoaderHookMode | undefined>)[HOOK_FLAG];
}
