import { StoreError } from '../../store/errors.js';
import { DEFAULT_UI_PORT, startExplorerServer } from '../../ui/ui-server.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { integer, parseFlags, storeUrl } from '../flags.js';

const HELP = `Usage: genai-usage ui [options]

Serves the spend explorer on 127.0.0.1: spend and tokens over time, users, agents, models,
providers, sessions, traces and budgets, with filters kept in the URL. Every page is also
data: add .json (or .csv / .jsonl with table=) to its path. Read-only: the store is never
created, migrated or written. Stops on SIGINT/SIGTERM. See docs/explorer.md.

Options:
  --store <url>      sqlite:<path> | postgres://... (default: env GENAI_USAGE_STORE,
                     else sqlite:./genai-usage.db)
  --port <n>         port on 127.0.0.1 (default ${DEFAULT_UI_PORT}; 0 picks a free one)
  --budgets <file>   budgets file for the Budgets page (default: env GENAI_USAGE_BUDGETS)

Examples:
  genai-usage ui
  genai-usage ui --store postgres://usage@db/usage --port 8080 --budgets budgets.yaml`;

const OPTIONS = {
  store: { type: 'string' },
  port: { type: 'string' },
  budgets: { type: 'string' },
} as const;

export const command: CliCommand = {
  meta: { name: 'ui', summary: 'the spend explorer in the browser, on 127.0.0.1 (read-only)', help: HELP },
  async handler(argv, io) {
    const values = parseFlags(argv, OPTIONS);
    const port = values.port === undefined ? DEFAULT_UI_PORT : integer('--port', values.port, 0);
    if (port > 65535) throw new CliUsageError(`--port must be at most 65535, got ${port}`);
    const store = storeUrl(values, io.env);
    const log = (message: string): void => void io.stderr.write(`genai-usage ui: ${message}\n`);
    let server;
    try {
      server = await startExplorerServer({ store, port, budgetsFile: values.budgets ?? io.env['GENAI_USAGE_BUDGETS'], log });
    } catch (error) {
      if (error instanceof StoreError) throw new CliUsageError(error.message, 1);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES') throw new CliUsageError(`cannot listen on 127.0.0.1:${port}: ${code}; pick another --port`, 1);
      throw error;
    }
    log(`serving ${server.url} (read-only) — open it in a browser; Ctrl-C stops`);
    io.stdout.write(`${server.url}\n`);
    if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }));
    await server.close();
    return 0;
  },
};
