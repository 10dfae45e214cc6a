import { readFileSync } from 'node:fs';
import { trace, diag, type Tracer } from '@opentelemetry/api';
import { packageDir, packageNameOf, relativeFileName } from '../setup/package-dir.js';
import { VERSION } from '../version.js';
import { captureContentFromEnv, type LlmInstrumentationConfig, type SdkDefinition } from './sdk-definition.js';
import { SdkPatch } from './sdk-patch.js';

/**
 * What `startUsageTracking` patches an SDK with. The public instrumentation classes extend
 * `@opentelemetry/instrumentation`'s base, which loads require-in-the-middle,
 * import-in-the-middle and ~20 modules more at every start; this patches from the same
 * definition, with the SDK modules handed to it by the in-thread loader hook
 * (`patchLoaded`, for `import` and `require` alike) or by the app (`instrumentModules`).
 */
export class SdkPatcher {
  readonly #patch: SdkPatch;
  readonly #config: LlmInstrumentationConfig;
  #enabled: boolean;
  #tracer: Tracer | undefined;
  /** Every module object patched, unpatched again by `disable()`. */
  readonly #patched = new Set<unknown>();

  constructor(definition: SdkDefinition, config: LlmInstrumentationConfig = {}) {
    this.#config = config;
    this.#enabled = config.enabled !== false;
    this.#patch = new SdkPatch(definition, {
      // The global tracer provider at the first call (registered by then), as the instrumentation base does.
      tracer: () => (this.#tracer ??= trace.getTracer(definition.instrumentationName, VERSION)),
      isEnabled: () => this.#enabled,
      captureContent: () => this.#config.captureMessageContent ?? captureContentFromEnv(),
    });
  }

  getConfig(): LlmInstrumentationConfig {
    return this.#config;
  }

  isEnabled(): boolean {
    return this.#enabled;
  }

  patchModule(moduleExports: unknown): unknown {
    if (!this.#enabled) return moduleExports;
    this.#patched.add(moduleExports);
    return this.#patch.patch(moduleExports);
  }

  unpatchModule(moduleExports: unknown): void {
    this.#patched.delete(moduleExports);
    this.#patch.unpatch(moduleExports);
  }

  /**
   * A module the loader hook saw evaluated: `specifier` is the name it was hooked under (a
   * package, or a file in it such as `@anthropic-ai/sdk/resources/index`), `url` where it was
   * loaded from. Patched when it is this SDK's, at a version in `supportedVersions`.
   */
  patchLoaded(specifier: string, moduleExports: unknown, url: string): void {
    const def = this.#patch.definition;
    if (packageNameOf(specifier) !== def.moduleName) return;
    const baseDir = packageDir(url, def.moduleName);
    if (specifier !== def.moduleName) {
      const file = baseDir ? relativeFileName(baseDir, url, def.moduleName) : specifier;
      if (!(def.files ?? []).includes(file)) return;
    }
    const version = baseDir ? packageVersion(baseDir) : undefined;
    if (version !== undefined && !def.supportedVersions.some((range) => satisfies(version, range))) {
      diag.warn(`genai-usage: ${def.moduleName} ${version} is outside the supported ${def.supportedVersions.join(' || ')}; not instrumented`);
      return;
    }
    this.patchModule(moduleExports);
  }

  hasPatchedModule(): boolean {
    return this.#patch.patchedAny;
  }

  /** Stops tracking: our wrappers are removed where they are on top, and pass through where they are not. */
  disable(): void {
    this.#enabled = false;
    for (const moduleExports of this.#patched) this.#patch.unpatch(moduleExports);
    this.#patched.clear();
  }
}

function packageVersion(dir: string): string | undefined {
  try {
    const version = (JSON.parse(readFileSync(`${dir}/package.json`, 'utf8')) as { version?: unknown }).version;
    return typeof version === 'string' ? version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * `version` within `range`, a space-separated list of comparators (`>=4.0.0 <8`), the form
 * every definition uses. A pre-release counts as its release (`7.0.0-beta.1` as `7.0.0`).
 */
export function satisfies(version: string, range: string): boolean {
  const v = parts(version);
  if (!v) return false;
  return range
    .trim()
    .split(/\s+/)
    .every((comparator) => {
      const match = /^(>=|<=|>|<|=)?v?(\d.*)$/.exec(comparator);
      const bound = match ? parts(match[2]!) : undefined;
      if (!match || !bound) return false;
      const c = compare(v, bound);
      switch (match[1]) {
        case '>=':
          return c >= 0;
        case '<=':
          return c <= 0;
        case '>':
          return c > 0;
        case '<':
          return c < 0;
        default:
          return c === 0;
      }
    });
}

function parts(version: string): [number, number, number] | undefined {
  const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : undefined;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i]! < b[i]! ? -1 : 1;
  return 0;
}
