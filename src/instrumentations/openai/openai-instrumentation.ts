import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { chatCompletionsMapping } from './chat-completions.js';
import { completionsMapping } from './completions.js';
import { embeddingsMapping } from './embeddings.js';
import { responsesMapping } from './responses.js';

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
      { path: ['Chat', 'Completions'], method: 'create', mapping: chatCompletionsMapping },
      { path: ['Responses'], method: 'create', mapping: responsesMapping },
      { path: ['Embeddings'], method: 'create', mapping: embeddingsMapping },
      { path: ['Completions'], method: 'create', mapping: completionsMapping },
    ],
    roots: (mod) => [mod, mod?.OpenAI, mod?.default],
  };

  constructor(config: LlmInstrumentationConfig = {}) {
    super('genai-usage-instrumentation-openai', VERSION, config);
  }
}
