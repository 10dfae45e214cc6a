import { resolve as resolvePath } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PriceBook } from '../prices/price-book.js';
import { openStore, parseSqliteUrl } from '../store/open-store.js';
import { redact } from '../store/postgres-store.js';
import type { UsageStore } from '../store/usage-store.js';
import { Admission } from './admission.js';
import { createCollectorHandler, type CollectorDeps } from './collector-app.js';
import { COLLECTOR_DEFAULTS, type CollectorConfig } from './collector-config.js';
import { CollectorMetrics } from './collector-metrics.js';
import { IngestJournal, type JournalEntry, type RecoveredJournal } from './ingest-journal.js';
import { IngestQueue, type Ingest } from './ingest-queue.js';
import { JournaledIngest, recoverEntries } from './journaled-ingest.js';
import { ROUTES } from './routes/all-routes.js';
import { SqliteWriteThread } from '../store/sqlite-write-thread.js';
import { TokenAuth } from './tokens.js';

export interface StartCollectorOptions {
  /** Where log lines go; default stderr. Tokens are never passed to it. */
  log?: (message: string) => void;
  /** Use this store instead of opening `config.store` (it is then not closed on shutdown). */
  store?: UsageStore;
  prices?: PriceBook;
}

export interface RunningCollector {
  /** `http://host:port` as bound (port 0 in the config picks a free one). */
  readonly url: string;
  readonly port: number;
  readonly deps: CollectorDeps;
  /** Stops accepting, lets in-flight requests finish and commit, then closes the store. Idempotent. */
  close(): Promise<void>;
}

/**
 * ClickHouse wants few, large inserts (each one writes parts in the records table, its ledger
 * and every rollup): unless configured otherwise, its batches are 10,000 records, not the default.
 */
function batchRecords(config: CollectorConfig, engine: UsageStore['engine']): number {
  const configured = config.maxBatchRecords !== COLLECTOR_DEFAULTS.maxBatchRecords;
  return engine === 'clickhouse' && !configured ? Math.min(CLICKHOUSE_BATCH_RECORDS, config.maxQueueRecords) : config.maxBatchRecords;
}

const CLICKHOUSE_BATCH_RECORDS = 10_000;

/**
 * On ClickHouse an insert costs hundreds of ms whatever its size (a part of ~100 files in each
 * of seven tables): unless configured otherwise, a batch that is not full waits up to this long for
 * more requests. Without it, under steady load the senders split into two groups answered by
 * alternate inserts, twice as many as needed (measured: 250 + 390 records instead of 640).
 */
function batchDelayMs(config: CollectorConfig, engine: UsageStore['engine']): number {
  const configured = config.maxBatchDelayMs !== COLLECTOR_DEFAULTS.maxBatchDelayMs;
  return engine === 'clickhouse' && !configured ? CLICKHOUSE_BATCH_DELAY_MS : config.maxBatchDelayMs;
}

const CLICKHOUSE_BATCH_DELAY_MS = 100;

/**
 * Opens the store and starts the HTTP server.
 * @throws StoreError when the store cannot be opened; the listen error (EADDRINUSE, ...) otherwise.
 */
export async function startCollector(config: CollectorConfig, options: StartCollectorOptions = {}): Promise<RunningCollector> {
  const log = options.log ?? ((message: string) => process.stderr.write(`genai-usage collector: ${message}\n`));
  const store = options.store ?? (await openStore(config.store));
  // SQLite writes go to their own thread when we own the store (from the compiled package).
  let writer: SqliteWriteThread | undefined;
  if (!options.store && store.engine === 'sqlite' && SqliteWriteThread.available()) {
    const { path, busyTimeoutMs } = parseSqliteUrl(config.store.trim());
    if (path !== ':memory:') writer = new SqliteWriteThread(resolvePath(path), { busyTimeoutMs });
  }
  const prices = options.prices ?? new PriceBook();
  // Only the journal and the decoded entries outlive this block: the segments read back at
  // start (whole files) are let go once decoded.
  let journal: IngestJournal | undefined;
  let recovered: JournalEntry[] = [];
  if (config.journalDir) {
    let opened: RecoveredJournal;
    try {
      opened = await IngestJournal.open(resolvePath(config.journalDir));
    } catch (error) {
      await writer?.close();
      if (!options.store) await store.close();
      throw error;
    }
    journal = opened.journal;
    const decoded = recoverEntries(opened.recovered, prices);
    recovered = decoded.entries;
    const left = recovered.reduce((n, e) => n + e.records.length, 0);
    const unreadable = opened.unreadable + decoded.undecodable;
    if (left > 0 || unreadable > 0) {
      log(`journal ${config.journalDir}: ${left} record(s) a previous run accepted are being stored` + (unreadable > 0 ? `; ${unreadable} unreadable request(s) skipped (a write cut short or damaged)` : ''));
    }
  }
  const batch = batchRecords(config, store.engine);
  const metrics = new CollectorMetrics();
  let lastErrorLog = 0;
  const admission = new Admission({ maxInflightRequests: config.maxInflightRequests, maxInflightBytes: config.maxInflightBytes });
  const storeQueue = new IngestQueue(writer ?? store, {
    // Behind a journal the queue only holds what the journal hands it (a batch being written, the next gathering).
    maxPendingRecords: journal ? Math.max(2 * batch, config.maxQueueRecords) : config.maxQueueRecords,
    maxBatchRecords: batch,
    maxBatchDelayMs: batchDelayMs(config, store.engine),
    // ClickHouse only: SQLite has one writer, and PostgreSQL's rollup upserts would deadlock.
    maxConcurrentWrites: store.engine === 'clickhouse' ? config.maxConcurrentWrites : 1,
    receiving: () => admission.inflight().bytes > 0,
    failureBackoffMs: config.retryAfterSeconds * 1000,
    writeTimeoutMs: config.writeTimeoutMs,
    onWritten: (records, inserted) => {
      metrics.recordsWritten += inserted;
      metrics.recordsDuplicate += records - inserted;
    },
    onStoreError: (error) => {
      metrics.storeErrors++;
      // An outage fails every request: log at most one line per 5 s.
      if (Date.now() - lastErrorLog > 5000) {
        lastErrorLog = Date.now();
        log(`store write failed, senders told to retry: ${error.message}`);
      }
    },
    onRefused: (error) => {
      metrics.storeErrors++;
      if (Date.now() - lastErrorLog > 5000) {
        lastErrorLog = Date.now();
        log(`the store refused one request's records (answered 400; other requests are unaffected): ${error.message}`);
      }
    },
  });
  const queue: Ingest = journal
    ? new JournaledIngest(
        journal,
        storeQueue,
        {
          maxRecords: config.maxQueueRecords,
          storeQueueRecords: 2 * batch,
          retryMs: config.retryAfterSeconds * 1000,
          drainTimeoutMs: config.shutdownTimeoutMs,
          onRefused: (error, records) => {
            metrics.storeErrors++;
            log(`the store refused ${records} journaled record(s), dropped (the sender had its answer already): ${error.message}`);
          },
        },
        recovered,
      )
    : storeQueue;
  // The queue has them now; this function's closures would otherwise keep every recovered record.
  recovered = [];
  const auth = new TokenAuth(config.tokens);
  const deps: CollectorDeps = { config, store, queue, admission, metrics, auth, prices, log, state: { draining: false } };
  const server = createServer({ requestTimeout: 60_000 }, createCollectorHandler(ROUTES, deps));
  try {
    await listen(server, config.port, config.host);
  } catch (error) {
    // The journal's lock and files are released for the next attempt, its entries kept.
    if (queue instanceof JournaledIngest) await queue.abandon();
    await writer?.close();
    if (!options.store) await store.close();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${host}:${port}`;
  const tenants = new Set(config.tokens.map((t) => t.tenant).filter(Boolean)).size;
  log(
    `listening on ${url}, store ${redact(config.store)}, ` +
      (writer ? 'writes on a worker thread, ' : '') +
      (journal ? `journal ${config.journalDir}, ` : '') +
      (auth.enabled ? `${config.tokens.length} token(s), ${tenants} tenant(s)` : 'no tokens (loopback only, no auth)'),
  );
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      deps.state.draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last responses finish: close them as
      // they do, and cut whatever is left after the timeout.
      const sweep = setInterval(() => server.closeIdleConnections(), 50);
      const timer = setTimeout(() => server.closeAllConnections(), config.shutdownTimeoutMs);
      await closed;
      clearInterval(sweep);
      clearTimeout(timer);
      await queue.close();
      if (journal && queue.depth() > 0) log(`${queue.depth()} record(s) left in the journal ${config.journalDir}; stored at the next start`);
      await writer?.close();
      if (!options.store) await store.close();
      log('stopped');
    })());
  return { url, port, deps, close };
}

/**
 * Pending connections the kernel may hold for us (capped by net.core.somaxconn). Node's 511 was
 * too few: under overload, when a load of senders (re)connects at once while the event loop is
 * busy, the backlog overflowed and dropped SYNs, which senders retry only after 1 s, then 3 s.
 */
const LISTEN_BACKLOG = 4096;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: LISTEN_BACKLOG }, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
