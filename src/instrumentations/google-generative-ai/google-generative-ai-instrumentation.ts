import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const model = lazyOwnModule(new URL('./generative-model.js', import.meta.url), () => import('./generative-model.js'));

/**
 * Instruments the older `@google/generative-ai` SDK (0.x, CJS and ESM; what
 * `@langchain/google-genai` 2.x calls): `GenerativeModel.generateContent`,
 * `generateContentStream`, `embedContent`, `batchEmbedContents`, and `ChatSession.sendMessage`,
 * `sendMessageStream` (which call the HTTP functions directly, not the model's methods).
 * Provider `gcp.gemini`; usage read with the same mapping as `@google/genai`.
 */
export class GoogleGenerativeAIInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = {
    moduleName: '@google/generative-ai',
    supportedVersions: ['>=0.1.0 <1'],
    targets: [
      { path: ['GenerativeModel'], method: 'generateContent', mapping: () => model().generateContentMapping },
      { path: ['GenerativeModel'], method: 'generateContentStream', mapping: () => model().generateContentStreamMapping },
      { path: ['GenerativeModel'], method: 'embedContent', mapping: () => model().embedMapping },
      { path: ['GenerativeModel'], method: 'batchEmbedContents', mapping: () => model().embedMapping },
      { path: ['ChatSession'], method: 'sendMessage', mapping: () => model().generateContentMapping },
      { path: ['ChatSession'], method: 'sendMessageStream', mapping: () => model().generateContentStreamMapping },
    ],
    roots: (mod) => [mod, mod?.default],
  };

  constructor(config: LlmInstrumentationConfig = {}) {
    super('genai-usage-instrumentation-google-generative-ai', VERSION, config);
  }
}
