import { diag, type Tracer } from '@opentelemetry/api';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  InstrumentationNodeModuleFile,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import { lazyOwnModule } from '../setup/load-own.js';
import type { CallMapping } from './wrap-call.js';

/** The span-building half (`wrapCall` and everything it uses), loaded by the first instrumented call. */
const wrapCallModule = lazyOwnModule(new URL('./wrap-call.js', import.meta.url), () => import('./wrap-call.js'));

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
 * The wrappers each instrumentation installed, and what each calls. Other libraries may wrap
 * the same method before or after us (the contrib OpenAI instrumentation, OpenLLMetry), and
 * OpenTelemetry's `_wrap` first unwraps whatever shimmer-marked function it finds. So ours
 * carries no shimmer marks (theirs then wraps on top of ours instead of removing it), we wrap
 * on top of theirs without unwrapping it, and we only ever remove our own wrapper. When a
 * library beneath ours unwraps while ours is on top, shimmer calls our `__unwrap`: we then
 * splice that library's wrapper out from beneath ours.
 */
const installed = new WeakMap<object, { owner: LlmSdkInstrumentation; below: { fn: AnyFn } }>();
type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

/** What an SDK instrumentation patches; a static on each subclass (read during `super()`). */
export interface SdkDefinition {
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
    const files = (def.files ?? []).map(
      (name) => new InstrumentationNodeModuleFile(name, def.supportedVersions, (exports: any) => this.patchModule(exports), (exports: any) => this.unpatchModule(exports)),
    );
    return [
      new InstrumentationNodeModuleDefinition(
        def.moduleName,
        def.supportedVersions,
        (exports) => this.patchModule(exports),
        (exports) => this.unpatchModule(exports),
        files,
      ),
    ];
  }

  /**
   * The SDK's `APIPromise` class, from whichever of its entries exported it: a file patched
   * first (the resources entry, which does not export it) shares its wrapper with the main
   * entry patched after it. Declared only: a class field would be reset after `super()`.
   */
  declare protected apiPromiseClass: (new (client: unknown, response: Promise<never>) => unknown) | undefined;

  /** Patches a module object directly (for apps that loaded the SDK before tracking started). */
  patchModule(moduleExports: any): any {
    const def = this.definition();
    if (typeof moduleExports?.APIPromise === 'function') this.apiPromiseClass = moduleExports.APIPromise;
    const options = {
      tracer: (): Tracer => this.tracer,
      // A wrapper another library wrapped on top of cannot be removed: once disabled, it passes through.
      enabled: () => this.isEnabled(),
      captureContent: () => this.getConfig().captureMessageContent ?? captureContentFromEnv(),
      // A blocked call rejects with the SDK's own promise class, so `.withResponse()` still exists.
      rejected: (self: unknown, error: Error): unknown => {
        const client = (self as { _client?: unknown } | undefined)?._client;
        const ApiPromise = this.apiPromiseClass;
        return ApiPromise && client ? new ApiPromise(client, Promise.reject(error)) : wrapCallModule().rejectedCall(error);
      },
    };
    let patched = 0;
    for (const target of def.targets) {
      const proto = findPrototype(def.roots(moduleExports), target);
      if (!proto) {
        diag.debug(`genai-usage: ${def.moduleName} has no ${target.path.join('.')}.${target.method}; skipped`);
        continue;
      }
      patched++;
      // Patched twice (the loader hook and `instrumentModules`): one wrapper is enough.
      if (installed.get(proto[target.method])?.owner === this) continue;
      const below = { fn: proto[target.method] as AnyFn };
      let wrapped: AnyFn | undefined;
      // `wrapCall` and the mapping load with the first call, synchronously: that call is tracked too.
      const instrumented = function (this: unknown, ...args: unknown[]): unknown {
        if (!wrapped) {
          try {
            wrapped = wrapCallModule().wrapCall(function (this: unknown, ...inner: unknown[]) {
              return below.fn.apply(this, inner);
            }, target.mapping(), options);
          } catch (err) {
            diag.error(`genai-usage: instrumenting ${def.moduleName} failed; this call is not tracked`, err);
            return below.fn.apply(this, args);
          }
        }
        return wrapped.apply(this, args);
      };
      const wrapper = target.adapt ? target.adapt(instrumented) : instrumented;
      Object.defineProperty(wrapper, '__unwrap', { configurable: true, value: () => spliceOutShimmerWrapper(below) });
      installed.set(wrapper, { owner: this, below });
      setMethod(proto, target.method, wrapper);
    }
    if (patched === 0) diag.warn(`genai-usage: found nothing to instrument in ${def.moduleName}; its calls are not tracked`);
    else patchedBy.add(this);
    return moduleExports;
  }

  unpatchModule(moduleExports: any): void {
    const def = this.definition();
    for (const target of def.targets) {
      const proto = findPrototype(def.roots(moduleExports), target);
      const ours = proto ? installed.get(proto[target.method]) : undefined;
      // Only when ours is on top; beneath another library's wrapper it stays, passing through.
      if (ours?.owner === this) setMethod(proto, target.method, ours.below.fn);
    }
  }
}

/** Instrumentations that patched a module (whichever way it reached them). */
const patchedBy = new WeakSet<LlmSdkInstrumentation>();
export function hasPatchedModule(instrumentation: LlmSdkInstrumentation): boolean {
  return patchedBy.has(instrumentation);
}

/** Another library unwrapping while ours is on top meant its own wrapper, right beneath ours. */
function spliceOutShimmerWrapper(below: { fn: AnyFn }): void {
  const fn = below.fn as AnyFn & { __wrapped?: unknown; __original?: unknown };
  if (fn.__wrapped === true && typeof fn.__original === 'function') below.fn = fn.__original as AnyFn;
}

function setMethod(proto: any, name: string, fn: unknown): void {
  const enumerable = Object.prototype.propertyIsEnumerable.call(proto, name);
  Object.defineProperty(proto, name, { configurable: true, enumerable, writable: true, value: fn });
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
