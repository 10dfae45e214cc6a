import type { SdkDefinition } from '../sdk-definition.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const model = lazyOwnModule(new URL('./generative-model.js', import.meta.url), () => import('./generative-model.js'));

/** What GoogleGenerativeAIInstrumentation patches (see `SdkDefinition`). */
export const GOOGLE_GENERATIVE_AI_DEFINITION: SdkDefinition = {
  instrumentationName: 'genai-usage-instrumentation-google-generative-ai',
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
