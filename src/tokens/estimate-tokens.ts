import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

type CountTokens = (text: string) => number;

/**
 * Counts tokens with `gpt-tokenizer` (o200k_base, the GPT-4o/5 encoding) for streams that
 * carried no usage; for other providers' models it is an estimate, and records say so.
 * The counting runs on a worker thread started on first need: loading the encoding alone
 * blocks for ~250 ms, which must not happen on the application's event loop. Running from
 * TypeScript sources (tests), where the worker's JavaScript does not exist, it counts here.
 */
export function countTokensOffThread(texts: readonly string[]): Promise<number[]> {
  if (!WORKER_FILE) return loadInThread().then((count) => texts.map((t) => count(t)));
  thread ??= startThread();
  const t = thread;
  const id = nextId++;
  return new Promise<number[]>((resolve, reject) => {
    pending.set(id, { resolve, reject });
    t.worker.ref();
    t.worker.postMessage({ id, texts });
  }).finally(() => {
    if (pending.size === 0) thread?.worker.unref();
  });
}

const WORKER_FILE = ((): URL | undefined => {
  const url = new URL('./token-count-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
})();

const pending = new Map<number, { resolve(counts: number[]): void; reject(error: Error): void }>();
let nextId = 0;
let thread: { worker: Worker } | undefined;
let inThread: Promise<CountTokens> | undefined;

function loadInThread(): Promise<CountTokens> {
  inThread ??= import('gpt-tokenizer/encoding/o200k_base').then((m) => m.countTokens as CountTokens);
  return inThread;
}

function startThread(): { worker: Worker } {
  // No inherited execArgv: under `--import genai-usage/register` the thread would start tracking too.
  const worker = new Worker(WORKER_FILE!, { execArgv: [] });
  worker.unref();
  worker.on('message', (m: { id: number; counts?: number[]; error?: string }) => {
    const p = pending.get(m.id);
    if (!p) return;
    pending.delete(m.id);
    if (m.counts) p.resolve(m.counts);
    else p.reject(new Error(m.error ?? 'token counting failed'));
  });
  const fail = (error: Error) => {
    thread = undefined; // the next estimate starts a new thread
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`the token counting thread exited (${code})`)));
  return { worker };
}

/** Per-message overhead the chat formats add around each message (OpenAI's documented 3–4). */
const MESSAGE_OVERHEAD = 4;
const REPLY_PRIMER = 3;

/** Estimated input tokens of a chat-style request from each message's count, plus framing. */
export function messageTokens(counts: readonly number[]): number {
  let total = REPLY_PRIMER;
  for (const n of counts) total += n + MESSAGE_OVERHEAD;
  return total;
}

const TEXT_KEYS = ['text', 'content', 'input', 'arguments', 'instructions', 'system', 'tool_calls', 'function', 'name', 'thinking'];

/**
 * Every string found in a message content value (string, content-part arrays, tool calls and
 * their arguments). A tool call's structured input (Anthropic `tool_use`) counts as its JSON.
 */
export function collectText(value: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 6 || value == null) return out;
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const item of value) collectText(item, out, depth + 1);
  else if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if ((record.type === 'tool_use' || record.type === 'server_tool_use') && typeof record.input === 'object') {
      if (typeof record.name === 'string') out.push(record.name);
      out.push(jsonText(record.input));
      return out;
    }
    for (const key of TEXT_KEYS) {
      if (key in record) collectText(record[key], out, depth + 1);
    }
  }
  return out;
}

/** Tool definitions as the provider counts them: roughly their JSON (names, descriptions, schemas). */
export function toolDefinitionsText(tools: unknown): string[] {
  return Array.isArray(tools) && tools.length > 0 ? [jsonText(tools)] : [];
}

function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
