import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { ANTHROPIC_DEFINITION } from './anthropic-definition.js';

/**
 * Instruments `@anthropic-ai/sdk` (CJS and ESM): `messages.create` and `beta.messages.create`,
 * plain and streamed, which their `.stream()` helpers also go through. The Bedrock and Vertex
 * clients (`@anthropic-ai/bedrock-sdk`, `@anthropic-ai/vertex-sdk`) use these same classes.
 * The SDK's own spans for calls we record are recognised per call and not counted twice.
 */
export class AnthropicInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = ANTHROPIC_DEFINITION;

  constructor(config: LlmInstrumentationConfig = {}) {
    super(ANTHROPIC_DEFINITION.instrumentationName, VERSION, config);
  }
}
