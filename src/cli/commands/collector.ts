import { COLLECTOR_DEFAULTS, resolveCollectorConfig } from '../../collector/collector-config.js';
import { startCollector } from '../../collector/collector-server.js';
import { loadPriceData } from '../../prices/price-data.js';
import { StoreError } from '../../store/errors.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { parseFlags } from '../flags.js';

const HELP = `Usage: genai-usage collector [options]

Runs the collector service: OTLP/HTTP trace ingest (POST /v1/traces, protobuf or JSON,
gzip or not) into the usage store, a read-only query API (/api/v1/...), the spend explorer
at / (sign in with a read token), /healthz, /readyz and its own Prometheus /metrics. Stops cleanly on SIGINT/SIGTERM. See docs/collector.md.

Options (each also from env GENAI_USAGE_COLLECTOR_<NAME>, then the config file):
  --host <addr>               listen address (default ${COLLECTOR_DEFAULTS.host}; without tokens only
                              loopback is allowed)
  --port <n>                  listen port (default ${COLLECTOR_DEFAULTS.port}; 0 picks a free one)
  --store <url>               sqlite:<path> | postgres://... | clickhouse://... (env GENAI_USAGE_COLLECTOR_STORE,
                              else GENAI_USAGE_STORE, else sqlite:./genai-usage.db)
  --config <file>             YAML config file (env GENAI_USAGE_COLLECTOR_CONFIG)
  --budgets <file>            budgets file for the explorer's Budgets page (env
                              GENAI_USAGE_COLLECTOR_BUDGETS, else GENAI_USAGE_BUDGETS)
  --max-body-bytes <n>        request body limit, compressed and decompressed
                              (default ${COLLECTOR_DEFAULTS.maxBodyBytes})
  --max-queue-records <n>     records waiting for the store before 429 (default ${COLLECTOR_DEFAULTS.maxQueueRecords})
  --journal-dir <dir>         answer ingest once records are in a write-ahead journal here,
                              store them behind it (one directory per collector; default: none,
                              ingest is answered once stored)
  --retry-after-seconds <n>   Retry-After on 429/503 (default ${COLLECTOR_DEFAULTS.retryAfterSeconds})

Prices: GENAI_USAGE_PRICE_DATA=<file> prices from a refreshed table (genai-usage prices update).

Tokens (never on the command line): GENAI_USAGE_COLLECTOR_TOKENS as JSON
  [{"token":"...","scopes":["ingest"],"tenant":"acme","name":"acme-ingest"}]
or compact "token:ingest+read:acme,token2:metrics"; scopes: ingest, read, metrics.

Examples:
  GENAI_USAGE_COLLECTOR_TOKENS="$(cat tokens.json)" genai-usage collector --host 0.0.0.0 \\
    --store postgres://usage@db/usage
  genai-usage collector --config collector/config.example.yaml`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  store: { type: 'string' },
  config: { type: 'string' },
  budgets: { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'max-queue-records': { type: 'string' },
  'journal-dir': { type: 'string' },
  'retry-after-seconds': { type: 'string' },
} as const;

export const command: CliCommand = {
  meta: { name: 'collector', summary: 'OTLP/HTTP ingest into the store, with a query API (a service)', help: HELP },
  async handler(argv, io) {
    const values = parseFlags(argv, OPTIONS);
    const config = resolveCollectorConfig({
      flags: {
        host: values.host,
        port: values.port,
        store: values.store,
        config: values.config,
        budgets: values.budgets,
        maxBodyBytes: values['max-body-bytes'],
        maxQueueRecords: values['max-queue-records'],
        journalDir: values['journal-dir'],
        retryAfterSeconds: values['retry-after-seconds'],
      },
      env: io.env,
    });
    const log = (message: string): void => void io.stderr.write(`genai-usage collector: ${message}\n`);
    const priceData = io.env['GENAI_USAGE_PRICE_DATA'];
    if (priceData) log(`prices from ${priceData} (${loadPriceData(priceData).version})`);
    let collector;
    try {
      collector = await startCollector(config, { log });
    } catch (error) {
      if (error instanceof StoreError) throw new CliUsageError(error.message, 1);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
        throw new CliUsageError(`cannot listen on ${config.host}:${config.port}: ${code}`, 1);
      }
      throw error;
    }
    if (!io.signal.aborted) await new Promise((resolve) => io.signal.addEventListener('abort', resolve, { once: true }));
    log('shutting down: draining in-flight requests');
    await collector.close();
    return 0;
  },
};
