import type { SdkDefinition } from '../sdk-definition.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const chat = lazyOwnModule(new URL('./chat-completions.js', import.meta.url), () => import('./chat-completions.js'));
const completions = lazyOwnModule(new URL('./completions.js', import.meta.url), () => import('./completions.js'));
const embeddings = lazyOwnModule(new URL('./embeddings.js', import.meta.url), () => import('./embeddings.js'));
const responses = lazyOwnModule(new URL('./responses.js', import.meta.url), () => import('./responses.js'));

/** What OpenAIInstrumentation patches (see `SdkDefinition`). */
export const OPENAI_DEFINITION: SdkDefinition = {
  instrumentationName: 'genai-usage-instrumentation-openai',
  moduleName: 'openai',
  supportedVersions: ['>=4.0.0 <8'],
  targets: [
    { path: ['Chat', 'Completions'], method: 'create', mapping: () => chat().chatCompletionsMapping },
    { path: ['Responses'], method: 'create', mapping: () => responses().responsesMapping },
    { path: ['Embeddings'], method: 'create', mapping: () => embeddings().embeddingsMapping },
    { path: ['Completions'], method: 'create', mapping: () => completions().completionsMapping },
  ],
  roots: (mod) => [mod, mod?.OpenAI, mod?.default],
};
