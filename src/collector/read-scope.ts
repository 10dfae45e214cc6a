import type { ServerResponse } from 'node:http';
import type { UsageFilter } from '../store/usage-store.js';
import type { RouteContext } from './collector-app.js';
import { sendJson } from './http-util.js';

/** The filter a read may run: a tenant-bound token only ever sees its own tenant's records. */
export function scoped<T extends UsageFilter>(ctx: RouteContext, filter: T): T {
  const tenant = ctx.principal.tenant;
  return tenant === undefined ? filter : { ...filter, tenant };
}

/**
 * Answers one page: `rows` were fetched with `limit + 1` so whether a next page exists is
 * known exactly. `next` is this URL with the offset moved on.
 */
export function sendPage(res: ServerResponse, url: URL, key: string, rows: readonly unknown[], limit: number, offset: number, extra: Record<string, unknown> = {}): void {
  const more = rows.length > limit;
  let next: string | null = null;
  if (more) {
    const nextUrl = new URL(url.href);
    nextUrl.searchParams.set('offset', String(offset + limit));
    next = `${nextUrl.pathname}${nextUrl.search}`;
  }
  sendJson(res, 200, { ...extra, [key]: more ? rows.slice(0, limit) : rows, page: { limit, offset, next } });
}
