import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/** A static file served under /assets/: read once, with an ETag. */
export interface Asset {
  body: Buffer;
  contentType: string;
  etag: string;
}

const require = createRequire(import.meta.url);
// src/ui and dist/ui are both two levels below the package root, where ui/ lives.
const OWN = (name: string): string => fileURLToPath(new URL(`../../ui/${name}`, import.meta.url));

/** Files the pages load; nothing is fetched from elsewhere at run time. uPlot comes from its npm package. */
const SOURCES: Record<string, { path: () => string; contentType: string }> = {
  'explorer.js': { path: () => OWN('explorer.js'), contentType: 'text/javascript; charset=utf-8' },
  'explorer.css': { path: () => OWN('explorer.css'), contentType: 'text/css; charset=utf-8' },
  'uPlot.iife.min.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), contentType: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), contentType: 'text/css; charset=utf-8' },
};

const cache = new Map<string, Asset>();

/** The asset of that name, or undefined for any other name. */
export function asset(name: string): Asset | undefined {
  const source = Object.hasOwn(SOURCES, name) ? SOURCES[name] : undefined;
  if (!source) return undefined;
  let found = cache.get(name);
  if (!found) {
    const body = readFileSync(source.path());
    found = { body, contentType: source.contentType, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` };
    cache.set(name, found);
  }
  return found;
}
