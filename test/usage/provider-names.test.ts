import { describe, expect, it } from 'vitest';
import { normaliseProviderName } from '../../src/usage/provider-names.js';

describe('normaliseProviderName', () => {
  it.each([
    // The Vercel AI SDK's provider ids.
    ['openai.chat', 'openai'],
    ['openai.responses', 'openai'],
    ['openai.completion', 'openai'],
    ['openai.embedding', 'openai'],
    ['anthropic.messages', 'anthropic'],
    ['google.generative-ai', 'gcp.gemini'],
    ['google.vertex.chat', 'gcp.vertex_ai'],
    ['google-vertex', 'gcp.vertex_ai'],
    ['amazon-bedrock', 'aws.bedrock'],
    ['amazon-bedrock.chat', 'aws.bedrock'],
    ['azure.chat', 'azure.ai.openai'],
    ['mistral.chat', 'mistral_ai'],
    ['xai.chat', 'x_ai'],
    ['groq.chat', 'groq'],
    ['deepseek.chat', 'deepseek'],
    ['togetherai.chat', 'together'],
    // Older semconv values and other spellings.
    ['vertex_ai', 'gcp.vertex_ai'],
    ['gemini', 'gcp.gemini'],
    ['az.ai.openai', 'azure.ai.openai'],
    ['az.ai.inference', 'azure.ai.inference'],
    ['xai', 'x_ai'],
    ['OpenAI', 'openai'],
    ['Anthropic', 'anthropic'],
    // Current names and unknown ones are kept.
    ['gcp.gemini', 'gcp.gemini'],
    ['azure.ai.inference', 'azure.ai.inference'],
    ['aws.bedrock', 'aws.bedrock'],
    ['openrouter', 'openrouter'],
    ['acme.sdk', 'acme.sdk'],
    ['openai-compatible-thing', 'openai-compatible-thing'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseProviderName(raw)).toBe(expected);
  });
});
