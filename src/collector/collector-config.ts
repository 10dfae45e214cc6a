import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_STORE_URL } from '../store/open-store.js';
import { ConfigError } from '../setup/config-error.js';
import { parseTokens, validateTokens, type TokenSpec } from './tokens.js';

/** Defaults of {@link CollectorConfig}; docs/collector.md lists them. */
export const COLLECTOR_DEFAULTS = {
  host: '127.0.0.1',
  port: 4319,
  /** 16 MiB, applied to the body as received and again after decompression (gzip bombs). */
  maxBodyBytes: 16 * 1024 * 1024,
  /** Records accepted but not yet committed; beyond it ingest answers 429 (a bound on latency too). */
  maxQueueRecords: 20_000,
  /** When the oldest uncommitted request has waited longer than this, ingest answers 429 (a bound on latency). */
  maxQueueDelayMs: 1000,
  /** Ingest requests admitted and not yet answered; beyond it 429, before the body is read. */
  maxInflightRequests: 1024,
  /** Request-body bytes being received or decoded (decompressed bytes count too); beyond it 429. */
  maxInflightBytes: 64 * 1024 * 1024,
  /** Records per store transaction at most; larger transactions amortise index pages (measured: 69 → 48 µs CPU per record from 500 to 2,000). */
  maxBatchRecords: 2000,
  /** Longest a batch that is not full waits for more requests; 0 = written at once (100 ms with a ClickHouse store). */
  maxBatchDelayMs: 0,
  /** ClickHouse inserts running at once; other stores always write one at a time (docs/collector.md). */
  maxConcurrentWrites: 1,
  /** Sent in Retry-After on 429 and 503; the OTLP exporters wait this long before retrying. */
  retryAfterSeconds: 1,
  writeTimeoutMs: 10_000,
  /** How long shutdown waits for in-flight requests before closing connections. */
  shutdownTimeoutMs: 10_000,
} as const;

export interface CollectorConfig {
  host: string;
  port: number;
  store: string;
  /** Budgets file for the explorer's Budgets page. */
  budgets?: string;
  /** Ingest through a write-ahead journal in this directory (answered once journaled; docs/collector.md). */
  journalDir?: string;
  tokens: TokenSpec[];
  maxBodyBytes: number;
  maxQueueRecords: number;
  maxQueueDelayMs: number;
  maxInflightRequests: number;
  maxInflightBytes: number;
  maxBatchRecords: number;
  maxBatchDelayMs: number;
  maxConcurrentWrites: number;
  retryAfterSeconds: number;
  writeTimeoutMs: number;
  shutdownTimeoutMs: number;
}

/** Config keys, their env suffix (GENAI_USAGE_COLLECTOR_<suffix>) and kind. */
const KEYS = {
  host: { env: 'HOST', kind: 'string' },
  port: { env: 'PORT', kind: 'port' },
  store: { env: 'STORE', kind: 'string' },
  budgets: { env: 'BUDGETS', kind: 'string' },
  journalDir: { env: 'JOURNAL_DIR', kind: 'string' },
  maxBodyBytes: { env: 'MAX_BODY_BYTES', kind: 'positive' },
  maxQueueRecords: { env: 'MAX_QUEUE_RECORDS', kind: 'positive' },
  maxQueueDelayMs: { env: 'MAX_QUEUE_DELAY_MS', kind: 'positive' },
  maxInflightRequests: { env: 'MAX_INFLIGHT_REQUESTS', kind: 'positive' },
  maxInflightBytes: { env: 'MAX_INFLIGHT_BYTES', kind: 'positive' },
  maxBatchRecords: { env: 'MAX_BATCH_RECORDS', kind: 'positive' },
  maxBatchDelayMs: { env: 'MAX_BATCH_DELAY_MS', kind: 'millis' },
  maxConcurrentWrites: { env: 'MAX_CONCURRENT_WRITES', kind: 'positive' },
  retryAfterSeconds: { env: 'RETRY_AFTER_SECONDS', kind: 'positive' },
  writeTimeoutMs: { env: 'WRITE_TIMEOUT_MS', kind: 'positive' },
  shutdownTimeoutMs: { env: 'SHUTDOWN_TIMEOUT_MS', kind: 'positive' },
} as const;
type Key = keyof typeof KEYS;

export interface ConfigSources {
  /** Values from command-line flags (highest precedence). */
  flags?: Partial<Record<Key | 'config', string>>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Resolves the collector's configuration. Precedence, highest first: flags, environment
 * (`GENAI_USAGE_COLLECTOR_*`; the store also from `GENAI_USAGE_STORE`), the YAML config file
 * (`--config` or `GENAI_USAGE_COLLECTOR_CONFIG`), defaults. Tokens come from
 * `GENAI_USAGE_COLLECTOR_TOKENS` when set, else from the file's `tokens:`.
 * @throws ConfigError naming the bad option and source.
 */
export function resolveCollectorConfig({ flags = {}, env = process.env }: ConfigSources = {}): CollectorConfig {
  const file = flags.config ?? env['GENAI_USAGE_COLLECTOR_CONFIG'];
  const fromFile = file ? readConfigFile(file, env) : {};
  const out: Record<string, unknown> = { ...COLLECTOR_DEFAULTS, store: env['GENAI_USAGE_STORE'] ?? DEFAULT_STORE_URL, budgets: env['GENAI_USAGE_BUDGETS'] || undefined, tokens: [] };
  for (const [key, value] of Object.entries(fromFile)) out[key] = value;
  for (const [key, spec] of Object.entries(KEYS) as Array<[Key, (typeof KEYS)[Key]]>) {
    const name = `GENAI_USAGE_COLLECTOR_${spec.env}`;
    if (env[name] !== undefined && env[name] !== '') out[key] = convert(key, env[name], name);
    const flag = flags[key];
    if (flag !== undefined) out[key] = convert(key, flag, `--${kebab(key)}`);
  }
  const tokensEnv = env['GENAI_USAGE_COLLECTOR_TOKENS'];
  if (tokensEnv !== undefined && tokensEnv.trim() !== '') out['tokens'] = parseTokens(tokensEnv, 'GENAI_USAGE_COLLECTOR_TOKENS');
  const config = out as unknown as CollectorConfig;
  if (config.tokens.length === 0 && !isLoopback(config.host)) {
    throw new ConfigError(
      `refusing to listen on ${config.host} without tokens: anyone who can reach it could write and read usage data. ` +
        `Set GENAI_USAGE_COLLECTOR_TOKENS (or tokens: in the config file), or listen on loopback (--host 127.0.0.1)`,
    );
  }
  return config;
}

/** True for addresses only this machine can reach. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || (isIP(h) === 4 && h.startsWith('127.'));
}

function readConfigFile(path: string, env: NodeJS.ProcessEnv): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read the collector config ${path}: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new ConfigError(`${path}: the config must be a mapping of options`);
  const out: Record<string, unknown> = {};
  const valid = [...Object.keys(KEYS), 'tokens'];
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (key === 'tokens') out['tokens'] = validateTokens(resolveTokenEnv(value, path, env), `${path} tokens`);
    else if (key in KEYS) out[key] = convert(key as Key, value, `${path} ${key}`);
    else throw new ConfigError(`${path}: unknown option ${JSON.stringify(key)}; valid options: ${valid.join(', ')}`);
  }
  return out;
}

/** `tokenEnv: NAME` in the file reads the secret from that variable, keeping it out of the file. */
function resolveTokenEnv(value: unknown, path: string, env: NodeJS.ProcessEnv): unknown {
  if (!Array.isArray(value)) return value;
  return value.map((entry, i) => {
    if (entry === null || typeof entry !== 'object' || !('tokenEnv' in entry)) return entry;
    const { tokenEnv, ...rest } = entry as Record<string, unknown>;
    const secret = typeof tokenEnv === 'string' ? env[tokenEnv] : undefined;
    if (!secret) throw new ConfigError(`${path}: token ${i + 1} reads tokenEnv ${JSON.stringify(tokenEnv)}, which is not set`);
    return { ...rest, token: secret };
  });
}

function convert(key: Key, value: unknown, source: string): string | number {
  const kind = KEYS[key].kind;
  if (kind === 'string') {
    if (typeof value !== 'string' || value.trim() === '') throw new ConfigError(`${source} must be a non-empty string, got ${JSON.stringify(value)}`);
    return value.trim();
  }
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  const max = kind === 'port' ? 65535 : kind === 'millis' ? 60_000 : Number.MAX_SAFE_INTEGER;
  const min = kind === 'port' || kind === 'millis' ? 0 : 1;
  if (!Number.isSafeInteger(n) || n < min || n > max) throw new ConfigError(`${source} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
