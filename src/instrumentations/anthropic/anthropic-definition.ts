import type { SdkDefinition } from '../sdk-definition.js';
import { lazyOwnModule } from '../../setup/load-own.js';

// The mapping loads with the first call (see `PatchTarget`).
const messages = lazyOwnModule(new URL('./messages.js', import.meta.url), () => import('./messages.js'));

/** What AnthropicInstrumentation patches (see `SdkDefinition`). */
export const ANTHROPIC_DEFINITION: SdkDefinition = {
  instrumentationName: 'genai-usage-instrumentation-anthropic',
  moduleName: '@anthropic-ai/sdk',
  supportedVersions: ['>=0.20.0 <2'],
  targets: [
    { path: ['Messages'], method: 'create', mapping: () => messages().messagesMapping },
    { path: ['Beta', 'Messages'], method: 'create', mapping: () => messages().messagesMapping },
  ],
  roots: (mod) => [mod, mod?.Anthropic, mod?.default],
  // `@anthropic-ai/bedrock-sdk` and `@anthropic-ai/vertex-sdk` import the resource classes from
  // here and never load the SDK's main entry.
  files: ['@anthropic-ai/sdk/resources/index.js', '@anthropic-ai/sdk/resources/index.mjs'],
};
