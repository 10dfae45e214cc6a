import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { BEDROCK_RUNTIME_DEFINITION } from './bedrock-definition.js';

/**
 * Instruments `@aws-sdk/client-bedrock-runtime` (v3, CJS and ESM) at its one dispatch point,
 * `BedrockRuntimeClient.prototype.send`: Converse, ConverseStream, InvokeModel and
 * InvokeModelWithResponseStream, sent directly or through the aggregated `BedrockRuntime`
 * client. Other commands pass through. The patch is an own `send` on the Bedrock client's
 * prototype: other AWS clients, which share the base `Client.prototype.send`, are untouched.
 */
export class BedrockRuntimeInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = BEDROCK_RUNTIME_DEFINITION;

  constructor(config: LlmInstrumentationConfig = {}) {
    super(BEDROCK_RUNTIME_DEFINITION.instrumentationName, VERSION, config);
  }
}
