/**
 * Shared pieces of the demo's mock LLM server: a seeded PRNG, token estimates,
 * model aliases, synthetic text, and the reply shape the router writes.
 * Node built-ins only: this ships in the package.
 */
import { createHash } from 'node:crypto';

/** A PRNG returning floats in [0, 1). */
export type Rng = () => number;

/** mulberry32: small, fast, deterministic for a given 32-bit seed. */
export function createRng(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Integer in [min, max]. */
export function randomInt(rng: Rng, min: number, max: number): number {
  return min + Math.floor(rng() * (max - min + 1));
}

const ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(rng: Rng, length: number, alphabet = ID_ALPHABET): string {
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[Math.floor(rng() * alphabet.length)];
  return id;
}

export function randomHex(rng: Rng, length: number): string {
  return randomId(rng, length, '0123456789abcdef');
}

/** Rough token count: about four characters per token, as the providers' docs suggest. */
export function estimateTokens(text: string): number {
  return text.length === 0 ? 0 : Math.ceil(text.length / 4);
}

/** Stable short digest, used as a prompt-cache key. */
export function digest(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}

/** Undated aliases → the dated ids the providers report in `model`. */
export const MODEL_ALIASES: Readonly<Record<string, string>> = {
  'gpt-4o-mini': 'gpt-4o-mini-2024-07-18',
  'gpt-4o': 'gpt-4o-2024-08-06',
  'gpt-4.1': 'gpt-4.1-2025-04-14',
  'gpt-4.1-mini': 'gpt-4.1-mini-2025-04-14',
  'gpt-4.1-nano': 'gpt-4.1-nano-2025-04-14',
  o1: 'o1-2024-12-17',
  'o3-mini': 'o3-mini-2025-01-31',
  o3: 'o3-2025-04-16',
  'o4-mini': 'o4-mini-2025-04-16',
  'gpt-5': 'gpt-5-2025-08-07',
  'gpt-5-mini': 'gpt-5-mini-2025-08-07',
  'gpt-5-nano': 'gpt-5-nano-2025-08-07',
  'claude-haiku-4-5': 'claude-haiku-4-5-20251001',
  'claude-sonnet-4-5': 'claude-sonnet-4-5-20250929',
  'claude-opus-4-5': 'claude-opus-4-5-20251101',
  'claude-opus-4-1': 'claude-opus-4-1-20250805',
  'claude-sonnet-4-0': 'claude-sonnet-4-20250514',
  'claude-opus-4-0': 'claude-opus-4-20250514',
  'claude-3-7-sonnet-latest': 'claude-3-7-sonnet-20250219',
  'claude-3-5-haiku-latest': 'claude-3-5-haiku-20241022',
};

export function resolveModel(model: string): string {
  return MODEL_ALIASES[model] ?? model;
}

/** OpenAI models that spend hidden reasoning tokens (o-series, gpt-5 family). */
export function isReasoningModel(model: string): boolean {
  return /^(o\d|gpt-5)/.test(model);
}

const SENTENCES = [
  'I checked the account and the last invoice was paid on time.',
  'The order shipped yesterday and should arrive within three business days.',
  'You can reset the password from the settings page under Security.',
  'Refunds are usually processed within five to seven business days.',
  'The error comes from an expired API key; generating a new one fixes it.',
  'Our rate limits reset every minute, so retrying with backoff will work.',
  'I have summarised the document into the three points below.',
  'The quarterly report shows revenue up twelve percent year over year.',
  'That feature is available on the Team and Enterprise plans.',
  'Let me know if you would like me to escalate this to a specialist.',
  'The deployment finished successfully and all health checks pass.',
  'Caching the system prompt cuts both latency and input cost.',
];

export interface GeneratedText {
  text: string;
  tokens: number;
  /** True when `maxTokens` cut the text short. */
  truncated: boolean;
}

/** Picks sentences until about `target` tokens, never exceeding `maxTokens`. */
export function generateText(rng: Rng, maxTokens?: number): GeneratedText {
  const target = randomInt(rng, 12, 90);
  let text = '';
  while (estimateTokens(text) < target) {
    const sentence = SENTENCES[Math.floor(rng() * SENTENCES.length)] ?? '';
    text = text === '' ? sentence : `${text} ${sentence}`;
  }
  if (maxTokens !== undefined && maxTokens > 0 && estimateTokens(text) > maxTokens) {
    text = text.slice(0, maxTokens * 4);
    return { text, tokens: maxTokens, truncated: true };
  }
  return { text, tokens: estimateTokens(text), truncated: false };
}

/** Splits text into stream deltas of one word each (leading space kept, like the real APIs). */
export function splitDeltas(text: string): string[] {
  return text.match(/\s*\S+/g) ?? [text];
}

/** Splits a JSON string into a few pieces, as tool-argument deltas arrive. */
export function splitJson(json: string, size = 12): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < json.length; i += size) pieces.push(json.slice(i, i + size));
  return pieces.length === 0 ? [''] : pieces;
}

/** Example arguments for a JSON-schema tool: required properties filled with plausible values. */
export function exampleArguments(schema: unknown): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  if (!isRecord(schema) || !isRecord(schema['properties'])) return args;
  const required = Array.isArray(schema['required']) ? (schema['required'] as unknown[]) : undefined;
  for (const [name, prop] of Object.entries(schema['properties'])) {
    if (required !== undefined && !required.includes(name)) continue;
    const p = isRecord(prop) ? prop : {};
    if (Array.isArray(p['enum']) && p['enum'].length > 0) args[name] = p['enum'][0];
    else if (p['type'] === 'number' || p['type'] === 'integer') args[name] = 1;
    else if (p['type'] === 'boolean') args[name] = true;
    else if (p['type'] === 'array') args[name] = [];
    else if (p['type'] === 'object') args[name] = {};
    else args[name] = name === 'location' || name === 'city' ? 'Paris, France' : 'example';
  }
  return args;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Text of a message `content`: a string, or an array of parts with `text` (other parts ignored). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : ''))
    .join('\n');
}

/** What a route handler returns; the server writes it (with latency between SSE events). */
export type MockReply = (
  | { status: number; headers: Record<string, string>; json: unknown }
  | { status: number; headers: Record<string, string>; events: string[] }
) & { usage?: ReplyUsage };

/** Per-request state a route handler draws from. */
export interface MockContext {
  /** Content PRNG: ids, text, token jitter. */
  rng: Rng;
  /** Prompt-cache keys seen by this server (Anthropic cache_control prefixes). */
  promptCache: Set<string>;
  /** Unix seconds. */
  now: () => number;
}

/** One SSE event: `event:` line when named, one `data:` line, blank-line terminated. */
export function sseEvent(data: unknown, event?: string): string {
  const payload = typeof data === 'string' ? data : JSON.stringify(data);
  return `${event === undefined ? '' : `event: ${event}\n`}data: ${payload}\n\n`;
}

/** Token totals a reply reports, for the server's stats. */
export interface ReplyUsage {
  inputTokens: number;
  outputTokens: number;
}
