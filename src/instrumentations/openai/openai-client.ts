import type { LlmCallSpec } from '../llm-call.js';
import { serverOf } from '../request-attributes.js';
import { providerFromHost } from './provider-from-url.js';

type Endpoint = Pick<LlmCallSpec, 'provider' | 'serverAddress' | 'serverPort'>;
const endpoints = new Map<string, Endpoint>();

/** Where an OpenAI SDK resource sends its requests: its `_client.baseURL`, resolved once per URL. */
export function openAiEndpoint(self: unknown): Endpoint {
  const client = (self as { _client?: { baseURL?: unknown; constructor?: { name?: string } } } | undefined)?._client;
  const azure = client?.constructor?.name === 'AzureOpenAI';
  const key = `${azure ? 'azure:' : ''}${String(client?.baseURL)}`;
  let endpoint = endpoints.get(key);
  if (!endpoint) {
    const server = serverOf(client?.baseURL);
    endpoint = { provider: azure ? 'azure.ai.openai' : providerFromHost(server?.host, server?.port), serverAddress: server?.host, serverPort: server?.port };
    if (endpoints.size > 1000) endpoints.clear();
    endpoints.set(key, endpoint);
  }
  return endpoint;
}

/** OpenAI-style usage: `prompt_tokens` already includes cached, `completion_tokens` reasoning. */
export interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null; cache_write_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
  /** OpenRouter reports the billed cost in USD. */
  cost?: number;
}

export function fromOpenAiUsage(usage: OpenAiUsage | null | undefined) {
  if (!usage || typeof usage.prompt_tokens !== 'number') return undefined;
  return {
    input: usage.prompt_tokens,
    output: usage.completion_tokens ?? 0,
    cacheRead: usage.prompt_tokens_details?.cached_tokens ?? 0,
    cacheWrite: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
    reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0,
  };
}
