/**
 * The ESM loader hook of `genai-usage/register`, as pure functions shared by its two runners
 * (in-thread `module.registerHooks` and the loader thread of `module.register`). No imports:
 * the loader thread loads this file on its own.
 *
 * Our instrumentations patch SDK class prototypes, so they need the module's exports once it
 * has been evaluated, not a rewritten module. So, for the instrumented SDKs only (a Set lookup
 * for every other specifier), the hook:
 * - ESM (`format: 'module'`): appends to the module's source a self-import and a call that
 *   hands its namespace to the tracking (`globalThis[Symbol.for(ESM_LOADED_KEY)]`, a function
 *   once tracking is running, a queue before);
 * - anything else (CommonJS imported from ESM; Node decides the format of a `.js` file in a
 *   package without `"type"` only when loading it): resolves to a small ESM wrapper that
 *   imports the module, hands its namespace over and re-exports it, `default` included
 *   (CommonJS always has one: `module.exports`).
 * Nothing is parsed: import-in-the-middle's wrapping, which reads every export of the module
 * graph, cost ~100 ms of startup for `openai` alone.
 */

export const ESM_LOADED_KEY = 'genai-usage.esm-loaded';
const WRAP_PARAM = 'genai-usage-wrap';

export interface ResolveResult {
  url: string;
  format?: string | null | undefined;
  shortCircuit?: boolean;
}
export interface LoadResult {
  format?: string | null | undefined;
  source?: string | ArrayBuffer | ArrayBufferView | null | undefined;
  shortCircuit?: boolean;
}

/** The hook's state: which resolved URLs are instrumented SDK entry modules, by module name. */
export interface HookState {
  readonly names: ReadonlySet<string>;
  readonly targets: Map<string, string>;
}

export function createHookState(names: readonly string[]): HookState {
  return { names: new Set(names), targets: new Map() };
}

/** Before resolving: is this an import we may instrument? (`require` is require-in-the-middle's.) */
export function isCandidate(state: HookState, specifier: string, conditions: readonly string[] | undefined): boolean {
  return state.names.has(specifier) && !conditions?.includes('require');
}

/** After resolving an instrumented SDK: ESM is marked for the appended call, anything else goes through a wrapper. */
export function afterResolve(state: HookState, specifier: string, result: ResolveResult): ResolveResult {
  if (!result.url.startsWith('file:')) return result;
  if (result.format !== 'module') {
    const url = `${result.url}${result.url.includes('?') ? '&' : '?'}${WRAP_PARAM}=${encodeURIComponent(specifier)}`;
    return { url, format: 'module', shortCircuit: true };
  }
  state.targets.set(result.url, specifier);
  return result;
}

/** The wrapper's source, or undefined when the URL is not one of ours. */
export function wrapperSource(url: string): string | undefined {
  const marker = url.lastIndexOf(`${WRAP_PARAM}=`);
  if (marker < 0) return undefined;
  const name = decodeURIComponent(url.slice(marker + WRAP_PARAM.length + 1));
  const target = JSON.stringify(url.slice(0, marker - 1));
  return `import * as ns from ${target};\nexport * from ${target};\nexport default ns.default;\n${notifyCall(name, 'ns', target)}\n`;
}

/** The module's source with the hand-over appended, when it is a marked ESM entry; else the result unchanged. */
export function afterLoad(state: HookState, url: string, result: LoadResult): LoadResult {
  const name = state.targets.get(url);
  if (name === undefined || result.format !== 'module' || result.source == null) return result;
  const source = typeof result.source === 'string' ? result.source : new TextDecoder().decode(result.source as ArrayBuffer);
  const self = JSON.stringify(url);
  return { ...result, source: `${source}\n;import * as __genaiUsageSelf from ${self};\n${notifyCall(name, '__genaiUsageSelf', self)}\n` };
}

export function notifyCall(name: string, namespace: string, url: string): string {
  return `{ const k = Symbol.for(${JSON.stringify(ESM_LOADED_KEY)}), q = (globalThis[k] ??= []); typeof q === 'function' ? q(${JSON.stringify(name)}, ${namespace}, ${url}) : q.push([${JSON.stringify(name)}, ${namespace}, ${url}]); }`;
}
