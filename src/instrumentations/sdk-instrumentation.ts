import { InstrumentationBase, InstrumentationNodeModuleDefinition, InstrumentationNodeModuleFile } from '@opentelemetry/instrumentation';
import { patchLoadedModule } from '../setup/esm-loaded.js';
import { captureContentFromEnv, type LlmInstrumentationConfig, type SdkDefinition } from './sdk-definition.js';
import { SdkPatch } from './sdk-patch.js';

export { captureContentFromEnv, type LlmInstrumentationConfig, type PatchTarget, type SdkDefinition } from './sdk-definition.js';

/** Each instrumentation's patch (not a field: the base constructor calls `init()` and may patch before fields exist). */
const patches = new WeakMap<LlmSdkInstrumentation, SdkPatch>();

/**
 * An LLM SDK instrumentation for an OpenTelemetry SDK of the app's own
 * (`registerInstrumentations`): patches the SDK's resource prototypes for `require` and
 * `import` alike. Subclasses only declare a static `definition` (see `SdkDefinition`); all
 * spans are built by `wrapCall`. `startUsageTracking` patches from the same definitions
 * without this class where Node's in-thread loader hooks cover `require` (see `SdkPatcher`).
 */
export abstract class LlmSdkInstrumentation extends InstrumentationBase<LlmInstrumentationConfig> {
  static readonly definition: SdkDefinition;

  protected definition(): SdkDefinition {
    return (this.constructor as typeof LlmSdkInstrumentation).definition;
  }

  private sdkPatch(): SdkPatch {
    let patch = patches.get(this);
    if (!patch) {
      patch = new SdkPatch(this.definition(), {
        tracer: () => this.tracer,
        isEnabled: () => this.isEnabled(),
        captureContent: () => this.getConfig().captureMessageContent ?? captureContentFromEnv(),
      });
      patches.set(this, patch);
    }
    return patch;
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

  /** Patches a module object directly (for apps that loaded the SDK before tracking started). */
  patchModule(moduleExports: any): any {
    return this.sdkPatch().patch(moduleExports);
  }

  unpatchModule(moduleExports: any): void {
    this.sdkPatch().unpatch(moduleExports);
  }

  /** A module the loader hook of `genai-usage/register` saw evaluated (see `patchLoadedModule`). */
  patchLoaded(specifier: string, moduleExports: unknown, url: string): void {
    patchLoadedModule(this, specifier, moduleExports, url);
  }

  /** True once a module had something to patch (whichever way it reached this instrumentation). */
  hasPatchedModule(): boolean {
    return patches.get(this)?.patchedAny ?? false;
  }
}
