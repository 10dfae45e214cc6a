import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { GOOGLE_GENAI_DEFINITION } from './google-genai-definition.js';

/**
 * Instruments `@google/genai` (1.x to 3.x, CJS and ESM) for the Gemini API (`gcp.gemini`) and
 * Vertex AI (`gcp.vertex_ai`). `models.generateContent`, `generateContentStream` and
 * `embedContent` are per-instance arrow functions, so the prototype methods each of them
 * calls once per HTTP request are patched instead: chats (`chats.create().sendMessage`,
 * `sendMessageStream`) go through them too, and an automatic continuation or function-calling
 * turn, a separate billed request, is its own call.
 */
export class GoogleGenAIInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = GOOGLE_GENAI_DEFINITION;

  constructor(config: LlmInstrumentationConfig = {}) {
    super(GOOGLE_GENAI_DEFINITION.instrumentationName, VERSION, config);
  }
}
