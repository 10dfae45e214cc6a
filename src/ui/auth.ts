import type { IncomingMessage } from 'node:http';

/** Who a token belongs to, as the explorer needs it. */
export interface Viewer {
  name: string;
  /** The token has the `read` scope. */
  canRead: boolean;
  /** Reads are limited to this tenant's records. */
  tenant?: string;
}

/** Token checking, supplied by the collector; without it the explorer is open (loopback only). */
export interface ExplorerAuth {
  /** The viewer for a token, or undefined when it is not a valid token. */
  authenticate(token: string): Viewer | undefined;
}

/** The cookie that keeps the token for the browser session: HttpOnly, SameSite=Strict, never readable by scripts. */
export const TOKEN_COOKIE = 'genai_usage_token';
/** Tokens are short secrets; anything longer in a cookie or form is not one. */
const MAX_TOKEN = 4096;

/** The presented token: `Authorization: Bearer` (scripts, curl) or the cookie (the browser). */
export function presentedToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  const bearer = header ? /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1] : undefined;
  if (bearer) return bearer;
  return cookie(req, TOKEN_COOKIE);
}

function cookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const value = part.slice(eq + 1).trim();
    if (value.length === 0 || value.length > MAX_TOKEN * 3) return undefined;
    try {
      return decodeURIComponent(value);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** True when the request arrived over TLS (directly or, as a proxy says, before it). */
function secure(req: IncomingMessage): boolean {
  return (req.socket as { encrypted?: boolean }).encrypted === true || String(req.headers['x-forwarded-proto'] ?? '').split(',')[0]?.trim() === 'https';
}

export function setTokenCookie(req: IncomingMessage, token: string): string {
  return `${TOKEN_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Strict${secure(req) ? '; Secure' : ''}`;
}

export function clearTokenCookie(req: IncomingMessage): string {
  return `${TOKEN_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0${secure(req) ? '; Secure' : ''}`;
}

/**
 * A form POST (sign-in, sign-out) must come from our own pages: a browser sends Origin on
 * POST, and Sec-Fetch-Site when it knows it; another site's form is refused.
 */
export function sameOrigin(req: IncomingMessage): boolean {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Where to go after signing in: a path on this server, never another site (`//evil`, `/\\evil`). */
export function safeNext(next: string | undefined): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\') || /[\u0000-\u001f]/.test(next) || next.length > 2048) return '/';
  return next;
}

/** The host a loopback-only explorer answers to: DNS-rebinding pages arrive with their own host name. */
export function loopbackHost(req: IncomingMessage): boolean {
  const host = (req.headers.host ?? '').toLowerCase();
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === 'localhost' || name === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name ?? '');
}

export { MAX_TOKEN };
