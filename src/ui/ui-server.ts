import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openStore } from '../store/open-store.js';
import { redact } from '../store/errors.js';
import { Explorer } from './explorer.js';

/** Default port of `genai-usage ui` (the collector is on 4319). */
export const DEFAULT_UI_PORT = 4320;

export interface ExplorerServerOptions {
  /** Store URL, opened read-only (never created or migrated). */
  store: string;
  /** Default {@link DEFAULT_UI_PORT}; 0 picks a free one. */
  port?: number;
  budgetsFile?: string;
  log?: (message: string) => void;
}

export interface RunningExplorer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Serves the explorer on 127.0.0.1 only: it has no sign-in, so it must not be reachable from elsewhere. */
export async function startExplorerServer(options: ExplorerServerOptions): Promise<RunningExplorer> {
  const explorer = new Explorer({
    openStore: () => openStore(options.store, { readOnly: true }),
    storeLabel: redact(options.store),
    budgetsFile: options.budgetsFile,
    log: options.log,
  });
  const server = createServer({ requestTimeout: 60_000 }, (req, res) => void explorer.handle(req, res));
  await listen(server, options.port ?? DEFAULT_UI_PORT);
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        const timer = setTimeout(() => server.closeAllConnections(), 2000);
        await closed;
        clearTimeout(timer);
        await explorer.close();
      })()),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
}
