type CountTokens = (text: string) => number;

let counter: Promise<CountTokens> | undefined;

/**
 * Counts tokens with `gpt-tokenizer` (o200k_base, the GPT-4o/5 encoding) for streams that
 * carried no usage. For other providers' models it is an estimate, and records say so.
 * The encoding (~200 ms to load) is imported on first use, never at startup.
 */
export function loadTokenCounter(): Promise<CountTokens> {
  counter ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => m.countTokens as CountTokens);
  return counter;
}

/** Per-message overhead the chat formats add around each message (OpenAI's documented 3–4). */
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMER = 3;

/** Estimated input tokens of a chat-style request: text of every message plus framing. */
export function countMessageTokens(count: CountTokens, texts: readonly string[]): number {
  let total = REPLY_PRIMER;
  for (const text of texts) total += count(text) + MESSAGE_OVERHEAD;
  return total;
}

/** Every string found in a message content value (string, content-part arrays, tool args). */
export function collectText(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 6 || value == null) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectText(item, out, depth + 1);
  else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of ['text', 'content', 'input', 'arguments', 'instructions', 'system']) {
      if (key in record) collectText(record[key], out, depth + 1);
    }
  }
  return out;
}
