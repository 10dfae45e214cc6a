// Generated provider responses for the benchmarks' stub `fetch`: the SDKs parse them exactly
// as they would a real response, with the network out of the picture.

/** An OpenAI chat stream of `n` content chunks, then a usage chunk and [DONE]. */
export function openaiSse(n) {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1761907398, model: 'gpt-4o-mini-2024-07-18' };
  const out = [];
  for (let i = 0; i < n; i++) out.push(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { content: ' tok' }, finish_reason: null }] })}\n\n`);
  out.push(`data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 120, completion_tokens: n, total_tokens: 120 + n, prompt_tokens_details: { cached_tokens: 0 } } })}\n\n`);
  out.push('data: [DONE]\n\n');
  return out.join('');
}

/** An Anthropic message stream of `n` text deltas, usage in message_start and message_delta. */
export function anthropicSse(n) {
  const ev = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const out = [ev('message_start', { message: { id: 'msg_bench', type: 'message', role: 'assistant', model: 'claude-haiku-4-5-20251001', content: [], stop_reason: null, usage: { input_tokens: 120, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 } } })];
  out.push(ev('content_block_start', { index: 0, content_block: { type: 'text', text: '' } }));
  for (let i = 0; i < n; i++) out.push(ev('content_block_delta', { index: 0, delta: { type: 'text_delta', text: ' tok' } }));
  out.push(ev('content_block_stop', { index: 0 }));
  out.push(ev('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null }, usage: { output_tokens: n } }));
  out.push(ev('message_stop', {}));
  return out.join('');
}

/** A Gemini `streamGenerateContent?alt=sse` stream of `n` chunks, each with the running usage. */
export function geminiSse(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const chunk = {
      candidates: [{ content: { role: 'model', parts: [{ text: ' tok' }] }, ...(last ? { finishReason: 'STOP' } : {}), index: 0 }],
      usageMetadata: { promptTokenCount: 120, candidatesTokenCount: i + 1, totalTokenCount: 120 + i + 1 },
      modelVersion: 'gemini-2.5-flash',
      responseId: 'bench-gemini',
    };
    out.push(`data: ${JSON.stringify(chunk)}\r\n\r\n`);
  }
  return out.join('');
}

/** A Mistral chat stream of `n` content chunks, usage on the last one, then [DONE]. */
export function mistralSse(n) {
  const base = { id: 'bench-mistral', object: 'chat.completion.chunk', created: 1764409601, model: 'mistral-small-latest' };
  const out = [];
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const chunk = { ...base, choices: [{ index: 0, delta: { content: ' tok' }, finish_reason: last ? 'stop' : null }], ...(last ? { usage: { prompt_tokens: 120, completion_tokens: n, total_tokens: 120 + n } } : {}) };
    out.push(`data: ${JSON.stringify(chunk)}\n\n`);
  }
  out.push('data: [DONE]\n\n');
  return out.join('');
}

/** A Bedrock Converse response (Amazon Nova Pro), as JSON bytes. */
export function bedrockConverseJson() {
  return new TextEncoder().encode(
    JSON.stringify({
      output: { message: { role: 'assistant', content: [{ text: 'Order #48213 shipped on Tuesday.' }] } },
      stopReason: 'end_turn',
      usage: { inputTokens: 120, outputTokens: 9, totalTokens: 129 },
      metrics: { latencyMs: 412 },
    }),
  );
}

/**
 * A Bedrock ConverseStream response body: AWS event-stream frames (`encode` is an
 * `EventStreamCodec`'s) for messageStart, `n` text deltas, messageStop and metadata.
 */
export function bedrockConverseStream(n, codec) {
  const utf8 = new TextEncoder();
  const str = (value) => ({ type: 'string', value });
  const frame = (type, data) => codec.encode({ headers: { ':message-type': str('event'), ':event-type': str(type), ':content-type': str('application/json') }, body: utf8.encode(JSON.stringify(data)) });
  const frames = [frame('messageStart', { role: 'assistant' })];
  for (let i = 0; i < n; i++) frames.push(frame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: ' tok' } }));
  frames.push(frame('contentBlockStop', { contentBlockIndex: 0 }), frame('messageStop', { stopReason: 'end_turn' }));
  frames.push(frame('metadata', { usage: { inputTokens: 120, outputTokens: n, totalTokens: 120 + n }, metrics: { latencyMs: 412 } }));
  return Buffer.concat(frames);
}
