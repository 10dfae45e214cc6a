/**
 * A local HTTP server that replays provider API payloads (test/fixtures) to the
 * real `openai` and `@anthropic-ai/sdk` clients. Binds 127.0.0.1 only; never
 * reaches the network.
 *
 *   const server = await startReplayServer();
 *   server.enqueue('openai/chat-completion');
 *   const client = new OpenAI({ apiKey: 'test', baseURL: `${server.url}/v1`, maxRetries: 0 });
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Directory holding `<provider>/<name>.json` and `<provider>/<name>.sse`. */
export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** What the next request receives: a fixture name, or a spec. */
export type ReplayResponse = string | ReplayResponseSpec;

export interface ReplayResponseSpec {
  /** Fixture name, e.g. `'openai/chat-completion'`; other fields override it. */
  fixture?: string;
  status?: number;
  /** JSON body (sent with `content-type: application/json`). */
  json?: unknown;
  /** Raw `text/event-stream` body; split into events on blank lines. */
  sse?: string;
  headers?: Record<string, string>;
  /** Delay between SSE events (time-to-first-token tests). */
  chunkDelayMs?: number;
  /** Delay before the status line is sent. */
  firstByteDelayMs?: number;
  /** Send this many SSE events, then destroy the socket (a dropped connection). */
  destroyAfterEvents?: number;
  /** Never respond (for abort and timeout tests). */
  hang?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v1/chat/completions`. */
  path: string;
  /** Lower-case header names; `authorization` and `x-api-key` are removed. */
  headers: Record<string, string>;
  /** Parsed JSON body; the raw text when it is not JSON; undefined when empty. */
  body: unknown;
}

export interface ReplayServer {
  /** `http://127.0.0.1:PORT` (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Queue responses; each request takes the next one (FIFO). Missing fixtures throw here. */
  enqueue(...responses: ReplayResponse[]): void;
  /** Responses queued and not yet taken. */
  pending(): number;
  /** Destroys open connections and stops listening. */
  close(): Promise<void>;
}

/** A fixture file, parsed. JSON fixtures carry `body`; SSE fixtures carry `sse` and `events`. */
export interface LoadedFixture {
  name: string;
  path: string;
  status: number;
  headers: Record<string, string>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- fixtures are read by tests field by field
  body?: any;
  sse?: string;
  /** SSE events in order: the `event:` name (or null) and the parsed `data:` (or the raw string, e.g. `[DONE]`). */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  events?: Array<{ event: string | null; data: any }>;
}

interface ResolvedResponse {
  status: number;
  headers: Record<string, string>;
  json?: unknown;
  sse?: string;
  chunkDelayMs: number;
  firstByteDelayMs: number;
  destroyAfterEvents?: number;
  hang: boolean;
}

/** Loads `test/fixtures/<name>.json` or `.sse`; throws naming the paths tried when neither exists. */
export function fixture(name: string): LoadedFixture {
  const jsonPath = `${FIXTURES_DIR}${name}.json`;
  const ssePath = `${FIXTURES_DIR}${name}.sse`;
  if (existsSync(jsonPath)) {
    const file = JSON.parse(readFileSync(jsonPath, 'utf8')) as {
      status?: number;
      headers?: Record<string, string>;
      body?: unknown;
    };
    return { name, path: jsonPath, status: file.status ?? 200, headers: file.headers ?? {}, body: file.body };
  }
  if (existsSync(ssePath)) {
    const sse = readFileSync(ssePath, 'utf8');
    return {
      name,
      path: ssePath,
      status: 200,
      headers: { 'content-type': 'text/event-stream; charset=utf-8' },
      sse,
      events: parseSse(sse),
    };
  }
  throw new Error(`replay-server: fixture "${name}" not found (looked for ${jsonPath} and ${ssePath})`);
}

/** Splits an SSE body into its events (blank-line separated), each kept with its terminator. */
export function splitSseEvents(sse: string): string[] {
  const normalized = sse.replace(/\r\n/g, '\n');
  return normalized
    .split(/\n\n+/)
    .filter((block) => block.trim() !== '')
    .map((block) => `${block}\n\n`);
}

function parseSse(sse: string): Array<{ event: string | null; data: unknown }> {
  return splitSseEvents(sse).map((block) => {
    let event: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    const text = data.join('\n');
    try {
      return { event, data: JSON.parse(text) as unknown };
    } catch {
      return { event, data: text };
    }
  });
}

function resolve(response: ReplayResponse): ResolvedResponse {
  const spec: ReplayResponseSpec = typeof response === 'string' ? { fixture: response } : response;
  const base = spec.fixture !== undefined ? fixture(spec.fixture) : undefined;
  const json = spec.json !== undefined ? spec.json : spec.sse !== undefined ? undefined : base?.body;
  const sse = spec.sse ?? (spec.json !== undefined ? undefined : base?.sse);
  if (json === undefined && sse === undefined && !spec.hang) {
    throw new Error('replay-server: a response needs a fixture, json or sse (or hang: true)');
  }
  const defaultType = sse !== undefined ? 'text/event-stream; charset=utf-8' : 'application/json';
  const headers: Record<string, string> = { 'content-type': defaultType };
  for (const [key, value] of Object.entries({ ...base?.headers, ...spec.headers })) {
    const lower = key.toLowerCase();
    // Lengths and encodings are the server's to compute for the body it sends.
    if (lower === 'content-length' || lower === 'transfer-encoding' || lower === 'content-encoding') continue;
    headers[lower] = value;
  }
  const resolved: ResolvedResponse = {
    status: spec.status ?? base?.status ?? 200,
    headers,
    json,
    sse,
    chunkDelayMs: spec.chunkDelayMs ?? 0,
    firstByteDelayMs: spec.firstByteDelayMs ?? 0,
    hang: spec.hang ?? false,
  };
  if (spec.destroyAfterEvents !== undefined) resolved.destroyAfterEvents = spec.destroyAfterEvents;
  return resolved;
}

function recordRequest(req: IncomingMessage, raw: string): RecordedRequest {
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(req.headers)) {
    if (key === 'authorization' || key === 'x-api-key' || value === undefined) continue;
    headers[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  let body: unknown = undefined;
  if (raw !== '') {
    try {
      body = JSON.parse(raw);
    } catch {
      body = raw;
    }
  }
  return { method: req.method ?? 'GET', path: req.url ?? '/', headers, body };
}

/** Starts a replay server on 127.0.0.1 with an ephemeral port. */
export async function startReplayServer(): Promise<ReplayServer> {
  const queue: ResolvedResponse[] = [];
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  const sleep = (ms: number): Promise<void> =>
    new Promise((done) => {
      if (ms <= 0) return setImmediate(done);
      const timer = setTimeout(() => {
        timers.delete(timer);
        done();
      }, ms);
      timers.add(timer);
    });

  async function respond(req: IncomingMessage, res: ServerResponse, next: ResolvedResponse): Promise<void> {
    if (next.hang) return; // The socket stays open until the client aborts or close() runs.
    if (next.firstByteDelayMs > 0) await sleep(next.firstByteDelayMs);
    if (next.sse === undefined) {
      const body = JSON.stringify(next.json);
      res.writeHead(next.status, { ...next.headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    res.writeHead(next.status, { 'cache-control': 'no-cache', ...next.headers });
    res.flushHeaders();
    const events = splitSseEvents(next.sse);
    for (const [index, event] of events.entries()) {
      if (closed || res.destroyed) return;
      if (next.destroyAfterEvents !== undefined && index >= next.destroyAfterEvents) {
        // Give the written events a moment to reach the client, then drop the connection.
        await sleep(10);
        req.socket.destroy();
        return;
      }
      if (index > 0 && next.chunkDelayMs > 0) await sleep(next.chunkDelayMs);
      res.write(event);
    }
    res.end();
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const recorded = recordRequest(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(recorded);
      const next = queue.shift();
      if (next === undefined) {
        const message = `replay-server: no response queued for ${recorded.method} ${recorded.path}`;
        const body = JSON.stringify({ error: { message, type: 'replay_server_error', param: null, code: null } });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
        res.end(body);
        return;
      }
      respond(req, res, next).catch((error: unknown) => {
        res.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    enqueue(...responses: ReplayResponse[]) {
      // Resolve first so a missing fixture throws in the test, before any request is sent.
      queue.push(...responses.map(resolve));
    },
    pending: () => queue.length,
    close() {
      if (closed) return Promise.resolve();
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((done) => {
        server.close(() => done());
        for (const socket of sockets) socket.destroy();
      });
    },
  };
}
