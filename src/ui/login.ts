import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_TOKEN, clearTokenCookie, safeNext, sameOrigin, setTokenCookie, type ExplorerAuth } from './auth.js';
import { loginPage } from './layout.js';
import { redirect, sendBody, sendHtml } from './respond.js';

const MAX_FORM_BYTES = 16 * 1024;

/** POST /login: checks the token from the form body and keeps it in an HttpOnly cookie. */
export async function handleLogin(req: IncomingMessage, res: ServerResponse, auth: ExplorerAuth, storeLabel: string): Promise<void> {
  if (!sameOrigin(req)) return sendBody(res, 403, 'text/plain; charset=utf-8', 'sign-in must come from this site\n');
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    req.resume();
    return sendBody(res, 415, 'text/plain; charset=utf-8', 'sign in with the form (application/x-www-form-urlencoded)\n');
  }
  const body = await readForm(req);
  if (body === undefined) return sendBody(res, 413, 'text/plain; charset=utf-8', `the form is larger than ${MAX_FORM_BYTES} bytes\n`, { connection: 'close' });
  const form = new URLSearchParams(body);
  const next = safeNext(form.get('next') ?? undefined);
  const token = (form.get('token') ?? '').trim();
  const viewer = token && token.length <= MAX_TOKEN ? auth.authenticate(token) : undefined;
  if (!viewer) return sendHtml(res, 401, loginPage({ storeLabel, next, message: token ? 'That token is not valid.' : 'Enter a token.' }).value);
  if (!viewer.canRead) return sendHtml(res, 403, loginPage({ storeLabel, next, message: 'This token lacks the read scope: use one with read.' }).value);
  redirect(res, next, { 'set-cookie': setTokenCookie(req, token) });
}

/** POST /logout: forgets the cookie. */
export function handleLogout(req: IncomingMessage, res: ServerResponse): void {
  req.resume();
  if (!sameOrigin(req)) return sendBody(res, 403, 'text/plain; charset=utf-8', 'sign-out must come from this site\n');
  redirect(res, '/login', { 'set-cookie': clearTokenCookie(req) });
}

async function readForm(req: IncomingMessage): Promise<string | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_FORM_BYTES) {
    req.resume();
    return undefined;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) {
      req.resume();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
