/**
 * The ESM loader hook on the loader thread (`module.register`), for Node versions whose
 * in-thread hooks cannot run it (see `loader-hook.ts`). Same logic as in-thread.
 */
import { afterLoad, afterResolve, createHookState, isCandidate, wrapperSource, type HookState, type LoadResult, type ResolveResult } from './esm-hook-source.js';

interface Context {
  conditions?: readonly string[];
}

let state: HookState = createHookState([]);

export async function initialize(data: { names?: string[] } | undefined): Promise<void> {
  state = createHookState(data?.names ?? []);
}

export async function resolve(specifier: string, context: Context, nextResolve: (s: string, c: Context) => Promise<ResolveResult>): Promise<ResolveResult> {
  if (!isCandidate(state, specifier, context.conditions)) return nextResolve(specifier, context);
  return afterResolve(state, specifier, await nextResolve(specifier, context));
}

export async function load(url: string, context: Context, nextLoad: (u: string, c: Context) => Promise<LoadResult>): Promise<LoadResult> {
  const wrapper = wrapperSource(url);
  if (wrapper !== undefined) return { format: 'module', source: wrapper, shortCircuit: true };
  return afterLoad(state, url, await nextLoad(url, context));
}
