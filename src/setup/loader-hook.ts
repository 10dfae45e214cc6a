import { createRequire, register } from 'node:module';
import { dirname } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How the ESM loader hook runs: in the app's thread (`module.registerHooks`) or on a loader thread (`module.register`). */
export type LoaderHookMode = 'sync' | 'thread';

/**
 * Registers import-in-the-middle's ESM loader hook — the copy `@opentelemetry/instrumentation`
 * uses, so the two meet — limited to `modules`: every other module (OpenTelemetry, the app's
 * own code) loads as if no hook were there. Where Node can run it synchronously
 * (`module.registerHooks`, Node >= 22.22.3) it runs in the app's thread: no loader thread to
 * start, no message per resolved module. Returns the mode used.
 */
export async function registerLoaderHook(modules: readonly string[]): Promise<LoaderHookMode> {
  const iitmDir = dirname(createRequire(createRequire(import.meta.url).resolve('@opentelemetry/instrumentation')).resolve('import-in-the-middle/package.json'));
  const { supportsSyncHooks } = (await import(pathToFileURL(`${iitmDir}/supports-sync-hooks.mjs`).href)) as { supportsSyncHooks(): boolean };
  if (supportsSyncHooks()) {
    const hooks = (await import(pathToFileURL(`${iitmDir}/register-hooks.mjs`).href)) as { register(options: { include: string[] }): void };
    hooks.register({ include: [...modules] });
    return 'sync';
  }
  register(pathToFileURL(`${iitmDir}/hook.mjs`).href, import.meta.url, { data: { include: [...modules] } });
  return 'thread';
}

/** Set by `genai-usage/register` once the hook is in place: ESM imports of the SDKs are patched. */
const HOOK_FLAG = Symbol.for('genai-usage.loader-hook');
export function markLoaderHookRegistered(mode: LoaderHookMode): void {
  (globalThis as Record<symbol, unknown>)[HOOK_FLAG] = mode;
}
export function loaderHookMode(): LoaderHookMode | undefined {
  return (globalThis as Record<symbol, LoaderHookMode | undefined>)[HOOK_FLAG];
}
