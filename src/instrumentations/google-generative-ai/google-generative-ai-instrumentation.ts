import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { GOOGLE_GENERATIVE_AI_DEFINITION } from './google-generative-ai-definition.js';

/**
 * Instruments the older `@google/generative-ai` SDK (0.x, CJS and ESM; what
 * `@langchain/google-genai` 2.x calls): `GenerativeModel.generateContent`,
 * `generateContentStream`, `embedContent`, `batchEmbedContents`, and `ChatSession.sendMessage`,
 * `sendMessageStream` (which call the HTTP functions directly, not the model's methods).
 * Provider `gcp.gemini`; usage read with the same mapping as `@google/genai`.
 */
export class GoogleGenerativeAIInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = GOOGLE_GENERATIVE_AI_DEFINITION;

  constructor(config: LlmInstrumentationConfig = {}) {
    super(GOOGLE_GENERATIVE_AI_DEFINITION.instrumentationName, VERSION, config);
  }
}
