import type { Attributes } from '@opentelemetry/api';
import * as A from '../../semconv.js';
import type { CallOutcome, CallUsage } from '../call-outcome.js';
import type { LlmCallSpec } from '../llm-call.js';
import { serverOf } from '../request-attributes.js';
import { providerFromHost } from './provider-from-url.js';

type Endpoint = Pick<LlmCallSpec, 'provider' | 'serverAddress' | 'serverPort'>;
const endpoints = new Map<string, Endpoint>();
/** Per client, the endpoint last resolved and the `baseURL` it was resolved from (a client's URL can be changed). */
const byClient = new WeakMap<object, { baseURL: unknown; endpoint: Endpoint }>();

/** Where an OpenAI SDK resource sends its requests: its `_client.baseURL`, resolved once per client and URL. */
export function openAiEndpoint(self: unknown): Endpoint {
  const client = (self as { _client?: { baseURL?: unknown; constructor?: { name?: string } } } | undefined)?._client;
  if (typeof client !== 'object' || client === null) return resolveEndpoint(client);
  const hit = byClient.get(client);
  if (hit && hit.baseURL === client.baseURL) return hit.endpoint;
  const endpoint = resolveEndpoint(client);
  byClient.set(client, { baseURL: client.baseURL, endpoint });
  return endpoint;
}

function resolveEndpoint(client: { baseURL?: unknown; constructor?: { name?: string } } | undefined): Endpoint {
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

/**
 * OpenAI-style usage: `prompt_tokens` already includes cached, audio and image tokens;
 * `completion_tokens` reasoning and audio ones.
 */
export interface OpenAiUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  prompt_tokens_details?: {
    cached_tokens?: number | null;
    cache_write_tokens?: number | null;
    audio_tokens?: number | null;
    image_tokens?: number | null;
  } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null; audio_tokens?: number | null } | null;
  /** OpenRouter reports the billed cost in USD. */
  cost?: number;
}

export function fromOpenAiUsage(usage: OpenAiUsage | null | undefined): CallUsage | undefined {
  if (!usage || typeof usage.prompt_tokens !== 'number') return undefined;
  const prompt = usage.prompt_tokens_details;
  const completion = usage.completion_tokens_details;
  return {
    input: usage.prompt_tokens,
    output: usage.completion_tokens ?? 0,
    cacheRead: prompt?.cached_tokens ?? 0,
    cacheWrite: prompt?.cache_write_tokens ?? 0,
    reasoning: completion?.reasoning_tokens ?? 0,
    audioInput: count(prompt?.audio_tokens),
    imageInput: count(prompt?.image_tokens),
    audioOutput: count(completion?.audio_tokens),
  };
}

/** The tier OpenAI says it served (`default`, `flex`, `priority`, `scale`, ...), raw and as the attribute other readers know. */
export function servedTier(value: unknown): Pick<CallOutcome, 'serviceTier' | 'attributes'> {
  if (typeof value !== 'string' || value === '') return {};
  const tier = value.slice(0, 32);
  return { serviceTier: tier, attributes: { [A.ATTR_OPENAI_RESPONSE_SERVICE_TIER]: tier } };
}

/** The tier the request asked for, as `openai.request.service_tier`. */
export function requestedTier(value: unknown): Attributes {
  return typeof value === 'string' && value !== '' ? { [A.ATTR_OPENAI_REQUEST_SERVICE_TIER]: value.slice(0, 32) } : {};
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : 0;
}
