import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);

/** An error that becomes an HTTP response with this status (and headers, e.g. Retry-After). */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
    /** The query parameter at fault, for 400s of the query API. */
    readonly parameter?: string,
  ) {
    super(message);
  }
}

/**
 * Reads the whole body, refusing more than `limit` bytes: at once from Content-Length, else
 * while streaming. On 413 the rest of the upload is discarded and the connection closed.
 */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(req, `the body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(req, `the body exceeds the limit of ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

function tooLarge(req: IncomingMessage, message: string): HttpError {
  // Keep reading (and discarding) so the client gets to read our 413 instead of a reset;
  // `Connection: close` then ends a sender that would otherwise stream forever.
  req.resume();
  return new HttpError(413, message, { connection: 'close' });
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
