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
  /** Adapts the instrumented method to a calling convention `wrapCall` does not know (callbacks). */
  adapt?(instrumented: (this: unknown, ...args: any[]) => any): (this: unknown, ...args: any[]) => any;
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
  /** Where the resource classes may hang: the module exports (CJS object or ESM namespace) or the client class. */
  roots(moduleExports: any): any[];
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
    const ApiPromise = typeof moduleExports?.APIPromise === 'function' ? moduleExports.APIPromise : undefined;
    const options = {
      tracer: (): Tracer => this.tracer,
      captureContent: () => this.getConfig().captureMessageContent ?? captureContentFromEnv(),
      // A blocked call rejects with the SDK's own promise class, so `.withResponse()` still exists.
      rejected: (self: unknown, error: Error): unknown => {
        const client = (self as { _client?: unknown } | undefined)?._client;
        return ApiPromise && client ? new ApiPromise(client, Promise.reject(error)) : Promise.reject(error);
      },
    };
    let patched = 0;
    for (const target of def.targets) {
      const proto = findPrototype(def.roots(moduleExports), target);
      if (!proto) {
        diag.debug(`genai-usage: ${def.moduleName} has no ${target.path.join('.')}.${target.method}; skipped`);
        continue;
      }
      if (isWrapped(proto[target.method])) this._unwrap(proto, target.method);
      this._wrap(proto, target.method, (original: any) => {
        const instrumented = wrapCall(original, target.mapping, options);
        return target.adapt ? target.adapt(instrumented) : instrumented;
      });
      patched++;
    }
    if (patched > 0) patchedSdks.add(def.moduleName);
    else diag.warn(`genai-usage: found nothing to instrument in ${def.moduleName}; its calls are not tracked`);
    return moduleExports;
  }

  unpatchModule(moduleExports: any): void {
    const def = this.definition();
    for (const target of def.targets) {
      const proto = findPrototype(def.roots(moduleExports), target);
      if (proto && isWrapped(proto[target.method])) this._unwrap(proto, target.method);
    }
    patchedSdks.delete(def.moduleName);
  }
}

function findPrototype(roots: any[], target: PatchTarget): any {
  for (const root of roots) {
    let node = root;
    for (const key of target.path) node = node?.[key];
    const proto = node?.prototype;
    if (proto && typeof proto[target.method] === 'function') return proto;
  }
  return undefined;
}

export function captureContentFromEnv(): boolean {
  return process.env.OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT?.toLowerCase() === 'true';
}
