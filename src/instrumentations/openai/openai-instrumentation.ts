import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { OPENAI_DEFINITION } from './openai-definition.js';

/**
 * Instruments the `openai` SDK (v4–v7, CJS and ESM): `chat.completions.create`,
 * `responses.create`, `embeddings.create` and the legacy `completions.create`, plain and
 * streamed, for OpenAI and every OpenAI-compatible endpoint (the provider name comes from
 * the client's `baseURL`).
 */
export class OpenAIInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = OPENAI_DEFINITION;

  constructor(config: LlmInstrumentationConfig = {}) {
    super(OPENAI_DEFINITION.instrumentationName, VERSION, config);
  }
}
