// A namespace import: `registerHooks` does not exist before Node 22.15, and a named import of it
// would fail to link before the version check could say so.
import * as nodeModule from 'node:module';
import { afterLoad, afterResolve, createHookState, isCandidate, wrapperSource, type LoadResult, type ResolveResult } from './esm-hook-source.js';

/** How the ESM loader hook runs: in the app's thread (`module.registerHooks`) or on a loader thread (`module.register`). */
export type LoaderHookMode = 'sync' | 'thread';

/**
 * Registers the ESM loader hook of `genai-usage/register` for `modules` only (see
 * `esm-hook-source.ts`): every other module loads as if no hook were there. Where Node runs
 * synchronous hooks correctly (22.22.3+, 24.11.1+, 25.1+) it runs in the app's thread: no
 * loader thread to start, no message per resolved module. Returns the mode used.
 */
export function registerLoaderHook(modules: readonly string[]): LoaderHookMode {
  const forceThread = process.env.GENAI_USAGE_LOADER_HOOK === 'thread';
  if (!forceThread && syncHooksWork(process.versions.node) && typeof nodeModule.registerHooks === 'function') {
    const state = createHookState(modules);
    type Next<R> = (value: string, context: { conditions?: readonly string[] }) => R;
    nodeModule.registerHooks({
      resolve(specifier, context, nextResolve) {
        const next = nextResolve as Next<ResolveResult>;
        if (!isCandidate(state, specifier, context.conditions)) return next(specifier, context);
        return afterResolve(state, specifier, next(specifier, context)) as ReturnType<typeof nextResolve>;
      },
      load(url, context, nextLoad) {
        const wrapper = wrapperSource(url);
        if (wrapper !== undefined) return { format: 'module', source: wrapper, shortCircuit: true };
        return afterLoad(state, url, (nextLoad as Next<LoadResult>)(url, context)) as ReturnType<typeof nextLoad>;
      },
    });
    markLoaderHookRegistered('sync');
    return 'sync';
  }
  nodeModule.register(new URL('./esm-hook-thread.js', import.meta.url), { data: { names: [...modules] } });
  markLoaderHookRegistered('thread');
  return 'thread';
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
