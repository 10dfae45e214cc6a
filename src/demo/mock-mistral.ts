/**
 * Synthesized Mistral API responses for the demo's mock server (what `@mistralai/mistralai`
 * calls under `serverURL: <mock>/mistral`): chat completions, JSON and SSE (usage on the last
 * chunk, then `[DONE]`), and errors.
 */
import { contentText, estimateTokens, generateText, isRecord, randomHex, sseEvent, splitDeltas } from './mock-common.js';
import type { MockContext, MockReply, Rng } from './mock-common.js';
import { cachedTokens } from './mock-openai.js';

const ERRORS: Record<number, { message: string; type: string; code: string }> = {
  400: { message: 'Invalid request', type: 'invalid_request_error', code: '3000' },
  429: { message: 'Requests rate limit exceeded', type: 'rate_limited', code: '1300' },
  500: { message: 'Internal server error', type: 'internal_server_error', code: '3100' },
};

/** An error in Mistral's `{ object: 'error', message, type, param, code }` format. */
export function mistralError(_rng: Rng, status: number, message?: string): MockReply {
  const base = ERRORS[status] ?? ERRORS[500]!;
  return { status, headers: { 'content-type': 'application/json' }, json: { object: 'error', message: message ?? base.message, type: base.type, param: null, code: base.code } };
}

/** `POST /mistral/v1/chat/completions`. */
export function mistralChat(body: Record<string, unknown>, ctx: MockContext): MockReply {
  const { rng } = ctx;
  if (typeof body['model'] !== 'string') return mistralError(rng, 400, 'model: Field required');
  const messages = Array.isArray(body['messages']) ? body['messages'].filter(isRecord) : [];
  if (messages.length === 0) return mistralError(rng, 400, 'messages: Field required');
  let promptTokens = 0;
  let system = '';
  for (const m of messages) {
    promptTokens += 4 + estimateTokens(contentText(m['content']));
    if (m['role'] === 'system') system += contentText(m['content']);
  }
  const maxTokens = typeof body['max_tokens'] === 'number' ? body['max_tokens'] : undefined;
  const generated = generateText(rng, maxTokens);
  const cached = Math.min(cachedTokens(system), promptTokens);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: generated.tokens,
    total_tokens: promptTokens + generated.tokens,
    ...(cached > 0 && { prompt_tokens_details: { cached_tokens: cached } }),
  };
  const meta = { id: randomHex(rng, 32), created: ctx.now(), model: body['model'] };
  const finish = generated.truncated ? 'length' : 'stop';
  const replyUsage = { inputTokens: promptTokens, outputTokens: generated.tokens };
  if (body['stream'] !== true) {
    return {
      status: 200,
      headers: { 'content-type': 'application/json' },
      json: { ...meta, object: 'chat.completion', usage, choices: [{ index: 0, message: { role: 'assistant', content: generated.text, tool_calls: null, prefix: false }, finish_reason: finish }] },
      usage: replyUsage,
    };
  }
  const chunk = (delta: Record<string, unknown>, finishReason: string | null, last = false) =>
    sseEvent({ ...meta, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finishReason }], ...(last && { usage }) });
  const events = [chunk({ role: 'assistant', content: '' }, null)];
  for (const piece of splitDeltas(generated.text)) events.push(chunk({ content: piece }, null));
  events.push(chunk({ content: '' }, finish, true), sseEvent('[DONE]'));
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, events, usage: replyUsage };
}
