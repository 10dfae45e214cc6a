import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const embed = lazyOwnModule(new URL('./embed-content.js', import.meta.url), () => import('./embed-content.js'));
const generate = lazyOwnModule(new URL('./generate-content.js', import.meta.url), () => import('./generate-content.js'));

/**
 * Instruments `@google/genai` (1.x to 3.x, CJS and ESM) for the Gemini API (`gcp.gemini`) and
 * Vertex AI (`gcp.vertex_ai`). `models.generateContent`, `generateContentStream` and
 * `embedContent` are per-instance arrow functions, so the prototype methods each of them
 * calls once per HTTP request are patched instead: chats (`chats.create().sendMessage`,
 * `sendMessageStream`) go through them too, and an automatic continuation or function-calling
 * turn, a separate billed request, is its own call.
 */
export class GoogleGenAIInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = {
    moduleName: '@google/genai',
    supportedVersions: ['>=1.0.0 <4'],
    targets: [
      { path: ['Models'], method: 'generateContentInternal', mapping: () => generate().generateContentMapping },
      { path: ['Models'], method: 'generateContentStreamInternal', mapping: () => generate().generateContentStreamMapping },
      { path: ['Models'], method: 'embedContentInternal', mapping: () => embed().embedContentMapping },
    ],
    roots: (mod) => [mod, mod?.default],
  };

  constructor(config: LlmInstrumentationConfig = {}) {
    super('genai-usage-instrumentation-google-genai', VERSION, config);
  }
}
