/**
 * The public instrumentation classes, for an OpenTelemetry SDK of the app's own. Each extends
 * `@opentelemetry/instrumentation`'s base (with require-in-the-middle and import-in-the-middle,
 * ~20 modules), which `startUsageTracking` does not need where in-thread loader hooks work: so
 * the public entry exports stand-ins that load the class with its first use (`new`, `extends`,
 * `instanceof`, a static), synchronously.
 */
import { lazyClass, lazyOwnModule } from '../setup/load-own.js';

const openai = lazyOwnModule(new URL('./openai/openai-instrumentation.js', import.meta.url), () => import('./openai/openai-instrumentation.js'));
const anthropic = lazyOwnModule(new URL('./anthropic/anthropic-instrumentation.js', import.meta.url), () => import('./anthropic/anthropic-instrumentation.js'));
const googleGenAI = lazyOwnModule(new URL('./google-genai/google-genai-instrumentation.js', import.meta.url), () => import('./google-genai/google-genai-instrumentation.js'));
const mistral = lazyOwnModule(new URL('./mistral/mistral-instrumentation.js', import.meta.url), () => import('./mistral/mistral-instrumentation.js'));
const googleGenerativeAI = lazyOwnModule(
  new URL('./google-generative-ai/google-generative-ai-instrumentation.js', import.meta.url),
  () => import('./google-generative-ai/google-generative-ai-instrumentation.js'),
);
const bedrock = lazyOwnModule(new URL('./bedrock/bedrock-instrumentation.js', import.meta.url), () => import('./bedrock/bedrock-instrumentation.js'));

export const OpenAIInstrumentation = lazyClass(() => openai().OpenAIInstrumentation);
export type OpenAIInstrumentation = import('./openai/openai-instrumentation.js').OpenAIInstrumentation;
export const AnthropicInstrumentation = lazyClass(() => anthropic().AnthropicInstrumentation);
export type AnthropicInstrumentation = import('./anthropic/anthropic-instrumentation.js').AnthropicInstrumentation;
export const GoogleGenAIInstrumentation = lazyClass(() => googleGenAI().GoogleGenAIInstrumentation);
export type GoogleGenAIInstrumentation = import('./google-genai/google-genai-instrumentation.js').GoogleGenAIInstrumentation;
export const MistralInstrumentation = lazyClass(() => mistral().MistralInstrumentation);
export type MistralInstrumentation = import('./mistral/mistral-instrumentation.js').MistralInstrumentation;
export const GoogleGenerativeAIInstrumentation = lazyClass(() => googleGenerativeAI().GoogleGenerativeAIInstrumentation);
export type GoogleGenerativeAIInstrumentation = import('./google-generative-ai/google-generative-ai-instrumentation.js').GoogleGenerativeAIInstrumentation;
export const BedrockRuntimeInstrumentation = lazyClass(() => bedrock().BedrockRuntimeInstrumentation);
export type BedrockRuntimeInstrumentation = import('./bedrock/bedrock-instrumentation.js').BedrockRuntimeInstrumentation;
