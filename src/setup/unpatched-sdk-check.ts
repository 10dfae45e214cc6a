import { sep } from 'node:path';
import { createRequire } from 'node:module';
import type { CreatedInstrumentation } from '../instrumentations/create-instrumentations.js';
import { INSTRUMENTATIONS } from '../instrumentations/registry.js';
import { loaderHookMode } from './loader-hook.js';
import { warnOnce } from './warn-once.js';

/**
 * The silent failure of an in-code start: the app loaded an instrumented SDK before
 * `startUsageTracking()` ran (an ESM app's static imports always are), nothing patched it,
 * and its calls go unrecorded without a word. Checked when the process is about to exit and
 * on `shutdown()`: an SDK never patched whose files are loaded — in `require.cache`, or, for
 * an ESM app without the loader hook that patched nothing at all, among the scripts V8
 * compiled (read once through the inspector; ~0.1 s, paid only then) — is said once on
 * stderr with the fix.
 */
export function watchUnpatchedSdks(created: readonly CreatedInstrumentation[]): { check(): void; stop(): void } {
  let done = false;
  const check = () => {
    if (done) return;
    done = true;
    process.off('beforeExit', check);
    // Under the loader hook tracking started before the app, and ESM imports are patched.
    if (loaderHookMode() !== undefined) return;
    try {
      const unpatched = created.filter((c) => !c.instrumentation.hasPatchedModule());
      if (unpatched.length === 0) return;
      const esm = entryIsEsm();
      // The inspector (~0.1 s) only when nothing was patched at all: an app that patched one
      // SDK (instrumentModules) knows how, and pays nothing at exit.
      const scanScripts = esm && unpatched.length === created.length;
      const loaded = loadedPackages(unpatched.flatMap((c) => packagesOf(c.key)), scanScripts);
      for (const { key } of unpatched) {
        const name = packagesOf(key).find((p) => loaded.has(p));
        if (name) warnOnce('GENAI_USAGE_SDK_NOT_PATCHED', message(name, key, esm), `unpatched ${name}`);
      }
    } catch {
      // A check that cannot run must not disturb the app.
    }
  };
  process.once('beforeExit', check);
  return {
    check,
    stop: () => {
      done = true;
      process.off('beforeExit', check);
    },
  };
}

function packagesOf(key: string): string[] {
  const entry = INSTRUMENTATIONS.find((e) => e.key === key);
  return [...new Set((entry?.modules ?? []).map((m) => m.split('/').slice(0, m.startsWith('@') ? 2 : 1).join('/')))];
}

/** Which of `packages` have files loaded: in `require.cache`, or (`scanScripts`) compiled as ES modules. */
function loadedPackages(packages: readonly string[], scanScripts: boolean): Set<string> {
  const found = new Set<string>();
  const marker = (name: string, s: string) => `${s}node_modules${s}${name.split('/').join(s)}${s}`;
  const cached = Object.keys(createRequire(import.meta.url).cache);
  for (const name of packages) if (cached.some((file) => file.includes(marker(name, sep)))) found.add(name);
  const rest = packages.filter((name) => !found.has(name));
  if (rest.length === 0 || !scanScripts) return found;
  for (const url of compiledScriptUrls()) {
    for (const name of rest) if (url.includes(marker(name, '/'))) found.add(name);
  }
  return found;
}

/** An ESM entry point has no `require.main`. */
function entryIsEsm(): boolean {
  return process.argv[1] !== undefined && (process as { mainModule?: unknown }).mainModule === undefined;
}

function compiledScriptUrls(): string[] {
  const urls: string[] = [];
  const inspector = process.getBuiltinModule?.('node:inspector') as typeof import('node:inspector') | undefined;
  if (!inspector) return urls;
  const session = new inspector.Session();
  session.connect();
  try {
    session.on('Debugger.scriptParsed', (event) => urls.push(event.params.url));
    // Enabling reports every script already compiled, synchronously.
    session.post('Debugger.enable', () => {});
    session.post('Debugger.disable', () => {});
  } finally {
    session.disconnect();
  }
  return urls;
}

function message(name: string, key: string, esm: boolean): string {
  const Name = key === 'openai' ? 'OpenAI' : `${key[0]!.toUpperCase()}${key.slice(1)}`;
  const fix =
    esm
      ? `Start the app with \`node --import genai-usage/register app.mjs\` (which starts tracking itself; drop the startUsageTracking() call), or pass the module: \`import * as ${Name} from '${name}'; startUsageTracking({ instrumentModules: { ${key}: ${Name} } })\`.`
      : `Call startUsageTracking() before the first require('${name}'), start with \`node --import genai-usage/register app.js\`, or pass the module: startUsageTracking({ instrumentModules: { ${key}: require('${name}') } }).`;
  return `genai-usage: ${name} was loaded before tracking started and was never patched, so its calls are not tracked. ${fix}`;
}
