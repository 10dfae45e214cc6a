import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mappings load with the first call (see `PatchTarget`).
const chat = lazyOwnModule(new URL('./chat-completions.js', import.meta.url), () => import('./chat-completions.js'));
const completions = lazyOwnModule(new URL('./completions.js', import.meta.url), () => import('./completions.js'));
const embeddings = lazyOwnModule(new URL('./embeddings.js', import.meta.url), () => import('./embeddings.js'));
const responses = lazyOwnModule(new URL('./responses.js', import.meta.url), () => import('./responses.js'));

/**
 * Instruments the `openai` SDK (v4–v7, CJS and ESM): `chat.completions.create`,
 * `responses.create`, `embeddings.create` and the legacy `completions.create`, plain and
 * streamed, for OpenAI and every OpenAI-compatible endpoint (the provider name comes from
 * the client's `baseURL`).
 */
export class OpenAIInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = {
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

  constructor(config: LlmInstrumentationConfig = {}) {
    super('genai-usage-instrumentation-openai', VERSION, config);
  }
}
