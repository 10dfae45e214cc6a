import { ANTHROPIC_DEFINITION } from './anthropic/anthropic-definition.js';
import { BEDROCK_RUNTIME_DEFINITION } from './bedrock/bedrock-definition.js';
import { GOOGLE_GENAI_DEFINITION } from './google-genai/google-genai-definition.js';
import { GOOGLE_GENERATIVE_AI_DEFINITION } from './google-generative-ai/google-generative-ai-definition.js';
import { MISTRAL_DEFINITION } from './mistral/mistral-definition.js';
import { OPENAI_DEFINITION } from './openai/openai-definition.js';
import type { LlmInstrumentationConfig, SdkDefinition } from './sdk-definition.js';
import type { LlmSdkInstrumentation } from './sdk-instrumentation.js';
import {
  AnthropicInstrumentation,
  BedrockRuntimeInstrumentation,
  GoogleGenAIInstrumentation,
  GoogleGenerativeAIInstrumentation,
  MistralInstrumentation,
  OpenAIInstrumentation,
} from './instrumentation-classes.js';

/** One instrumented SDK: everything `startUsageTracking` and the ESM loader hook need to know about it. */
export interface InstrumentationEntry {
  /** Its key in the `instrumentations` and `instrumentModules` options. */
  readonly key: string;
  /**
   * The module names it patches: `node --import genai-usage/register` wraps only these in the
   * loader hook (every other module loads untouched), and `instrumentModules[key]` is the
   * first of them.
   */
  readonly modules: readonly string[];
  /** What it patches. Keep the SDK folder's definition light: mappings load with the first call. */
  readonly definition: SdkDefinition;
  /**
   * Builds its `@opentelemetry/instrumentation` class (loaded now): what `startUsageTracking`
   * uses where in-thread loader hooks cannot hand it `require()`d modules.
   */
  readonly create: (config: LlmInstrumentationConfig) => LlmSdkInstrumentation;
}

/**
 * Every instrumented SDK, one line each. This table drives the loader hook's include list, the
 * `instrumentations` and `instrumentModules` option keys and their validation, and which
 * SDKs `startUsageTracking` patches.
 */
export const INSTRUMENTATIONS = [
  { key: 'openai', modules: ['openai'], definition: OPENAI_DEFINITION, create: (config) => new OpenAIInstrumentation(config) },
  // The resources entry too: the Bedrock and Vertex clients (`@anthropic-ai/bedrock-sdk`,
  // `@anthropic-ai/vertex-sdk`) import it without the main entry.
  {
    key: 'anthropic',
    modules: ['@anthropic-ai/sdk', '@anthropic-ai/sdk/resources/index'],
    definition: ANTHROPIC_DEFINITION,
    create: (config) => new AnthropicInstrumentation(config),
  },
  { key: 'googleGenAI', modules: ['@google/genai'], definition: GOOGLE_GENAI_DEFINITION, create: (config) => new GoogleGenAIInstrumentation(config) },
  { key: 'mistral', modules: ['@mistralai/mistralai'], definition: MISTRAL_DEFINITION, create: (config) => new MistralInstrumentation(config) },
  {
    key: 'googleGenerativeAI',
    modules: ['@google/generative-ai'],
    definition: GOOGLE_GENERATIVE_AI_DEFINITION,
    create: (config) => new GoogleGenerativeAIInstrumentation(config),
  },
  // `instrumentModules.bedrock`: the module, or `BedrockRuntimeClient` itself.
  {
    key: 'bedrock',
    modules: ['@aws-sdk/client-bedrock-runtime'],
    definition: BEDROCK_RUNTIME_DEFINITION,
    create: (config) => new BedrockRuntimeInstrumentation(config),
  },
] as const satisfies readonly InstrumentationEntry[];

/** An `instrumentations` / `instrumentModules` option key. */
export type InstrumentationKey = (typeof INSTRUMENTATIONS)[number]['key'];

/** The modules the loader hook hands over (no other module pays for the hook). */
export function hookedModules(): string[] {
  return [...new Set(INSTRUMENTATIONS.flatMap((entry) => entry.modules))];
}

export function instrumentationKeys(): string[] {
  return INSTRUMENTATIONS.map((entry) => entry.key);
}
