/**
 * Amazon Bedrock's Converse API for the demo's mock server (served over HTTP/2, which the
 * AWS SDK speaks by default): `POST /model/{modelId}/converse`. Node built-ins only.
 */
import { contentText, digest, estimateTokens, generateText, isRecord, randomHex, type MockContext, type MockReply, type Rng } from './mock-common.js';

/** The Converse route's path; the model id is URL-encoded in it. */
export const CONVERSE_PATH = /^\/model\/([^/]+)\/converse$/;

const ERRORS: Record<number, { type: string; message: string }> = {
  400: { type: 'ValidationException', message: 'The request is not valid.' },
  429: { type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  500: { type: 'InternalServerException', message: 'The server encountered an internal error.' },
  503: { type: 'ServiceUnavailableException', message: 'The service is temporarily unavailable.' },
};

function headers(rng: Rng, extra: Record<string, string> = {}): Record<string, string> {
  const id = randomHex(rng, 32);
  return { 'content-type': 'application/json', 'x-amzn-requestid': `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20)}`, ...extra };
}

/** A Bedrock error: the type in `x-amzn-errortype`, the message in the body. */
export function bedrockError(rng: Rng, status: number, message?: string): MockReply {
  const base = ERRORS[status] ?? ERRORS[500]!;
  return { status, headers: headers(rng, { 'x-amzn-errortype': `${base.type}:http://internal.amazon.com/coral/com.amazon.bedrock/` }), json: { message: message ?? base.message } };
}

/**
 * A Converse reply. Like Bedrock, `inputTokens` counts only what was neither read from nor
 * written to the prompt cache (a `cachePoint` block in `system` marks the cached prefix).
 */
export function converse(body: Record<string, unknown>, ctx: MockContext, modelId: string): MockReply {
  if (!Array.isArray(body['messages']) || body['messages'].length === 0) return bedrockError(ctx.rng, 400, 'messages: at least one message is required.');
  const system = Array.isArray(body['system']) ? body['system'].filter(isRecord) : [];
  const cached = system.some((block) => isRecord(block['cachePoint'])) ? contentText(system) : '';
  const messages = body['messages'].filter(isRecord).map((m) => contentText(m['content'])).join('\n');
  const cachedTokens = estimateTokens(cached);
  const fresh = estimateTokens(messages) + (cached ? 0 : estimateTokens(contentText(system))) + 3;
  let cacheRead = 0;
  let cacheWrite = 0;
  if (cachedTokens > 0) {
    const key = digest(`${modelId}\u0000${cached}`);
    if (ctx.promptCache.has(key)) cacheRead = cachedTokens;
    else {
      ctx.promptCache.add(key);
      cacheWrite = cachedTokens;
    }
  }
  const config = isRecord(body['inferenceConfig']) ? body['inferenceConfig'] : {};
  const out = generateText(ctx.rng, typeof config['maxTokens'] === 'number' ? config['maxTokens'] : undefined);
  const usage: Record<string, number> = { inputTokens: fresh, outputTokens: out.tokens, totalTokens: fresh + cacheRead + cacheWrite + out.tokens };
  if (cachedTokens > 0) Object.assign(usage, { cacheReadInputTokens: cacheRead, cacheWriteInputTokens: cacheWrite });
  return {
    status: 200,
    headers: headers(ctx.rng),
    json: {
      output: { message: { role: 'assistant', content: [{ text: out.text }] } },
      stopReason: out.truncated ? 'max_tokens' : 'end_turn',
      usage,
      metrics: { latencyMs: 200 + Math.floor(ctx.rng() * 600) },
    },
    usage: { inputTokens: fresh + cacheRead + cacheWrite, outputTokens: out.tokens },
  };
}
