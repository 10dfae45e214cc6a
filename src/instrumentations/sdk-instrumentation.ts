import { diag, type Tracer } from '@opentelemetry/api';
import { InstrumentationBase, InstrumentationNodeModuleDefinition, isWrapped, type InstrumentationConfig } from '@opentelemetry/instrumentation';
import { wrapCall, type CallMapping } from './wrap-call.js';

/** Options shared by every LLM SDK instrumentation. */
export interface LlmInstrumentationConfig extends InstrumentationConfig {
  /**
   * Record prompt and completion content on spans (`gen_ai.input.messages`, `gen_ai.output.messages`).
   * Default: env `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=true`, else off.
   */
  captureMessageContent?: boolean;
}

/** One method to patch: `path` walks from the module's main class to a resource class. */
export interface PatchTarget {
  path: readonly string[];
  method: string;
  mapping: CallMapping;
}

/** SDKs whose module our instrumentations have patched (the usage processor reads this). */
const patchedSdks = new Set<string>();
export function isSdkPatched(sdk: string): boolean {
  return patchedSdks.has(sdk);
}

/** What an SDK instrumentation patches; a static on each subclass (read during `super()`). */
export interface SdkDefinition {
  moduleName: string;
  supportedVersions: string[];
  targets: readonly PatchTarget[];
  /** The SDK's main class from its module exports (CJS object or ESM namespace). */
  mainClass(moduleExports: any): any;
}

/**
 * Patches an LLM SDK's resource prototypes for `require` and `import` alike. Subclasses
 * only declare a static `definition`: all spans are built by `wrapCall`.
 * (No `#private` members: the base constructor calls `init()` and may patch before they exist.)
 */
export abstract class LlmSdkInstrumentation extends InstrumentationBase<LlmInstrumentationConfig> {
  static readonly definition: SdkDefinition;

  protected definition(): SdkDefinition {
    return (this.constructor as typeof LlmSdkInstrumentation).definition;
  }

  protected init() {
    const def = this.definition();
    return [
      new InstrumentationNodeModuleDefinition(
        def.moduleName,
        def.supportedVersions,
        (exports) => this.patchModule(exports),
        (exports) => this.unpatchModule(exports),
      ),
    ];
  }

  /** Patches a module object directly (for apps that loaded the SDK before tracking started). */
  patchModule(moduleExports: any): any {
    const def = this.definition();
    const main = def.mainClass(moduleExports);
    if (!main) {
      diag.warn(`genai-usage: ${def.moduleName} exports no client class; not instrumented`);
      return moduleExports;
    }
    const options = {
      tracer: (): Tracer => this.tracer,
      captureContent: () => this.getConfig().captureMessageContent ?? captureContentFromEnv(),
    };
    for (const target of def.targets) {
      const proto = resolve(main, target.path)?.prototype;
      if (!proto || typeof proto[target.method] !== 'function') {
        diag.debug(`genai-usage: ${def.moduleName} has no ${target.path.join('.')}.${target.method}; skipped`);
        continue;
      }
      if (isWrapped(proto[target.method])) this._unwrap(proto, target.method);
      this._wrap(proto, target.method, (original: any) => wrapCall(original, target.mapping, options));
    }
    patchedSdks.add(def.moduleName);
    return moduleExports;
  }

  unpatchModule(moduleExports: any): void {
    const def = this.definition();
    const main = def.mainClass(moduleExports);
    if (!main) return;
    for (const target of def.targets) {
      const proto = resolve(main, target.path)?.prototype;
      if (proto && isWrapped(proto[target.method])) this._unwrap(proto, target.method);
    }
    patchedSdks.delete(def.moduleName);
  }
}

function resolve(root: any, path: readonly string[]): any {
  let node = root;
  for (const key of path) node = node?.[key];
  return node;
}

export function captureContentFromEnv(): boolean {
  return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.toLowerCase() === 'true';
}
