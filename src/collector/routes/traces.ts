import type { Route, RouteContext } from '../collector-app.js';
import { OtlpDecodeError, type DecodedSpan } from '../decoded-span.js';
import type { Ticket } from '../admission.js';
import { declaredLength, decodeContent, HttpError, mediaType, readBody, send } from '../http-util.js';
import { QueueFullError, RecordsRefusedError, StoreUnavailableError } from '../ingest-queue.js';
import { decodeOtlpSpans, type OtlpEncoding } from '../otlp-decode.js';
import { encodeRpcStatus, encodeTraceResponse } from '../otlp-proto.js';
import { spansToRecords } from '../span-records.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** google.rpc.Code values used in error bodies, per HTTP status. */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 8, 415: 3, 429: 8, 501: 12, 503: 14 };

/**
 * POST /v1/traces — OTLP/HTTP trace ingest, protobuf or JSON, optionally gzip/deflate.
 * Answers only after the records are committed (or, with a journal, durable in it): 200 means
 * stored; 429/503 carry Retry-After
 * so the OTLP exporters retry (safely: record ids come from trace and span ids).
 */
export const tracesRoute: Route = {
  name: 'traces',
  method: 'POST',
  path: '/v1/traces',
  scope: 'ingest',
  async handle(ctx) {
    const { deps, req } = ctx;
    const type = mediaType(req.headers['content-type']);
    if (type !== PROTOBUF && type !== JSON_TYPE) {
      throw new HttpError(415, `unsupported Content-Type ${JSON.stringify(type)}; OTLP/HTTP uses ${PROTOBUF} or ${JSON_TYPE}`);
    }
    const ticket = admit(ctx);
    try {
      const encoding: OtlpEncoding = type === PROTOBUF ? 'protobuf' : 'json';
      const { spans, body } = await receive(ctx, encoding, ticket);
      deps.metrics.spansReceived += spans.length;
      const batch = spansToRecords(spans, deps.prices);
      ticket.releaseBytes();
      deps.metrics.spansDropped += batch.dropped;
      deps.metrics.spansRejected += batch.rejected;
      if (batch.records.length > deps.config.maxQueueRecords) {
        // It would never fit: 429 would have the sender retry it forever.
        throw new HttpError(413, `this request carries ${batch.records.length} LLM-call spans; the ingest queue holds at most ${deps.config.maxQueueRecords} (maxQueueRecords): send smaller batches`);
      }
      try {
        await deps.queue.submit(batch.records, ctx.principal.tenant, { kind: encoding, body });
      } catch (error) {
        if (error instanceof QueueFullError) throw retryLater(ctx, 429, error.message);
        if (error instanceof StoreUnavailableError) throw retryLater(ctx, 503, error.message);
        if (error instanceof RecordsRefusedError) throw new HttpError(400, error.message);
        throw error;
      }
      const message = batch.rejected > 0 ? `${batch.rejected} invalid LLM-call span(s) rejected: ${batch.errors.join('; ')}` : '';
      if (type === PROTOBUF) send(ctx.res, 200, PROTOBUF, encodeTraceResponse(batch.rejected, message));
      else send(ctx.res, 200, JSON_TYPE, JSON.stringify(batch.rejected > 0 ? { partialSuccess: { rejectedSpans: String(batch.rejected), errorMessage: message } } : {}));
    } finally {
      ticket.release();
    }
  },
  sendError(ctx, error) {
    // OTLP/HTTP: error bodies are a google.rpc.Status in the request's encoding.
    const code = RPC_CODES[error.status] ?? 13;
    if (mediaType(ctx.req.headers['content-type']) === PROTOBUF) send(ctx.res, error.status, PROTOBUF, encodeRpcStatus(code, error.message), error.headers);
    else send(ctx.res, error.status, JSON_TYPE, JSON.stringify({ code, message: error.message }), error.headers);
  },
};

/**
 * Admits the request or refuses it from its headers alone, before a byte of the body is read:
 * shutting down or failing fast after a store error → 503, queue full or behind, or too much
 * in flight → 429, a body larger than can ever be admitted → 413. Every refusal says when to
 * retry.
 */
function admit(ctx: RouteContext): Ticket {
  const { deps, req } = ctx;
  if (deps.state.draining) throw retryLater(ctx, 503, 'the collector is shutting down');
  const declared = declaredLength(req) ?? 0;
  const { maxBodyBytes, maxInflightBytes, maxQueueRecords } = deps.config;
  if (declared > Math.min(maxBodyBytes, maxInflightBytes)) {
    throw new HttpError(413, `the body is ${declared} bytes; the limit is ${Math.min(maxBodyBytes, maxInflightBytes)} (maxBodyBytes, maxInflightBytes)`, { connection: 'close' });
  }
  const unavailable = deps.queue.unavailableReason();
  if (unavailable) throw retryLater(ctx, 503, unavailable);
  if (deps.queue.depth() >= maxQueueRecords) {
    const what = deps.config.journalDir ? 'ingest journal is full' : 'ingest queue is full';
    throw retryLater(ctx, 429, `the ${what} (${maxQueueRecords} records not yet stored, maxQueueRecords)`);
  }
  // Behind by more than this, a sender would wait long enough to time out and send again:
  // refusing now keeps the store busy with work whose answer is still awaited. Admission aims
  // at half the limit from the records ahead (a queue kept just long enough to keep the store
  // busy); the oldest request's wait catches a store that slowed down since it was measured.
  const { maxQueueDelayMs } = deps.config;
  const expected = deps.queue.expectedWaitMs();
  if (expected > maxQueueDelayMs / 2) {
    throw retryLater(ctx, 429, `the ingest queue holds ~${Math.round(expected)} ms of writes (admission stops at half of maxQueueDelayMs, ${maxQueueDelayMs} ms)`);
  }
  const behind = deps.queue.oldestWaitMs();
  if (behind > maxQueueDelayMs) throw retryLater(ctx, 429, `the ingest queue is ${Math.round(behind)} ms behind (the limit is ${maxQueueDelayMs} ms, maxQueueDelayMs)`);
  const ticket = deps.admission.admit(declared);
  if (typeof ticket === 'string') throw retryLater(ctx, 429, `the collector is busy: ${ticket}`);
  return ticket;
}

/** Reads, decompresses and decodes the body, counting its bytes against the in-flight limit. */
async function receive(ctx: RouteContext, encoding: OtlpEncoding, ticket: Ticket): Promise<{ spans: DecodedSpan[]; body: Buffer }> {
  const { deps, req } = ctx;
  const limit = deps.config.maxBodyBytes;
  const busy = (): HttpError => retryLater(ctx, 429, `the collector is busy: more than ${deps.config.maxInflightBytes} bytes of request bodies in flight (maxInflightBytes)`);
  const raw = await readBody(req, limit, (total) => (ticket.received(total) ? undefined : busy()));
  const body = await decodeContent(raw, req.headers['content-encoding'] as string | undefined, limit);
  // A few KB of gzip can hold megabytes: the decoded bytes count too.
  if (body !== raw && !ticket.received(raw.length + body.length)) throw busy();
  try {
    return { spans: decodeOtlpSpans(encoding, body), body };
  } catch (error) {
    if (error instanceof OtlpDecodeError) throw new HttpError(400, error.message);
    throw error;
  }
}

function retryLater(ctx: RouteContext, status: 429 | 503, message: string): HttpError {
  return new HttpError(status, message, { 'retry-after': String(ctx.deps.config.retryAfterSeconds) });
}
