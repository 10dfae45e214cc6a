import { ConfigError } from '../setup/config-error.js';
import { INSTRUMENTATIONS, instrumentationKeys, type InstrumentationKey } from './registry.js';
import type { LlmInstrumentationConfig } from './sdk-definition.js';
import { SdkPatcher } from './sdk-patcher.js';

/** `instrumentations` option: per SDK key, `false` to turn it off or its config. */
export type InstrumentationsOption = { [K in InstrumentationKey]?: boolean | LlmInstrumentationConfig };
/** `instrumentModules` option: per SDK key, the module object to patch directly. */
export type InstrumentModulesOption = { [K in InstrumentationKey]?: unknown };

/** What tracking patches an SDK with: an `SdkPatcher`, or the SDK's `LlmSdkInstrumentation` class. */
export interface TrackingInstrumentation {
  getConfig(): LlmInstrumentationConfig;
  patchModule(moduleExports: unknown): unknown;
  unpatchModule(moduleExports: unknown): void;
  /** A module the loader hook handed over (see `onEsmSdkLoaded`). */
  patchLoaded(specifier: string, moduleExports: unknown, url: string): void;
  hasPatchedModule(): boolean;
  disable(): void;
}

export interface CreatedInstrumentation {
  key: InstrumentationKey;
  instrumentation: TrackingInstrumentation;
}

/**
 * The enabled instrumentations, one per registry entry not turned off. Both options are
 * checked first: an unknown SDK key is a `ConfigError` listing the valid ones. `light`: light
 * patchers, for when in-thread loader hooks hand over `require()`d modules; else the
 * `@opentelemetry/instrumentation` classes, whose require-in-the-middle does.
 */
export function createInstrumentations(
  option: InstrumentationsOption | undefined,
  captureContent: boolean,
  modules?: InstrumentModulesOption,
  light = true,
): CreatedInstrumentation[] {
  checkKeys('instrumentations', option);
  checkKeys('instrumentModules', modules);
  const created: CreatedInstrumentation[] = [];
  for (const entry of INSTRUMENTATIONS) {
    const setting = option?.[entry.key];
    if (setting === false) continue;
    const own = typeof setting === 'object' && setting !== null ? setting : {};
    const config = { captureMessageContent: captureContent, ...own };
    created.push({ key: entry.key, instrumentation: light ? new SdkPatcher(entry.definition, config) : entry.create(config) });
  }
  return created;
}

/** Patches the module objects the app passed (`instrumentModules`), for SDKs loaded before tracking started. */
export function patchGivenModules(created: readonly CreatedInstrumentation[], modules: InstrumentModulesOption | undefined): void {
  if (!modules) return;
  for (const { key, instrumentation } of created) {
    const mod = modules[key];
    if (mod) instrumentation.patchModule(mod);
  }
}

function checkKeys(option: string, value: object | undefined): void {
  if (value === undefined) return;
  if (typeof value !== 'object' || value === null) throw new ConfigError(`${option}: expected an object keyed by SDK, got ${JSON.stringify(value)}`);
  const valid = instrumentationKeys();
  for (const key of Object.keys(value)) {
    if (!valid.includes(key)) throw new ConfigError(`${option}: unknown SDK "${key}"; valid keys: ${valid.join(', ')}`);
  }
}
