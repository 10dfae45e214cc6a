/**
 * Synthesized OpenAI API responses for the demo's mock server: Chat Completions
 * (JSON and SSE), Embeddings and errors. The Responses API is in
 * mock-openai-responses.ts. Shapes follow the `openai` SDK's types.
 */
import {
  contentText,
  estimateTokens,
  exampleArguments,
  generateText,
  isReasoningModel,
  isRecord,
  randomHex,
  randomId,
  randomInt,
  resolveModel,
  splitDeltas,
  splitJson,
  sseEvent,
} from './mock-common.js';
import type { MockContext, MockReply, Rng } from './mock-common.js';

/** A system prompt at least this long (characters) is treated as cached... */
export const CACHEABLE_PROMPT_CHARS = 1024;
/** ...for about this share of its tokens. */
export const CACHED_SHARE = 0.8;

export function openaiHeaders(rng: Rng, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-request-id': `req_${randomHex(rng, 32)}`,
    'openai-processing-ms': String(randomInt(rng, 80, 900)),
    'openai-version': '2020-10-01',
    ...extra,
  };
}

const ERRORS: Record<number, { message: string; type: string; code: string | null }> = {
  400: { message: 'Invalid request.', type: 'invalid_request_error', code: null },
  404: { message: 'Not found.', type: 'invalid_request_error', code: null },
  429: {
    message:
      'Rate limit reached for requests per min (RPM): Limit 500, Used 500, Requested 1. Please try again in 250ms. Visit https://platform.openai.com/account/rate-limits to learn more.',
    type: 'requests',
    code: 'rate_limit_exceeded',
  },
  500: {
    message: 'The server had an error while processing your request. Sorry about that!',
    type: 'server_error',
    code: null,
  },
  529: { message: 'The engine is currently overloaded, please try again later.', type: 'server_error', code: null },
};

/** An error in OpenAI's `{ error: { message, type, param, code } }` format. */
export function openaiError(rng: Rng, status: number, message?: string, param: string | null = null): MockReply {
  const base = ERRORS[status] ?? ERRORS[500]!;
  const extra: Record<string, string> = status === 429 ? { 'retry-after': '1', 'retry-after-ms': '250' } : {};
  return {
    status,
    headers: openaiHeaders(rng, extra),
    json: { error: { message: message ?? base.message, type: base.type, param, code: base.code } },
  };
}

interface ChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number; audio_tokens: number };
  completion_tokens_details: {
    reasoning_tokens: number;
    audio_tokens: number;
    accepted_prediction_tokens: number;
    rejected_prediction_tokens: number;
  };
}

/** Cached tokens: about 80% of a long system/developer prompt. */
export function cachedTokens(systemText: string): number {
  return systemText.length >= CACHEABLE_PROMPT_CHARS ? Math.floor(estimateTokens(systemText) * CACHED_SHARE) : 0;
}

/** Hidden reasoning tokens for reasoning models, in multiples of 64. */
export function reasoningTokens(rng: Rng, model: string): number {
  return isReasoningModel(model) ? 64 * randomInt(rng, 2, 16) : 0;
}

interface PlannedOutput {
  text: string | null;
  toolCall?: { id: string; name: string; arguments: string };
  finishReason: 'stop' | 'length' | 'tool_calls';
  visibleTokens: number;
}

/** Calls the first function tool when the conversation ends with a user turn; else writes text. */
function planChatOutput(body: Record<string, unknown>, rng: Rng, maxTokens?: number): PlannedOutput {
  const messages = Array.isArray(body['messages']) ? body['messages'] : [];
  const last = messages.at(-1);
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isRecord) : [];
  const choice = body['tool_choice'];
  const forced = isRecord(choice) && isRecord(choice['function']) ? choice['function']['name'] : undefined;
  const tool = tools.find((t) => isRecord(t['function']) && (forced === undefined || t['function']['name'] === forced));
  if (tool && isRecord(tool['function']) && choice !== 'none' && isRecord(last) && last['role'] === 'user') {
    const fn = tool['function'];
    const args = JSON.stringify(exampleArguments(fn['parameters']));
    const name = String(fn['name']);
    return {
      text: null,
      toolCall: { id: `call_${randomId(rng, 24)}`, name, arguments: args },
      finishReason: 'tool_calls',
      visibleTokens: estimateTokens(name + args) + 7,
    };
  }
  const generated = generateText(rng, maxTokens);
  const finishReason = generated.truncated ? 'length' : 'stop';
  return { text: generated.text, finishReason, visibleTokens: generated.tokens };
}

function numberField(body: Record<string, unknown>, ...names: string[]): number | undefined {
  for (const name of names) if (typeof body[name] === 'number') return body[name];
  return undefined;
}

/** `POST /v1/chat/completions`. */
export function chatCompletions(body: Record<string, unknown>, ctx: MockContext): MockReply {
  const { rng } = ctx;
  if (typeof body['model'] !== 'string') return openaiError(rng, 400, 'you must provide a model parameter', 'model');
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) {
    return openaiError(rng, 400, "Missing required parameter: 'messages'.", 'messages');
  }
  const model = resolveModel(body['model']);
  let promptTokens = 3;
  let systemText = '';
  for (const message of body['messages'].filter(isRecord)) {
    const text = contentText(message['content']) + JSON.stringify(message['tool_calls'] ?? '');
    promptTokens += 4 + estimateTokens(text);
    if (message['role'] === 'system' || message['role'] === 'developer') systemText += contentText(message['content']);
  }
  if (Array.isArray(body['tools'])) promptTokens += estimateTokens(JSON.stringify(body['tools']));
  const output = planChatOutput(body, rng, numberField(body, 'max_completion_tokens', 'max_tokens'));
  const reasoning = reasoningTokens(rng, model);
  const usage: ChatUsage = {
    prompt_tokens: promptTokens,
    completion_tokens: output.visibleTokens + reasoning,
    total_tokens: promptTokens + output.visibleTokens + reasoning,
    prompt_tokens_details: { cached_tokens: Math.min(cachedTokens(systemText), promptTokens), audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
  const meta = {
    id: `chatcmpl-${randomId(rng, 29)}`,
    created: ctx.now(),
    model,
    service_tier: 'default',
    system_fingerprint: `fp_${randomHex(rng, 10)}`,
  };
  const replyUsage = { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens };
  if (body['stream'] === true) {
    const options = body['stream_options'];
    const includeUsage = isRecord(options) && options['include_usage'] === true;
    const headers = openaiHeaders(rng, { 'content-type': 'text/event-stream; charset=utf-8' });
    const events = chatChunks(meta, output, includeUsage ? usage : undefined);
    return { status: 200, headers, events, usage: replyUsage };
  }
  const toolCall = output.toolCall;
  const message = {
    role: 'assistant',
    content: output.text,
    ...(toolCall && {
      tool_calls: [
        { id: toolCall.id, type: 'function', function: { name: toolCall.name, arguments: toolCall.arguments } },
      ],
    }),
    refusal: null,
    annotations: [],
  };
  return {
    status: 200,
    headers: openaiHeaders(rng),
    json: {
      id: meta.id,
      object: 'chat.completion',
      created: meta.created,
      model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: output.finishReason }],
      usage,
      service_tier: meta.service_tier,
      system_fingerprint: meta.system_fingerprint,
    },
    usage: replyUsage,
  };
}

/** Chunks as the API streams them; with include_usage every chunk has `usage: null` and a last one carries it. */
function chatChunks(meta: Record<string, unknown>, output: PlannedOutput, usage?: ChatUsage): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): string =>
    sseEvent({
      ...meta,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
      ...(usage && { usage: null }),
    });
  const events = [chunk({ role: 'assistant', content: output.toolCall ? null : '', refusal: null }, null)];
  if (output.toolCall) {
    const { id, name, arguments: args } = output.toolCall;
    events.push(chunk({ tool_calls: [{ index: 0, id, type: 'function', function: { name, arguments: '' } }] }, null));
    for (const piece of splitJson(args)) {
      events.push(chunk({ tool_calls: [{ index: 0, function: { arguments: piece } }] }, null));
    }
  } else {
    for (const piece of splitDeltas(output.text ?? '')) events.push(chunk({ content: piece }, null));
  }
  events.push(chunk({}, output.finishReason));
  if (usage) events.push(sseEvent({ ...meta, object: 'chat.completion.chunk', choices: [], usage }));
  events.push(sseEvent('[DONE]'));
  return events;
}

/** Deterministic unit vector for a text (the same text always embeds the same way). */
function embed(text: string, dimensions: number): Float32Array {
  let seed = 2166136261;
  for (let i = 0; i < text.length; i++) seed = Math.imul(seed ^ text.charCodeAt(i), 16777619);
  const vector = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    seed = Math.imul(seed ^ (seed >>> 13), 0x5bd1e995) ^ i;
    vector[i] = ((seed >>> 0) / 4294967296) * 2 - 1;
    norm += vector[i]! * vector[i]!;
  }
  const scale = 1 / Math.sqrt(norm || 1);
  for (let i = 0; i < dimensions; i++) vector[i] = vector[i]! * scale;
  return vector;
}

const EMBEDDING_DIMENSIONS: Record<string, number> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
};

/** `POST /v1/embeddings`: float arrays, or little-endian float32 base64 when `encoding_format: 'base64'`. */
export function embeddings(body: Record<string, unknown>, ctx: MockContext): MockReply {
  const { rng } = ctx;
  if (typeof body['model'] !== 'string') return openaiError(rng, 400, 'you must provide a model parameter', 'model');
  const raw = body['input'];
  const inputs: unknown[] = Array.isArray(raw) && raw.every((x) => typeof x !== 'number') ? raw : [raw];
  if (raw === undefined || inputs.length === 0) return openaiError(rng, 400, "'input' is a required property", 'input');
  const model = body['model'];
  const dimensions = numberField(body, 'dimensions') ?? EMBEDDING_DIMENSIONS[model] ?? 1536;
  const base64 = body['encoding_format'] === 'base64';
  let promptTokens = 0;
  const data = inputs.map((input, index) => {
    const text = typeof input === 'string' ? input : JSON.stringify(input);
    promptTokens += Array.isArray(input) ? input.length : estimateTokens(text);
    const vector = embed(text, dimensions);
    const embedding = base64 ? Buffer.from(vector.buffer).toString('base64') : Array.from(vector);
    return { object: 'embedding', index, embedding };
  });
  return {
    status: 200,
    headers: openaiHeaders(rng, { 'openai-model': model }),
    json: { object: 'list', data, model, usage: { prompt_tokens: promptTokens, total_tokens: promptTokens } },
    usage: { inputTokens: promptTokens, outputTokens: 0 },
  };
}
