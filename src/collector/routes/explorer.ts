import { redact } from '../../store/errors.js';
import { EXPLORER_PATHS, Explorer } from '../../ui/explorer.js';
import type { ExplorerAuth } from '../../ui/auth.js';
import type { CollectorDeps, Route } from '../collector-app.js';

const explorers = new WeakMap<CollectorDeps, Explorer>();

/**
 * The spend explorer on the collector's store. Its routes are open at the HTTP layer because
 * the explorer signs browsers in itself: a `read` token from a form, kept in an HttpOnly cookie
 * (or sent as a bearer header), with the token's tenant applied to every query.
 */
function explorerFor(deps: CollectorDeps): Explorer {
  let explorer = explorers.get(deps);
  if (!explorer) {
    const auth: ExplorerAuth | undefined = deps.auth.enabled
      ? {
          authenticate(token) {
            const principal = deps.auth.authenticate(`Bearer ${token}`);
            return principal && { name: principal.name, canRead: principal.scopes.has('read'), tenant: principal.tenant };
          },
        }
      : undefined;
    explorer = new Explorer({ openStore: async () => deps.store, storeLabel: redact(deps.config.store), auth, budgetsFile: deps.config.budgets, log: deps.log });
    explorers.set(deps, explorer);
  }
  return explorer;
}

/** GET (and, for sign-in and sign-out, POST) routes of every explorer page, asset and data URL. */
export const explorerRoutes: readonly Route[] = EXPLORER_PATHS.flatMap((path) =>
  (path === '/login' || path === '/logout' ? (['GET', 'POST'] as const) : (['GET'] as const)).map(
    (method): Route => ({
      name: path.startsWith('/assets') ? 'ui_asset' : 'ui',
      method,
      path,
      handle: (ctx) => explorerFor(ctx.deps).handle(ctx.req, ctx.res),
    }),
  ),
);
