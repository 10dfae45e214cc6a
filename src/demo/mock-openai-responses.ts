/**
 * Synthesized OpenAI Responses API replies (`POST /v1/responses`), JSON and the
 * SSE event sequence (response.created … response.completed).
 */
import {
  contentText,
  estimateTokens,
  exampleArguments,
  generateText,
  isRecord,
  randomHex,
  resolveModel,
  splitDeltas,
  splitJson,
  sseEvent,
} from './mock-common.js';
import type { MockContext, MockReply } from './mock-common.js';
import { cachedTokens, openaiError, openaiHeaders, reasoningTokens } from './mock-openai.js';

type Item = Record<string, unknown>;

function inputItems(input: unknown): Item[] {
  if (typeof input === 'string') return [{ type: 'message', role: 'user', content: input }];
  return Array.isArray(input) ? input.filter(isRecord) : [];
}

/** `POST /v1/responses`. */
export function responses(body: Record<string, unknown>, ctx: MockContext): MockReply {
  const { rng } = ctx;
  if (typeof body['model'] !== 'string') return openaiError(rng, 400, "Missing required parameter: 'model'.", 'model');
  const model = resolveModel(body['model']);
  const items = inputItems(body['input']);
  const instructions = typeof body['instructions'] === 'string' ? body['instructions'] : '';
  let systemText = instructions;
  let inputTokens = estimateTokens(instructions) + 3;
  for (const item of items) {
    inputTokens += 4 + estimateTokens(contentText(item['content']) + String(item['output'] ?? item['arguments'] ?? ''));
    if (item['role'] === 'system' || item['role'] === 'developer') systemText += contentText(item['content']);
  }
  const tools = Array.isArray(body['tools']) ? body['tools'].filter(isRecord) : [];
  if (tools.length > 0) inputTokens += estimateTokens(JSON.stringify(tools));

  const id = `resp_${randomHex(rng, 48)}`;
  const output: Item[] = [];
  const reasoning = reasoningTokens(rng, model);
  if (reasoning > 0) output.push({ id: `rs_${randomHex(rng, 48)}`, type: 'reasoning', summary: [] });
  const fnTool = tools.find((t) => t['type'] === 'function');
  const lastItem = items.at(-1);
  let visibleTokens: number;
  let truncated = false;
  if (fnTool && body['tool_choice'] !== 'none' && lastItem?.['type'] !== 'function_call_output') {
    const args = JSON.stringify(exampleArguments(fnTool['parameters']));
    const callId = `call_${randomHex(rng, 24)}`;
    output.push({
      id: `fc_${randomHex(rng, 48)}`,
      type: 'function_call',
      status: 'completed',
      arguments: args,
      call_id: callId,
      name: fnTool['name'],
    });
    visibleTokens = estimateTokens(args) + 7;
  } else {
    const max = typeof body['max_output_tokens'] === 'number' ? body['max_output_tokens'] - reasoning : undefined;
    const generated = generateText(rng, max);
    truncated = generated.truncated;
    visibleTokens = generated.tokens;
    const part = { type: 'output_text', annotations: [], logprobs: [], text: generated.text };
    const msgId = `msg_${randomHex(rng, 48)}`;
    output.push({ id: msgId, type: 'message', status: 'completed', content: [part], role: 'assistant' });
  }
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: Math.min(cachedTokens(systemText), inputTokens), cache_write_tokens: 0 },
    output_tokens: visibleTokens + reasoning,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: inputTokens + visibleTokens + reasoning,
  };
  const created = ctx.now();
  const base = {
    id,
    object: 'response',
    created_at: created,
    status: 'in_progress',
    background: false,
    completed_at: null,
    error: null,
    incomplete_details: null,
    instructions: instructions === '' ? null : instructions,
    max_output_tokens: body['max_output_tokens'] ?? null,
    model,
    output: [] as Item[],
    parallel_tool_calls: body['parallel_tool_calls'] ?? true,
    previous_response_id: body['previous_response_id'] ?? null,
    reasoning: { effort: reasoning > 0 ? 'medium' : null, summary: null },
    service_tier: 'default',
    store: body['store'] ?? true,
    temperature: body['temperature'] ?? 1.0,
    text: { format: { type: 'text' }, verbosity: 'medium' },
    tool_choice: body['tool_choice'] ?? 'auto',
    tools,
    top_p: body['top_p'] ?? 1.0,
    truncation: 'disabled',
    usage: null as typeof usage | null,
    user: null,
    metadata: body['metadata'] ?? {},
  };
  const final = {
    ...base,
    status: truncated ? 'incomplete' : 'completed',
    completed_at: truncated ? null : created,
    incomplete_details: truncated ? { reason: 'max_output_tokens' } : null,
    output,
    usage,
  };
  const replyUsage = { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens };
  if (body['stream'] === true) {
    const headers = openaiHeaders(rng, { 'content-type': 'text/event-stream; charset=utf-8' });
    return { status: 200, headers, events: responseEvents(base, final, truncated), usage: replyUsage };
  }
  return { status: 200, headers: openaiHeaders(rng), json: final, usage: replyUsage };
}

/** The event sequence of a streamed response; every event carries its own `event:` name. */
function responseEvents(base: Item, final: Item & { output: Item[] }, truncated: boolean): string[] {
  let seq = 0;
  const events: string[] = [];
  const emit = (type: string, fields: Item): void => {
    events.push(sseEvent({ type, sequence_number: seq++, ...fields }, type));
  };
  emit('response.created', { response: base });
  emit('response.in_progress', { response: base });
  for (const [index, item] of final.output.entries()) {
    const at = { output_index: index };
    if (item['type'] === 'message') {
      const content = item['content'] as Array<Item & { text: string }>;
      const text = content[0]?.text ?? '';
      const where = { item_id: item['id'], ...at, content_index: 0 };
      const emptyPart = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      emit('response.output_item.added', { ...at, item: { ...item, status: 'in_progress', content: [] } });
      emit('response.content_part.added', { ...where, part: emptyPart });
      for (const delta of splitDeltas(text)) emit('response.output_text.delta', { ...where, delta, logprobs: [] });
      emit('response.output_text.done', { ...where, text, logprobs: [] });
      emit('response.content_part.done', { ...where, part: { ...emptyPart, text } });
    } else if (item['type'] === 'function_call') {
      const args = String(item['arguments']);
      const where = { item_id: item['id'], ...at };
      emit('response.output_item.added', { ...at, item: { ...item, status: 'in_progress', arguments: '' } });
      for (const delta of splitJson(args)) emit('response.function_call_arguments.delta', { ...where, delta });
      emit('response.function_call_arguments.done', { ...where, name: item['name'], arguments: args });
    } else {
      emit('response.output_item.added', { ...at, item });
    }
    emit('response.output_item.done', { ...at, item });
  }
  emit(truncated ? 'response.incomplete' : 'response.completed', { response: final });
  return events;
}
