import type { InstrumentationConfig } from '@opentelemetry/instrumentation';
import type { CallMapping } from './wrap-call.js';

/** Options shared by every LLM SDK instrumentation. */
export interface LlmInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompt and completion content on spans (`gen_ai.input.messages`, `gen_ai.output.messages`).
   * Default: env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, else off.
   */
  captureMessageContent?: boolean;
}

/**
 * One method to patch: `path` walks from the module's main class to a resource class. The
 * mapping is read by the first call (an SDK folder loads its mapping modules lazily, so a start
 * pays only for locating the methods).
 */
export interface PatchTarget {
  path: readonly string[];
  method: string;
  mapping: () => CallMapping;
  /** Adapts the instrumented method to a calling convention `wrapCall` does not know (callbacks). */
  adapt?(instrumented: (this: unknown, ...args: any[]) => any): (this: unknown, ...args: any[]) => any;
}

/**
 * What an SDK instrumentation patches. Kept apart from the instrumentation classes (which
 * extend `@opentelemetry/instrumentation`'s base): `startUsageTracking` patches from the
 * definition alone and never loads that package on Node versions with in-thread loader hooks.
 */
export interface SdkDefinition {
  /** The instrumentation scope name of its spans. */
  instrumentationName: string;
  moduleName: string;
  supportedVersions: string[];
  targets: readonly PatchTarget[];
  /** Where the resource classes may hang: the module exports (CJS object or ESM namespace) or the client class. */
  roots(moduleExports: any): any[];
  /**
   * Files inside the module (`<moduleName>/<path>.js` and `.mjs`) whose exports hold the same
   * resource classes, patched when loaded: clients for other clouds import them without ever
   * loading the module's main entry. Each must also be in the registry's `modules` (ESM hook).
   */
  files?: readonly string[];
}

export function captureContentFromEnv(): boolean {
  return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.toLowerCase() === 'true';
}
