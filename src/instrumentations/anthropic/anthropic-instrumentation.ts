import { VERSION } from '../../version.js';
import { LlmSdkInstrumentation, type LlmInstrumentationConfig, type SdkDefinition } from '../sdk-instrumentation.js';
import { messagesMapping } from './messages.js';

/** Scope name of the spans that `@anthropic-ai/sdk` 1.x creates itself. */
export const ANTHROPIC_NATIVE_SCOPE = 'com.anthropic.sdk.typescript';

/**
 * Instruments `@anthropic-ai/sdk` (CJS and ESM): `messages.create`, plain and streamed,
 * which `messages.stream()` also goes through. The SDK's own spans for the same calls are
 * recognised by the usage processor and not counted twice.
 */
export class AnthropicInstrumentation extends LlmSdkInstrumentation {
  static override readonly definition: SdkDefinition = {
    moduleName: '@anthropic-ai/sdk',
    supportedVersions: ['>=0.20.0 <2'],
    targets: [{ path: ['Messages'], method: 'create', mapping: messagesMapping }],
    roots: (mod) => [mod, mod?.Anthropic, mod?.default],
  };

  constructor(config: LlmInstrumentationConfig = {}) {
    super('genai-usage-instrumentation-anthropic', VERSION, config);
  }
}
