import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/**
 * An error that becomes an HTTP response with this status (and headers, e.g. Retry-After).
 * It has no stack: it is an answer, never logged with one, and capturing a stack (async frames
 * included) was the largest single cost of a refused request under overload.
 */
export class HttpError extends Error {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** The query parameter at fault, for 400s of the query API. */
  readonly parameter?: string;

  // No parameter properties or field initializers: they would have to follow super() at once.
  constructor(status: number, message: string, headers: Record<string, string> = {}, parameter?: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
    this.name = 'HttpError';
    this.status = status;
    this.headers = headers;
    if (parameter !== undefined) this.parameter = parameter;
  }
}

/** The client went away before its request was complete: nobody to answer, nothing to log. */
export class ClientClosedError extends Error {
  override readonly name = 'ClientClosedError';
}

/** The body length the client declared, or undefined (chunked, or a malformed header). */
export function declaredLength(req: IncomingMessage): number | undefined {
  const header = req.headers['content-length'];
  if (header === undefined || !/^\d{1,15}$/.test(header)) return undefined;
  return Number(header);
}

/**
 * Reads the whole body, refusing more than `limit` bytes: at once from Content-Length, else
 * while streaming. On 413 the rest of the upload is discarded and the connection closed.
 * `onBytes` sees the running total and may refuse to go on (its error is thrown the same way).
 * @throws ClientClosedError when the client aborts the upload.
 */
export function readBody(req: IncomingMessage, limit: number, onBytes?: (total: number) => HttpError | undefined): Promise<Buffer> {
  const declared = declaredLength(req);
  if (declared !== undefined && declared > limit) return Promise.reject(tooLarge(req, `the body is ${declared} bytes; the limit is ${limit}`));
  // Events rather than `for await`: leaving that loop early destroys the socket, and the
  // client would see a reset instead of our answer.
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const settle = (fn: () => void): void => {
      req.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
      fn();
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      const refusal = size > limit ? tooLarge(req, `the body exceeds the limit of ${limit} bytes`) : onBytes?.(size);
      if (refusal) settle(() => reject(refusal.headers['connection'] === 'close' ? refusal : stopReading(req, refusal)));
      else chunks.push(chunk);
    };
    const onEnd = (): void => settle(() => resolve(Buffer.concat(chunks, size)));
    const onError = (error: Error): void => settle(() => reject(new ClientClosedError(`the client closed the connection during the upload: ${error.message}`)));
    const onClose = (): void => settle(() => reject(new ClientClosedError('the client closed the connection during the upload')));
    req.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
  });
}

/** Refuses mid-upload: the rest is discarded and the connection closed after the answer. */
function stopReading(req: IncomingMessage, error: HttpError): HttpError {
  req.resume();
  return new HttpError(error.status, error.message, { ...error.headers, connection: 'close' }, error.parameter);
}

function tooLarge(req: IncomingMessage, message: string): HttpError {
  // Keep reading (and discarding) so the client gets to read our 413 instead of a reset;
  // `Connection: close` then ends a sender that would otherwise stream forever.
  return stopReading(req, new HttpError(413, message));
}

/**
 * Undoes Content-Encoding (gzip, deflate, identity). The decompressed size is capped by
 * `limit` too — a few KB of gzip can expand to gigabytes — and zlib runs off the event loop.
 */
export async function decodeContent(body: Buffer, encoding: string | undefined, limit: number): Promise<Buffer> {
  const coding = (encoding ?? 'identity').trim().toLowerCase();
  if (coding === 'identity' || coding === '') return body;
  if (coding !== 'gzip' && coding !== 'deflate') {
    throw new HttpError(415, `unsupported Content-Encoding ${JSON.stringify(coding)}; supported: gzip, deflate, identity`);
  }
  try {
    return await (coding === 'gzip' ? gunzipAsync : inflateAsync)(body, { maxOutputLength: limit });
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    if (e.code === 'ERR_BUFFER_TOO_LARGE' || e instanceof RangeError) {
      throw new HttpError(413, `the ${coding}-decoded body exceeds the limit of ${limit} bytes`);
    }
    throw new HttpError(400, `invalid ${coding} body: ${e.message}`);
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  send(res, status, 'application/json', JSON.stringify(body), headers);
}

export function send(res: ServerResponse, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The media type without parameters: `application/json; charset=utf-8` → `application/json`. */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}
