import type { Route, RouteContext } from '../collector-app.js';
import { decodeProtobufSpans, OtlpDecodeError, type DecodedSpan } from '../decoded-span.js';
import { decodeContent, HttpError, mediaType, readBody, send } from '../http-util.js';
import { QueueFullError, RecordsRefusedError, StoreUnavailableError } from '../ingest-queue.js';
import { decodeJsonSpans } from '../otlp-json.js';
import { encodeRpcStatus, encodeTraceResponse } from '../otlp-proto.js';
import { spansToRecords } from '../span-records.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';

/** google.rpc.Code values used in error bodies, per HTTP status. */
const RPC_CODES: Record<number, number> = { 400: 3, 401: 16, 403: 7, 413: 8, 415: 3, 429: 8, 501: 12, 503: 14 };

/**
 * POST /v1/traces — OTLP/HTTP trace ingest, protobuf or JSON, optionally gzip/deflate.
 * Answers only after the records are committed: 200 means stored; 429/503 carry Retry-After
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
    if (deps.state.draining) throw retryLater(ctx, 503, 'the collector is shutting down');
    const limit = deps.config.maxBodyBytes;
    const body = await decodeContent(await readBody(req, limit), req.headers['content-encoding'] as string | undefined, limit);
    let spans: DecodedSpan[];
    try {
      spans = type === PROTOBUF ? decodeProtobufSpans(body) : decodeJsonSpans(body.toString('utf8'));
    } catch (error) {
      if (error instanceof OtlpDecodeError) throw new HttpError(400, error.message);
      throw error;
    }
    deps.metrics.spansReceived += spans.length;
    const batch = spansToRecords(spans, deps.prices);
    deps.metrics.spansDropped += batch.dropped;
    deps.metrics.spansRejected += batch.rejected;
    try {
      await deps.queue.submit(batch.records, ctx.principal.tenant);
    } catch (error) {
      if (error instanceof QueueFullError) throw retryLater(ctx, 429, error.message);
      if (error instanceof StoreUnavailableError) throw retryLater(ctx, 503, error.message);
      if (error instanceof RecordsRefusedError) throw new HttpError(400, error.message);
      throw error;
    }
    const message = batch.rejected > 0 ? `${batch.rejected} invalid LLM-call span(s) rejected: ${batch.errors.join('; ')}` : '';
    if (type === PROTOBUF) send(ctx.res, 200, PROTOBUF, encodeTraceResponse(batch.rejected, message));
    else send(ctx.res, 200, JSON_TYPE, JSON.stringify(batch.rejected > 0 ? { partialSuccess: { rejectedSpans: String(batch.rejected), errorMessage: message } } : {}));
  },
  sendError(ctx, error) {
    // OTLP/HTTP: error bodies are a google.rpc.Status in the request's encoding.
    const code = RPC_CODES[error.status] ?? 13;
    if (mediaType(ctx.req.headers['content-type']) === PROTOBUF) send(ctx.res, error.status, PROTOBUF, encodeRpcStatus(code, error.message), error.headers);
    else send(ctx.res, error.status, JSON_TYPE, JSON.stringify({ code, message: error.message }), error.headers);
  },
};

function retryLater(ctx: RouteContext, status: 429 | 503, message: string): HttpError {
  return new HttpError(status, message, { 'retry-after': String(ctx.deps.config.retryAfterSeconds) });
}
