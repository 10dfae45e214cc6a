/**
 * Synthesized Anthropic Messages API replies (`POST /v1/messages`), JSON and the
 * SSE event sequence, with prompt caching: the prefix up to a `cache_control`
 * block is written on first sight (cache_creation_input_tokens) and read after
 * (cache_read_input_tokens). Shapes follow the `@anthropic-ai/sdk` types.
 */
import {
  contentText,
  digest,
  estimateTokens,
  exampleArguments,
  generateText,
  isRecord,
  randomId,
  resolveModel,
  splitDeltas,
  splitJson,
  sseEvent,
} from './mock-common.js';
import type { MockContext, MockReply, Rng } from './mock-common.js';

const ORGANIZATION_ID = '00000000-0000-4000-8000-00000000d3e0';

function requestId(rng: Rng): string {
  return `req_011C${randomId(rng, 20)}`;
}

const ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'invalid_request_error', message: 'Invalid request.' },
  404: { type: 'not_found_error', message: 'Not found.' },
  429: {
    type: 'rate_limit_error',
    message:
      'This request would exceed the rate limit for your organization of 50 requests per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.',
  },
  500: { type: 'api_error', message: 'Internal server error' },
  529: { type: 'overloaded_error', message: 'Overloaded' },
};

/** An error in Anthropic's `{ type: 'error', error: { type, message }, request_id }` format. */
export function anthropicError(rng: Rng, status: number, message?: string): MockReply {
  const base = ERRORS[status] ?? ERRORS[500]!;
  const id = requestId(rng);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'request-id': id,
    'anthropic-organization-id': ORGANIZATION_ID,
  };
  if (status === 429) Object.assign(headers, { 'retry-after': '1', 'retry-after-ms': '250' });
  if (status >= 500) headers['x-should-retry'] = 'true';
  return {
    status,
    headers,
    json: { type: 'error', error: { type: base.type, message: message ?? base.message }, request_id: id },
  };
}

/** Text a content block contributes to the prompt (images count as a fixed ~1,600 tokens). */
function blockText(block: Record<string, unknown>): string {
  if (typeof block['text'] === 'string') return block['text'];
  if (block['type'] === 'image' || block['type'] === 'document') return 'x'.repeat(6400);
  if (block['type'] === 'tool_result') return contentText(block['content']) || JSON.stringify(block['content'] ?? '');
  return JSON.stringify(block['input'] ?? block);
}

interface PromptTokens {
  total: number;
  cacheRead: number;
  cacheWrite: number;
  writeTtl: '5m' | '1h';
}

/**
 * Walks the prompt in cache order (tools, system, messages), summing tokens and
 * noting a breakpoint at each block with `cache_control`. The longest prefix seen
 * before is read; the rest up to the last breakpoint is written.
 */
function countPrompt(body: Record<string, unknown>, cache: Set<string>): PromptTokens {
  const blocks: Array<{ text: string; cacheControl: unknown }> = [];
  const add = (value: unknown): void => {
    const block = isRecord(value) ? value : { text: String(value) };
    blocks.push({ text: blockText(block), cacheControl: block['cache_control'] });
  };
  for (const tool of Array.isArray(body['tools']) ? body['tools'] : []) {
    add({ ...(isRecord(tool) ? tool : {}), text: JSON.stringify(tool) });
  }
  const system = body['system'];
  if (typeof system === 'string') add({ text: system });
  else if (Array.isArray(system)) system.forEach(add);
  for (const message of Array.isArray(body['messages']) ? body['messages'].filter(isRecord) : []) {
    const content = message['content'];
    if (typeof content === 'string') add({ text: content });
    else if (Array.isArray(content)) content.forEach(add);
  }
  let total = 0;
  let prefix = '';
  const breakpoints: Array<{ tokens: number; key: string; ttl: '5m' | '1h' }> = [];
  for (const block of blocks) {
    total += estimateTokens(block.text) + 3;
    prefix += `\u0000${block.text}`;
    if (isRecord(block.cacheControl)) {
      const ttl = block.cacheControl['ttl'] === '1h' ? '1h' : '5m';
      breakpoints.push({ tokens: total, key: digest(prefix), ttl });
    }
  }
  const last = breakpoints.at(-1);
  if (!last) return { total, cacheRead: 0, cacheWrite: 0, writeTtl: '5m' };
  const hit = breakpoints.filter((b) => cache.has(b.key)).at(-1);
  for (const b of breakpoints) cache.add(b.key);
  const cacheRead = hit?.tokens ?? 0;
  return { total, cacheRead, cacheWrite: last.tokens - cacheRead, writeTtl: last.ttl };
}

type Block = Record<string, unknown>;

/** `POST /v1/messages`. */
export function messages(body: Record<string, unknown>, ctx: MockContext): MockReply {
  const { rng } = ctx;
  if (typeof body['model'] !== 'string') return anthropicError(rng, 400, 'model: Field required');
  if (typeof body['max_tokens'] !== 'number') return anthropicError(rng, 400, 'max_tokens: Field required');
  const msgs = Array.isArray(body['messages']) ? body['messages'].filter(isRecord) : [];
  if (msgs.length === 0) return anthropicError(rng, 400, 'messages: at least one message is required');
  const model = resolveModel(body['model']);
  const prompt = countPrompt(body, ctx.promptCache);
  const inputTokens = prompt.total - prompt.cacheRead - prompt.cacheWrite;

  const last = msgs.at(-1);
  const lastContent = last?.['content'];
  const answersTool = Array.isArray(lastContent) && lastContent.some((b) => isRecord(b) && b['type'] === 'tool_result');
  const tools = Array.isArray(body['tools']) ? body['tools'].filter((t) => isRecord(t) && 'input_schema' in t) : [];
  const choice = body['tool_choice'];
  const tool = tools.find(isRecord);
  const content: Block[] = [];
  let outputTokens: number;
  let stopReason: string;
  if (tool && !(isRecord(choice) && choice['type'] === 'none') && last?.['role'] === 'user' && !answersTool) {
    const preface = `I'll use the ${String(tool['name'])} tool to look that up.`;
    const input = exampleArguments(tool['input_schema']);
    content.push({ type: 'text', text: preface, citations: null });
    const toolId = `toolu_01${randomId(rng, 22)}`;
    content.push({ type: 'tool_use', id: toolId, name: tool['name'], input, caller: { type: 'direct' } });
    outputTokens = estimateTokens(preface + JSON.stringify(input)) + 12;
    stopReason = 'tool_use';
  } else {
    const generated = generateText(rng, body['max_tokens']);
    content.push({ type: 'text', text: generated.text, citations: null });
    outputTokens = generated.tokens;
    stopReason = generated.truncated ? 'max_tokens' : 'end_turn';
  }
  const usage = {
    input_tokens: inputTokens,
    cache_creation_input_tokens: prompt.cacheWrite,
    cache_read_input_tokens: prompt.cacheRead,
    cache_creation: {
      ephemeral_5m_input_tokens: prompt.writeTtl === '5m' ? prompt.cacheWrite : 0,
      ephemeral_1h_input_tokens: prompt.writeTtl === '1h' ? prompt.cacheWrite : 0,
    },
    output_tokens: outputTokens,
    output_tokens_details: null,
    server_tool_use: null,
    service_tier: 'standard',
    inference_geo: null,
    speed: null,
  };
  const id = `msg_01${randomId(rng, 22)}`;
  const reqId = requestId(rng);
  const headers = { 'request-id': reqId, 'anthropic-organization-id': ORGANIZATION_ID };
  const message = {
    model,
    id,
    type: 'message',
    role: 'assistant',
    content,
    stop_reason: stopReason,
    stop_sequence: null,
    stop_details: null,
    container: null,
    diagnostics: null,
    usage,
  };
  const replyUsage = { inputTokens: prompt.total, outputTokens };
  if (body['stream'] === true) {
    const sseHeaders = { ...headers, 'content-type': 'text/event-stream; charset=utf-8' };
    return { status: 200, headers: sseHeaders, events: messageEvents(message), usage: replyUsage };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, json: message, usage: replyUsage };
}

/** message_start, per block start/delta…/stop (a ping after the first start), message_delta, message_stop. */
type MessageBody = Record<string, unknown> & { content: Block[]; usage: Record<string, unknown> };

function messageEvents(message: MessageBody): string[] {
  const events: string[] = [];
  const emit = (type: string, fields: Record<string, unknown> = {}): void => {
    events.push(sseEvent({ type, ...fields }, type));
  };
  const { usage } = message;
  emit('message_start', {
    message: { ...message, content: [], stop_reason: null, stop_sequence: null, usage: { ...usage, output_tokens: 1 } },
  });
  for (const [index, block] of message.content.entries()) {
    if (block['type'] === 'tool_use') {
      emit('content_block_start', { index, content_block: { ...block, input: {} } });
      for (const partial of splitJson(JSON.stringify(block['input']))) {
        emit('content_block_delta', { index, delta: { type: 'input_json_delta', partial_json: partial } });
      }
    } else {
      emit('content_block_start', { index, content_block: { ...block, text: '' } });
      if (index === 0) emit('ping');
      for (const text of splitDeltas(String(block['text']))) {
        emit('content_block_delta', { index, delta: { type: 'text_delta', text } });
      }
    }
    emit('content_block_stop', { index });
  }
  emit('message_delta', {
    delta: { stop_reason: message['stop_reason'], stop_sequence: null, stop_details: null, container: null },
    usage: {
      input_tokens: usage['input_tokens'],
      cache_creation_input_tokens: usage['cache_creation_input_tokens'],
      cache_read_input_tokens: usage['cache_read_input_tokens'],
      output_tokens: usage['output_tokens'],
      output_tokens_details: null,
      server_tool_use: null,
    },
  });
  emit('message_stop');
  return events;
}
