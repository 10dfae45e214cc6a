/**
 * The demo's mock LLM server: speaks enough of the OpenAI and Anthropic HTTP APIs
 * for the real SDK clients, synthesizing responses (no network, no fixtures).
 *
 *   const mock = await startMockLlmServer({ seed: 42 });
 *   new OpenAI({ baseURL: `${mock.url}/v1`, apiKey: 'mock' });
 *   new Anthropic({ baseURL: mock.url, apiKey: 'mock' });
 *
 * Routes: POST /v1/chat/completions, /v1/responses, /v1/embeddings (OpenAI),
 * POST /v1/messages (Anthropic), /gemini/v1/models/{model}:generateContent,
 * :streamGenerateContent, :batchEmbedContents (Gemini; `httpOptions.baseUrl: <url>/gemini`),
 * POST /mistral/v1/chat/completions (Mistral; `serverURL: <url>/mistral`),
 * POST /model/{modelId}/converse (Amazon Bedrock, also on a second, HTTP/2 listener at `h2Url`:
 * the AWS SDK speaks HTTP/2). Header `x-mock-fail: 429|500|529|reset` forces a
 * failure; otherwise one request in `failureRate` fails at random (seeded).
 */
import { createServer } from 'node:http';
import type { IncomingMessage } from 'node:http';
import { createServer as createHttp2Server, type Http2ServerRequest } from 'node:http2';
import type { AddressInfo, Socket } from 'node:net';
import { createRng, isRecord, randomInt } from './mock-common.js';
import type { MockContext, MockReply, Rng } from './mock-common.js';
import { chatCompletions, embeddings, openaiError } from './mock-openai.js';
import { responses } from './mock-openai-responses.js';
import { anthropicError, messages } from './mock-anthropic.js';
import { geminiError, geminiRoute } from './mock-gemini.js';
import { mistralChat, mistralError } from './mock-mistral.js';
import { bedrockError, converse, CONVERSE_PATH } from './mock-bedrock.js';

export interface MockLlmServerOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Default `127.0.0.1`. */
  host?: string;
  /** Share of requests that fail at random with 429 or 5xx. Default 0.05. */
  failureRate?: number;
  /** PRNG seed: the same seed and request sequence give the same replies. Default: random. */
  seed?: number;
  /** Time to first byte, drawn uniformly; stream events are spaced by a tenth of it. Default 20–150 ms. */
  latencyMs?: { min: number; max: number };
}

export interface MockLlmStats {
  requests: number;
  /** Requests answered with an error status or a reset connection. */
  failures: number;
  streamed: number;
  /** Requests per route, e.g. `{ 'POST /v1/messages': 3 }`. */
  byRoute: Record<string, number>;
  /** Responses per HTTP status (`reset` for destroyed connections). */
  byStatus: Record<string, number>;
  /** All input tokens reported (cached ones included). */
  inputTokens: number;
  outputTokens: number;
}

export interface MockLlmServer {
  /** `http://HOST:PORT`; OpenAI clients use `${url}/v1`, Anthropic clients `url`. */
  url: string;
  port: number;
  /** HTTP/2 (cleartext) listener for the Bedrock route: the AWS SDK's `endpoint`. */
  h2Url: string;
  stats(): MockLlmStats;
  close(): Promise<void>;
}

type Provider = 'openai' | 'anthropic' | 'gemini' | 'mistral' | 'bedrock';
type Handler = (body: Record<string, unknown>, ctx: MockContext) => MockReply;

const ROUTES: Record<string, { provider: Provider; handler: Handler }> = {
  '/v1/chat/completions': { provider: 'openai', handler: chatCompletions },
  '/v1/responses': { provider: 'openai', handler: responses },
  '/v1/embeddings': { provider: 'openai', handler: embeddings },
  '/v1/messages': { provider: 'anthropic', handler: messages },
  '/mistral/v1/chat/completions': { provider: 'mistral', handler: mistralChat },
};

function routeFor(path: string): { provider: Provider; handler: Handler } | undefined {
  const exact = ROUTES[path];
  if (exact) return exact;
  const gemini = geminiRoute(path);
  return gemini ? { provider: 'gemini', handler: gemini } : undefined;
}

const FORCED_FAILURES = ['429', '500', '529', 'reset'] as const;

const ERROR_REPLIES: Record<Provider, (rng: Rng, status: number, message?: string) => MockReply> = {
  openai: openaiError,
  anthropic: anthropicError,
  gemini: geminiError,
  mistral: mistralError,
  bedrock: bedrockError,
};

function errorReply(provider: Provider, rng: Rng, status: number, message?: string): MockReply {
  return ERROR_REPLIES[provider](rng, status, message);
}

/** The Bedrock route, whose path carries the model id. */
function bedrockRoute(path: string): { provider: Provider; handler: Handler } | undefined {
  const match = CONVERSE_PATH.exec(path);
  if (!match) return undefined;
  const modelId = decodeURIComponent(match[1]!);
  return { provider: 'bedrock', handler: (body, ctx) => converse(body, ctx, modelId) };
}

type Request = IncomingMessage | Http2ServerRequest;
/** What the router writes to, on either listener. */
interface Response {
  writeHead(status: number, headers: Record<string, string | number>): unknown;
  write(chunk: string): unknown;
  end(): unknown;
  end(body: string): unknown;
  readonly destroyed?: boolean;
  readonly headersSent: boolean;
}

/** Random failure kind, weighted like real traffic: mostly rate limits. */
function randomFailure(provider: Provider, rng: Rng): number {
  const draw = rng();
  if (provider === 'anthropic') return draw < 0.5 ? 429 : draw < 0.8 ? 529 : 500;
  if (provider === 'bedrock') return draw < 0.7 ? 429 : 503;
  return draw < 0.7 ? 429 : 500;
}

function readBody(req: Request): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Starts the mock LLM server. Closes immediately, dropping open connections. */
export async function startMockLlmServer(options: MockLlmServerOptions = {}): Promise<MockLlmServer> {
  const host = options.host ?? '127.0.0.1';
  const failureRate = Math.min(1, Math.max(0, options.failureRate ?? 0.05));
  const latency = options.latencyMs ?? { min: 20, max: 150 };
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 32);
  // Separate streams, so replies do not change with the failure rate or latency.
  const failureRng = createRng(seed);
  const latencyRng = createRng(seed ^ 0x5bd1e995);
  const contentRng = createRng(seed ^ 0x9e3779b9);
  const promptCache = new Set<string>();
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const stats: MockLlmStats = {
    requests: 0,
    failures: 0,
    streamed: 0,
    byRoute: {},
    byStatus: {},
    inputTokens: 0,
    outputTokens: 0,
  };
  const ctx: MockContext = { rng: contentRng, promptCache, now: () => Math.floor(Date.now() / 1000) };

  const sleep = (ms: number): Promise<void> =>
    new Promise((done) => {
      if (ms <= 0) return void setImmediate(done);
      const timer = setTimeout(() => {
        timers.delete(timer);
        done();
      }, ms);
      timer.unref();
      timers.add(timer);
    });
  const draw = (scale = 1): number =>
    Math.round(randomInt(latencyRng, Math.max(0, latency.min), Math.max(latency.min, latency.max)) * scale);

  async function send(res: Response, reply: MockReply): Promise<void> {
    const key = String(reply.status);
    stats.byStatus[key] = (stats.byStatus[key] ?? 0) + 1;
    if (reply.status >= 400) stats.failures++;
    if (reply.usage) {
      stats.inputTokens += reply.usage.inputTokens;
      stats.outputTokens += reply.usage.outputTokens;
    }
    await sleep(draw());
    if ('json' in reply) {
      const body = JSON.stringify(reply.json);
      res.writeHead(reply.status, { ...reply.headers, 'content-length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    stats.streamed++;
    res.writeHead(reply.status, { 'cache-control': 'no-cache', connection: 'keep-alive', ...reply.headers });
    for (const [index, event] of reply.events.entries()) {
      if (res.destroyed) return;
      if (index > 0) await sleep(draw(0.1));
      res.write(event);
    }
    res.end();
  }

  async function handle(req: Request, res: Response, http2 = false): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const routeKey = `${req.method ?? 'GET'} ${path}`;
    stats.requests++;
    stats.byRoute[routeKey] = (stats.byRoute[routeKey] ?? 0) + 1;
    // The HTTP/2 listener serves only Bedrock (the SSE replies send HTTP/1.1 connection headers).
    const route = req.method === 'POST' ? (http2 ? undefined : routeFor(path)) ?? bedrockRoute(path) : undefined;
    if (!route) {
      const message = `Invalid URL (${req.method ?? 'GET'} ${path})`;
      return send(res, openaiError(contentRng, 404, message));
    }
    const forced = req.headers['x-mock-fail'];
    if (typeof forced === 'string') {
      if (!(FORCED_FAILURES as readonly string[]).includes(forced)) {
        const message = `x-mock-fail must be one of ${FORCED_FAILURES.join(', ')}; got "${forced}"`;
        return send(res, errorReply(route.provider, contentRng, 400, message));
      }
      return fail(req, res, route.provider, forced);
    }
    if (failureRate > 0 && failureRng() < failureRate) {
      return fail(req, res, route.provider, String(randomFailure(route.provider, failureRng)));
    }
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return send(res, errorReply(route.provider, contentRng, 400, 'The request body is not valid JSON.'));
    }
    if (!isRecord(body)) {
      return send(res, errorReply(route.provider, contentRng, 400, 'The request body must be an object.'));
    }
    return send(res, route.handler(body, ctx));
  }

  async function fail(req: Request, res: Response, provider: Provider, kind: string): Promise<void> {
    if (kind === 'reset') {
      stats.failures++;
      stats.byStatus['reset'] = (stats.byStatus['reset'] ?? 0) + 1;
      await sleep(draw());
      req.socket.destroy();
      return;
    }
    return send(res, errorReply(provider, contentRng, Number(kind)));
  }

  const respond = (http2: boolean) => (req: Request, res: Response) => {
    handle(req, res, http2).catch(() => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end();
    });
  };
  const server = createServer(respond(false));
  const h2Server = createHttp2Server(respond(true));
  for (const s of [server, h2Server]) {
    s.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
  }
  const listen = (s: typeof server | typeof h2Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, host, () => {
        s.off('error', reject);
        resolve((s.address() as AddressInfo).port);
      });
    });
  const port = await listen(server, options.port ?? 0);
  const h2Port = await listen(h2Server, 0);
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    h2Url: `http://${urlHost}:${h2Port}`,
    stats: () => structuredClone(stats),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        let open = 2;
        const done = () => --open === 0 && resolve();
        server.close(done);
        h2Server.close(done);
        for (const socket of sockets) socket.destroy();
      });
      return closing;
    },
  };
}
