import { AnthropicInstrumentation } from './anthropic/anthropic-instrumentation.js';
import { BedrockRuntimeInstrumentation } from './bedrock/bedrock-instrumentation.js';
import { OpenAIInstrumentation } from './openai/openai-instrumentation.js';
import { GoogleGenAIInstrumentation } from './google-genai/google-genai-instrumentation.js';
import { MistralInstrumentation } from './mistral/mistral-instrumentation.js';
import { GoogleGenerativeAIInstrumentation } from './google-generative-ai/google-generative-ai-instrumentation.js';
import type { LlmInstrumentationConfig, LlmSdkInstrumentation } from './sdk-instrumentation.js';

/** One instrumented SDK: everything `startUsageTracking` and the ESM loader hook need to know about it. */
export interface InstrumentationEntry {
  /** Its key in the `instrumentations` and `instrumentModules` options. */
  readonly key: string;
  /**
   * The module names it patches: `node --import genai-usage/register` wraps only these in the
   * ESM loader hook (every other module loads untouched), and `instrumentModules[key]` is the
   * first of them.
   */
  readonly modules: readonly string[];
  /**
   * Builds the instrumentation; called only when it is enabled. Keep the SDK folder's top-level
   * imports light: anything heavy (a decoder, a tokenizer) is imported on first use.
   */
  readonly create: (config: LlmInstrumentationConfig) => LlmSdkInstrumentation;
}

/**
 * Every instrumented SDK, one line each. This table drives the ESM hook's include list, the
 * `instrumentations` and `instrumentModules` option keys and their validation, and which
 * instrumentations `startUsageTracking` creates.
 */
export const INSTRUMENTATIONS = [
  { key: 'openai', modules: ['openai'], create: (config) => new OpenAIInstrumentation(config) },
  // The resources entry too: the Bedrock and Vertex clients import it without the main entry.
  { key: 'anthropic', modules: ['@anthropic-ai/sdk', '@anthropic-ai/sdk/resources/index'], create: (config) => new AnthropicInstrumentation(config) },
  { key: 'googleGenAI', modules: ['@google/genai'], create: (config) => new GoogleGenAIInstrumentation(config) },
  { key: 'mistral', modules: ['@mistralai/mistralai'], create: (config) => new MistralInstrumentation(config) },
  { key: 'googleGenerativeAI', modules: ['@google/generative-ai'], create: (config) => new GoogleGenerativeAIInstrumentation(config) },
  // `instrumentModules.bedrock`: the module, or `BedrockRuntimeClient` itself.
  { key: 'bedrock', modules: ['@aws-sdk/client-bedrock-runtime'], create: (config) => new BedrockRuntimeInstrumentation(config) },
] as const satisfies readonly InstrumentationEntry[];

/**
 * SDKs whose instrumentations are being written: the hook already wraps them, so adding one is
 * one line in the table above (and removing its name here).
 */
const UPCOMING_MODULES = ['@anthropic-ai/bedrock-sdk', '@anthropic-ai/vertex-sdk'];

/** An `instrumentations` / `instrumentModules` option key. */
export type InstrumentationKey = (typeof INSTRUMENTATIONS)[number]['key'];

/** The modules the ESM loader hook wraps (no other module pays for the hook). */
export function hookedModules(): string[] {
  return [...new Set([...INSTRUMENTATIONS.flatMap((entry) => entry.modules), ...UPCOMING_MODULES])];
}

export function instrumentationKeys(): string[] {
  return INSTRUMENTATIONS.map((entry) => entry.key);
}
