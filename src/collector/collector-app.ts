import type { IncomingMessage, ServerResponse } from 'node:http';
import type { PriceBook } from '../prices/price-book.js';
import { StoreQueryError } from '../store/errors.js';
import type { UsageStore } from '../store/usage-store.js';
import type { CollectorConfig } from './collector-config.js';
import type { Admission } from './admission.js';
import type { CollectorMetrics } from './collector-metrics.js';
import { ClientClosedError, HttpError, sendJson } from './http-util.js';
import type { Ingest } from './ingest-queue.js';
import { paramOf } from './query-params.js';
import type { Principal, Scope, TokenAuth } from './tokens.js';

/** Everything the routes share. */
export interface CollectorDeps {
  config: CollectorConfig;
  store: UsageStore;
  queue: Ingest;
  /** Ingest requests and body bytes in flight. */
  admission: Admission;
  metrics: CollectorMetrics;
  auth: TokenAuth;
  prices: PriceBook;
  /** One line to stderr; never given a token. */
  log: (message: string) => void;
  /** Set on SIGINT/SIGTERM: /readyz fails and ingest answers 503 while in-flight work drains. */
  state: { draining: boolean };
}

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters, e.g. `{ id }` of /api/v1/sessions/{id}. */
  params: Record<string, string>;
  principal: Principal;
  deps: CollectorDeps;
}

/** One route: a small file under routes/ exports one of these (or a few siblings). */
export interface Route {
  /** The metrics label; fixed text, never the raw URL. */
  name: string;
  method: 'GET' | 'POST';
  /** `/api/v1/sessions/:id` style; `:name` matches one path segment. */
  path: string;
  /** Needed scope; undefined = open (health probes). */
  scope?: Scope;
  handle(ctx: RouteContext): Promise<void>;
  /** How errors are written: OTLP routes answer a google.rpc.Status in the request's encoding. */
  sendError?(ctx: RouteContext, error: HttpError): void;
}

/** Counted for requests whose client closed the connection first (nginx's convention). */
export const CLIENT_CLOSED = 499;

const ANONYMOUS: Principal = { name: 'anonymous', scopes: new Set(), tenant: undefined };

/** The collector's request handler; tests drive it in-process with `http.createServer(handler)`. */
export function createCollectorHandler(routes: readonly Route[], deps: CollectorDeps): (req: IncomingMessage, res: ServerResponse) => void {
  const compiled = routes.map((route) => ({ route, pattern: compile(route.path) }));
  return (req, res) => {
    const url = new URL(req.url ?? '/', 'http://collector.invalid');
    // Every request (each refused one too) is routed: split the path once, not once per route.
    const parts = url.pathname.split('/').filter(Boolean);
    const matches: Array<{ route: Route; params: Record<string, string> }> = [];
    for (const c of compiled) {
      const params = match(c.pattern, parts);
      if (params) matches.push({ route: c.route, params });
    }
    const found = matches.find((c) => c.route.method === req.method);
    if (!found) {
      req.resume();
      if (matches.length > 0) sendJson(res, 405, { error: `use ${matches.map((c) => c.route.method).join(', ')} for ${url.pathname}` }, { allow: matches.map((c) => c.route.method).join(', ') });
      else sendJson(res, 404, { error: `no route ${url.pathname}; see docs/collector.md` });
      deps.metrics.countRequest('unknown', res.statusCode);
      return;
    }
    const { route, params } = found;
    res.on('finish', () => deps.metrics.countRequest(route.name, res.statusCode));
    const ctx: RouteContext = { req, res, url, params, principal: ANONYMOUS, deps };
    run(ctx, route).catch((error: unknown) => deps.log(`unexpected error on ${route.name}: ${(error as Error)?.stack ?? String(error)}`));
  };
}

async function run(ctx: RouteContext, route: Route): Promise<void> {
  try {
    if (route.scope) ctx.principal = authorize(ctx, route.scope);
    await route.handle(ctx);
  } catch (error) {
    if (error instanceof ClientClosedError || (ctx.req.destroyed && !ctx.req.complete)) {
      // Not our failure and nobody to answer: counted, not logged.
      ctx.deps.metrics.countRequest(route.name, CLIENT_CLOSED);
      return;
    }
    const httpError = toHttpError(error, ctx, route);
    // Unread body bytes are discarded, so a keep-alive connection stays usable.
    ctx.req.resume();
    if (route.sendError) route.sendError(ctx, httpError);
    else sendJson(ctx.res, httpError.status, { error: httpError.message, ...(httpError.parameter ? { parameter: httpError.parameter } : {}) }, httpError.headers);
  }
}

function authorize(ctx: RouteContext, scope: Scope): Principal {
  const principal = ctx.deps.auth.authenticate(ctx.req.headers.authorization);
  if (!principal) {
    const reason = ctx.req.headers.authorization ? 'the bearer token is not valid' : 'an Authorization: Bearer <token> header is required';
    throw new HttpError(401, reason, { 'www-authenticate': 'Bearer realm="genai-usage-collector"' });
  }
  if (!principal.scopes.has(scope)) throw new HttpError(403, `${principal.name} lacks the ${scope} scope`);
  return principal;
}

function toHttpError(error: unknown, ctx: RouteContext, route: Route): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof StoreQueryError) {
    const parameter = paramOf(error.key);
    return new HttpError(400, error.message, {}, parameter);
  }
  ctx.deps.log(`internal error on ${route.name}: ${(error as Error)?.stack ?? String(error)}`);
  return new HttpError(500, 'internal error (logged by the collector)');
}

interface Pattern {
  parts: string[];
}

function compile(path: string): Pattern {
  return { parts: path.split('/').filter(Boolean) };
}

function match(pattern: Pattern, parts: readonly string[]): Record<string, string> | undefined {
  if (parts.length !== pattern.parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const want = pattern.parts[i] as string;
    const got = parts[i] as string;
    if (want.startsWith(':')) {
      try {
        params[want.slice(1)] = decodeURIComponent(got);
      } catch {
        return undefined;
      }
    } else if (want !== got) return undefined;
  }
  return params;
}
