import { diag, type Tracer } from '@opentelemetry/api';
import { lazyOwnModule } from '../setup/load-own.js';
import type { PatchTarget, SdkDefinition } from './sdk-definition.js';

/** The span-building half (`wrapCall` and everything it uses), loaded by the first instrumented call. */
const wrapCallModule = lazyOwnModule(new URL('./wrap-call.js', import.meta.url), () => import('./wrap-call.js'));

/** What a patch asks of the instrumentation that owns it, at call time. */
export interface PatchOwner {
  tracer(): Tracer;
  /** False once disabled: a wrapper another library wrapped on top of cannot be removed, so it passes through. */
  isEnabled(): boolean;
  captureContent(): boolean;
}

type AnyFn = (this: unknown, ...args: unknown[]) => unknown;

/**
 * The wrappers each patch installed, and what each calls. Other libraries may wrap the same
 * method before or after us (the contrib OpenAI instrumentation, OpenLLMetry), and
 * OpenTelemetry's `_wrap` first unwraps whatever shimmer-marked function it finds. So ours
 * carries no shimmer marks (theirs then wraps on top of ours instead of removing it), we wrap
 * on top of theirs without unwrapping it, and we only ever remove our own wrapper. When a
 * library beneath ours unwraps while ours is on top, shimmer calls our `__unwrap`: we then
 * splice that library's wrapper out from beneath ours.
 */
const installed = new WeakMap<object, { owner: SdkPatch; below: { fn: AnyFn } }>();

/**
 * Patches one SDK's resource prototypes (per its definition) for one owner: the public
 * instrumentation classes and the light patchers `startUsageTracking` uses share it. All spans
 * are built by `wrapCall`, loaded with the first call.
 */
export class SdkPatch {
  /**
   * The SDK's `APIPromise` class, from whichever of its entries exported it: a file patched
   * first (the resources entry, which does not export it) shares its wrapper with the main
   * entry patched after it.
   */
  private apiPromiseClass: (new (client: unknown, response: Promise<never>) => unknown) | undefined;
  /** True once a module had something to patch (whichever way it reached us). */
  patchedAny = false;

  constructor(
    readonly definition: SdkDefinition,
    private readonly owner: PatchOwner,
  ) {}

  patch(moduleExports: any): any {
    const def = this.definition;
    if (typeof moduleExports?.APIPromise === 'function') this.apiPromiseClass = moduleExports.APIPromise;
    const owner = this.owner;
    const options = {
      tracer: (): Tracer => owner.tracer(),
      enabled: () => owner.isEnabled(),
      captureContent: () => owner.captureContent(),
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
    else this.patchedAny = true;
    return moduleExports;
  }

  unpatch(moduleExports: any): void {
    const def = this.definition;
    for (const target of def.targets) {
      const proto = findPrototype(def.roots(moduleExports), target);
      const ours = proto ? installed.get(proto[target.method]) : undefined;
      // Only when ours is on top; beneath another library's wrapper it stays, passing through.
      if (ours?.owner === this) setMethod(proto, target.method, ours.below.fn);
    }
  }
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
