import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mapping loads with the first call (see `PatchTarget`).
const messages = lazyOwnModule(new URL('./messages.js', import.meta.url), () => import('./messages.js'));

/**
 * Instruments `@anthropic-ai/sdk` (CJS and ESM): `messages.create` and `beta.messages.create`,
 * plain and streamed, which their `.stream()` helpers also go through. The Bedrock and Vertex
 * clients (`@anthropic-ai/bedrock-sdk`, `@anthropic-ai/vertex-sdk`) use these same classes.
 * The SDK's own spans for calls we record are recognised per call and not counted twice.
 */
export class AnthropicInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = {
    moduleName: '@anthropic-ai/sdk',
    supportedVersions: ['>=0.20.0 <2'],
    targets: [
      { path: ['Messages'], method: 'create', mapping: () => messages().messagesMapping },
      { path: ['Beta', 'Messages'], method: 'create', mapping: () => messages().messagesMapping },
    ],
    roots: (mod) => [mod, mod?.Anthropic, mod?.default],
    // `@anthropic-ai/bedrock-sdk` and `@anthropic-ai/vertex-sdk` import the resource classes from
    // here and never load the SDK's main entry.
    files: ['@anthropic-ai/sdk/resources/index.js', '@anthropic-ai/sdk/resources/index.mjs'],
  };

  constructor(config: LlmInstrumentationConfig = {}) {
    super('genai-usage-instrumentation-anthropic', VERSION, config);
  }
}
