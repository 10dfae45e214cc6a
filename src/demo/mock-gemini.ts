/**
 * Synthesized Gemini API responses for the demo's mock server (what `@google/genai` calls under
 * `httpOptions.baseUrl`): `models/{model}:generateContent`, `:streamGenerateContent?alt=sse`
 * (each chunk carries the running usage, as the API does) and `:batchEmbedContents`.
 */
import { contentText, estimateTokens, generateText, isRecord, randomId, randomInt, sseEvent, splitDeltas } from './mock-common.js';
import type { MockContext, MockReply, Rng } from './mock-common.js';
import { cachedTokens } from './mock-openai.js';

const JSON_HEADERS = { 'content-type': 'application/json; charset=UTF-8' };
const STATUS: Record<number, string> = { 400: 'INVALID_ARGUMENT', 404: 'NOT_FOUND', 429: 'RESOURCE_EXHAUSTED', 500: 'INTERNAL', 503: 'UNAVAILABLE' };

/** An error in Google's `{ error: { code, message, status } }` format. */
export function geminiError(_rng: Rng, status: number, message?: string): MockReply {
  const code = STATUS[status] ? status : 500;
  const text = message ?? (code === 429 ? 'Resource has been exhausted (e.g. check quota).' : 'An internal error has occurred.');
  return { status: code, headers: JSON_HEADERS, json: { error: { code, message: text, status: STATUS[code] } } };
}

/** Gemini 2.5 and later models think before they answer; thoughts are billed as output. */
function thinks(model: string): boolean {
  return /^gemini-(2\.5|[3-9])/.test(model);
}

function promptText(body: Record<string, unknown>): { text: string; system: string } {
  const contents = Array.isArray(body['contents']) ? body['contents'] : [];
  const text = contents.map((c) => (isRecord(c) ? contentText(c['parts']) : '')).join('\n');
  const instruction = body['systemInstruction'];
  const system = isRecord(instruction) ? contentText(instruction['parts']) : '';
  return { text, system };
}

/** `POST models/{model}:generateContent` and `:streamGenerateContent`. */
export function generateContent(model: string, stream: boolean, body: Record<string, unknown>, ctx: MockContext): MockReply {
  const { rng } = ctx;
  if (!Array.isArray(body['contents']) || body['contents'].length === 0) return geminiError(rng, 400, '* GenerateContentRequest.contents: contents is not specified\n');
  const { text, system } = promptText(body);
  const promptTokens = estimateTokens(text) + estimateTokens(system) + 2;
  const cached = Math.min(cachedTokens(system), promptTokens);
  const config = isRecord(body['generationConfig']) ? body['generationConfig'] : {};
  const maxTokens = typeof config['maxOutputTokens'] === 'number' ? config['maxOutputTokens'] : undefined;
  const generated = generateText(rng, maxTokens);
  const thoughts = thinks(model) ? randomInt(rng, 96, 480) : 0;
  const finishReason = generated.truncated ? 'MAX_TOKENS' : 'STOP';
  const responseId = randomId(rng, 22);
  const usageAfter = (candidates: number) => ({
    promptTokenCount: promptTokens,
    candidatesTokenCount: candidates,
    totalTokenCount: promptTokens + candidates + thoughts,
    ...(cached > 0 && { cachedContentTokenCount: cached }),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: promptTokens }],
    ...(thoughts > 0 && { thoughtsTokenCount: thoughts }),
  });
  const replyUsage = { inputTokens: promptTokens, outputTokens: generated.tokens + thoughts };
  if (!stream) {
    return {
      status: 200,
      headers: JSON_HEADERS,
      json: {
        candidates: [{ content: { parts: [{ text: generated.text }], role: 'model' }, finishReason, index: 0 }],
        usageMetadata: usageAfter(generated.tokens),
        modelVersion: model,
        responseId,
      },
      usage: replyUsage,
    };
  }
  const pieces = splitDeltas(generated.text);
  let sent = '';
  const events = pieces.map((piece, i) => {
    sent += piece;
    const last = i === pieces.length - 1;
    const candidates = last ? generated.tokens : Math.min(generated.tokens, estimateTokens(sent));
    const candidate = { content: { parts: [{ text: piece }], role: 'model' }, ...(last && { finishReason }), index: 0 };
    return sseEvent({ candidates: [candidate], usageMetadata: usageAfter(candidates), modelVersion: model, responseId });
  });
  return { status: 200, headers: { 'content-type': 'text/event-stream' }, events, usage: replyUsage };
}

/** `POST models/{model}:batchEmbedContents`: one vector per request, input tokens in usageMetadata. */
export function batchEmbedContents(_model: string, body: Record<string, unknown>, ctx: MockContext): MockReply {
  const requests = Array.isArray(body['requests']) ? body['requests'].filter(isRecord) : [];
  if (requests.length === 0) return geminiError(ctx.rng, 400, '* BatchEmbedContentsRequest.requests: at least one request is required\n');
  let tokens = 0;
  const embeddings = requests.map((request) => {
    const text = isRecord(request['content']) ? contentText(request['content']['parts']) : '';
    tokens += estimateTokens(text);
    return { values: Array.from({ length: 8 }, () => Math.round((ctx.rng() * 2 - 1) * 1e4) / 1e4) };
  });
  return { status: 200, headers: JSON_HEADERS, json: { embeddings, usageMetadata: { promptTokenCount: tokens, totalTokenCount: tokens } }, usage: { inputTokens: tokens, outputTokens: 0 } };
}

const GEMINI_PATH = /^\/gemini\/v1(?:beta)?\/models\/([A-Za-z0-9._-]{1,100}):(generateContent|streamGenerateContent|batchEmbedContents)$/;

/** Routes `/gemini/v1/models/{model}:{method}`; undefined for any other path. */
export function geminiRoute(path: string): ((body: Record<string, unknown>, ctx: MockContext) => MockReply) | undefined {
  const match = GEMINI_PATH.exec(path);
  if (!match) return undefined;
  const model = match[1]!;
  const method = match[2]!;
  if (method === 'batchEmbedContents') return (body, ctx) => batchEmbedContents(model, body, ctx);
  return (body, ctx) => generateContent(model, method === 'streamGenerateContent', body, ctx);
}
