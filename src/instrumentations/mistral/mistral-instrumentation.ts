import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { MISTRAL_DEFINITION } from './mistral-definition.js';

/**
 * Instruments `@mistralai/mistralai` (1.x and 2.x; ESM, and CJS through `require(esm)`):
 * `chat.complete`, `chat.stream`, `chat.parse`, `chat.parseStream`, `embeddings.create`,
 * `fim.complete` and `fim.stream`. The SDK's own GenAI spans for the same calls are children
 * of ours and are not counted twice.
 */
export class MistralInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = MISTRAL_DEFINITION;

  constructor(config: LlmInstrumentationConfig = {}) {
    super(MISTRAL_DEFINITION.instrumentationName, VERSION, config);
  }
}
