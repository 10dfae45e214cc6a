/**
 * A local HTTP/2 (cleartext) server that answers the real `@aws-sdk/client-bedrock-runtime`
 * client as Bedrock would: JSON for Converse and InvokeModel, AWS event-stream binary frames
 * (encoded with `@smithy/core`'s event-stream codec) for ConverseStream and
 * InvokeModelWithResponseStream. Binds 127.0.0.1 only.
 *
 *   const server = await startBedrockServer();
 *   server.enqueue('bedrock/converse-claude');
 *   const client = new BedrockRuntimeClient(server.clientConfig());
 */
import http2 from 'node:http2';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { EventStreamCodec } from '@smithy/core/event-streams';
import { FIXTURES_DIR } from './replay-server.js';

/** One event of a streamed fixture: a named event, a model chunk (InvokeModel streams), or an exception. */
export interface FixtureEvent {
  /** `:event-type` of a ConverseStream event (`messageStart`, `contentBlockDelta`, `metadata`, ...). */
  event?: string;
  /** The event's JSON payload (ConverseStream events, exceptions). */
  data?: unknown;
  /** InvokeModelWithResponseStream: the model's own chunk JSON, sent base64 in `{ "bytes": ... }`. */
  chunk?: unknown;
  /** An exception event (`throttlingException`, `modelStreamErrorException`, ...). */
  exception?: string;
}

export interface BedrockFixture {
  status: number;
  headers: Record<string, string>;
  /** JSON body of a non-streamed response. */
  body?: any;
  /** Frames of a streamed response. */
  events?: FixtureEvent[];
}

export type BedrockResponse =
  | string
  | ({ fixture?: string; chunkDelayMs?: number; hang?: boolean; destroyAfterEvents?: number; /** A body sent as is, not as JSON. */ raw?: string } & Partial<BedrockFixture>);

export interface BedrockRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface BedrockServer {
  readonly url: string;
  readonly requests: BedrockRequest[];
  enqueue(...responses: BedrockResponse[]): void;
  pending(): number;
  /** Client options: this endpoint, static credentials, no retries unless asked. */
  clientConfig(extra?: Record<string, unknown>): Record<string, any>;
  close(): Promise<void>;
}

export function bedrockFixture(name: string): BedrockFixture {
  const file = JSON.parse(readFileSync(`${FIXTURES_DIR}${name}.json`, 'utf8')) as Partial<BedrockFixture>;
  return { status: file.status ?? 200, headers: file.headers ?? {}, body: file.body, events: file.events };
}

const encoder = new TextEncoder();
const codec = new EventStreamCodec(
  (bytes) => new TextDecoder().decode(bytes),
  (text) => encoder.encode(text),
);

function str(value: string) {
  return { type: 'string' as const, value };
}

/** One AWS event-stream frame, as Bedrock sends it. */
export function encodeEvent(e: FixtureEvent): Uint8Array {
  if (e.exception !== undefined) {
    return codec.encode({
      headers: { ':message-type': str('exception'), ':exception-type': str(e.exception), ':content-type': str('application/json') },
      body: encoder.encode(JSON.stringify(e.data ?? {})),
    });
  }
  const isChunk = e.chunk !== undefined;
  const payload = isChunk ? { bytes: Buffer.from(JSON.stringify(e.chunk)).toString('base64') } : e.data;
  return codec.encode({
    headers: { ':message-type': str('event'), ':event-type': str(isChunk ? 'chunk' : e.event!), ':content-type': str('application/json') },
    body: encoder.encode(JSON.stringify(payload)),
  });
}

export async function startBedrockServer(): Promise<BedrockServer> {
  const queue: Array<Exclude<BedrockResponse, string>> = [];
  const requests: BedrockRequest[] = [];
  const sessions = new Set<http2.ServerHttp2Session>();
  const timers = new Set<NodeJS.Timeout>();
  const sleep = (ms: number) =>
    new Promise<void>((done) => {
      const t = setTimeout(() => {
        timers.delete(t);
        done();
      }, ms);
      timers.add(t);
    });

  async function respond(stream: http2.ServerHttp2Stream, spec: Exclude<BedrockResponse, string>): Promise<void> {
    if (spec.hang) return;
    const base = spec.fixture ? bedrockFixture(spec.fixture) : undefined;
    const status = spec.status ?? base?.status ?? 200;
    const headers = { 'x-amzn-requestid': 'b5f1a1e8-3c1d-4f0e-9a52-6f0c2d7e4a11', ...base?.headers, ...spec.headers };
    const events = spec.events ?? base?.events;
    if (!events) {
      const body = spec.raw ?? JSON.stringify(spec.body ?? base?.body ?? {});
      stream.respond({ ':status': status, 'content-type': 'application/json', ...headers });
      stream.end(body);
      return;
    }
    stream.respond({ ':status': status, 'content-type': 'application/vnd.amazon.eventstream', ...headers });
    for (const [i, event] of events.entries()) {
      if (stream.destroyed) return;
      if (spec.destroyAfterEvents !== undefined && i >= spec.destroyAfterEvents) {
        await sleep(10);
        stream.close(http2.constants.NGHTTP2_INTERNAL_ERROR);
        return;
      }
      if (i > 0 && spec.chunkDelayMs) await sleep(spec.chunkDelayMs);
      stream.write(encodeEvent(event));
    }
    stream.end();
  }

  const server = http2.createServer();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  server.on('stream', (stream: http2.ServerHttp2Stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', () => {});
    stream.on('end', () => {
      const recorded: BedrockRequest = { method: String(headers[':method']), path: String(headers[':path']), headers: {}, body: Buffer.concat(chunks).toString('utf8') };
      for (const [k, v] of Object.entries(headers)) if (!k.startsWith(':') && k !== 'authorization' && v !== undefined) recorded.headers[k] = String(v);
      requests.push(recorded);
      const next = queue.shift();
      if (!next) {
        stream.respond({ ':status': 500, 'content-type': 'application/json', 'x-amzn-errortype': 'InternalServerException' });
        stream.end(JSON.stringify({ message: `bedrock-server: no response queued for ${recorded.path}` }));
        return;
      }
      respond(stream, next).catch(() => stream.destroy());
    });
  });
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => done());
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    requests,
    enqueue(...responses) {
      for (const r of responses) {
        const spec = typeof r === 'string' ? { fixture: r } : r;
        if (spec.fixture) bedrockFixture(spec.fixture); // a missing fixture fails here, loudly
        queue.push(spec);
      }
    },
    pending: () => queue.length,
    clientConfig: (extra = {}) => ({
      region: 'us-east-1',
      endpoint: url,
      credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
      maxAttempts: 1,
      ...extra,
    }),
    async close() {
      for (const t of timers) clearTimeout(t);
      for (const s of sessions) s.destroy();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
