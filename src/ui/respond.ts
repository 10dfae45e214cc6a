import type { ServerResponse } from 'node:http';

/**
 * Headers on every explorer response. Scripts and styles only from our own /assets (no inline
 * script, no CDN), no framing, no CORS (no Access-Control-* header is ever sent), nothing cached
 * but the versioned assets.
 */
export const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join('; ');

export function securityHeaders(): Record<string, string> {
  return {
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    // Same-origin keeps Origin on our own form posts (checked on sign-in) and sends nothing elsewhere.
    'referrer-policy': 'same-origin',
    'cross-origin-opener-policy': 'same-origin',
    'cross-origin-resource-policy': 'same-origin',
  };
}

export function sendBody(res: ServerResponse, status: number, contentType: string, body: string | Buffer, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, {
    ...securityHeaders(),
    'cache-control': 'no-store',
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(body);
}

export function sendHtml(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'text/html; charset=utf-8', body, headers);
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  sendBody(res, status, 'application/json; charset=utf-8', `${JSON.stringify(body)}\n`, headers);
}

export function redirect(res: ServerResponse, location: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(303, { ...securityHeaders(), 'cache-control': 'no-store', location, 'content-length': '0', ...headers });
  res.end();
}
