import type { UsageRecord } from '../usage/usage-record.js';

/** Dimensions that `aggregate({ groupBy })` and `top({ by })` accept. */
export const GROUP_BY_DIMENSIONS = [
  'user',
  'agent',
  'group',
  'model',
  'provider',
  'service',
  'session',
  'conversation',
  'operation',
  /** One agent run: the calls of one trace (never counted twice: only LLM calls are records). */
  'trace',
  /** The outermost agent of the hand-off chain (else the agent): who started the run. */
  'rootAgent',
  /** The service tier the provider served (`default`, `flex`, `priority`, `batch`, ...). */
  'tier',
] as const;
export type GroupByDimension = (typeof GROUP_BY_DIMENSIONS)[number];

/** Time buckets, UTC; a week starts on Monday 00:00 UTC. */
export const TIME_BUCKETS = ['hour', 'day', 'week', 'month'] as const;
export type TimeBucket = (typeof TIME_BUCKETS)[number];

/** Metrics `top()` ranks by, largest first. */
export const TOP_METRICS = ['costUsd', 'totalTokens', 'inputTokens', 'outputTokens', 'requests'] as const;
export type TopMetric = (typeof TOP_METRICS)[number];

export const EXPORT_FORMATS = ['json', 'csv', 'jsonl'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * Which records a query reads. Every key is optional; keys combine with AND.
 * String values match exactly and are always bound as SQL parameters.
 */
export interface UsageFilter {
  userId?: string;
  agentName?: string;
  group?: string;
  /** Matches the request model OR the response model. */
  model?: string;
  provider?: string;
  serviceName?: string;
  sessionId?: string;
  conversationId?: string;
  /** One trace (agent run): its calls. */
  traceId?: string;
  /** The served service tier: `default`, `flex`, `priority`, `batch`, `scale`. */
  serviceTier?: string;
  /** Records stored for this tenant (the collector's tenant-scoped tokens). */
  tenant?: string;
  success?: boolean;
  /** Inclusive lower bound on `recordedAt` (a Date or an ISO-8601 string). */
  from?: Date | string;
  /** Exclusive upper bound on `recordedAt`. */
  to?: Date | string;
  /** One UTC day, `YYYY-MM-DD`; combines with `from`/`to` (the intersection). */
  date?: string;
  /** Every pair must match: `{ feature: 'chat' }`, `'feature=chat'` or `['feature=chat', 'tier=pro']`. */
  tags?: Record<string, string> | string | readonly string[];
  /** At most this many rows; `records()` defaults to {@link DEFAULT_RECORDS_LIMIT}. */
  limit?: number;
  offset?: number;
  /** By `recordedAt` (records, export) or by bucket (aggregate). `records()` defaults to `desc`. */
  order?: 'asc' | 'desc';
}

/** `records()` returns at most this many rows unless `limit` says otherwise. */
export const DEFAULT_RECORDS_LIMIT = 1000;

export interface AggregateQuery extends UsageFilter {
  groupBy?: GroupByDimension | readonly GroupByDimension[];
  bucket?: TimeBucket;
}

export interface TopQuery extends UsageFilter {
  by: GroupByDimension;
  /** Default `costUsd`. */
  metric?: TopMetric;
  /** Default 10. */
  limit?: number;
}

export interface AggregateMeasures {
  requests: number;
  failures: number;
  inputTokens: number;
  outputTokens: number;
  totalTokens: number;
  /** Part of `inputTokens`. */
  cacheReadTokens: number;
  /** Part of `inputTokens`. */
  cacheWriteTokens: number;
  /** Part of `outputTokens`. */
  reasoningTokens: number;
  /** Part of `cacheWriteTokens` written with a 1-hour TTL. */
  cacheWrite1hTokens: number;
  /** Parts of `inputTokens` / `outputTokens`: not additive to them or to each other's totals. */
  audioInputTokens: number;
  audioOutputTokens: number;
  imageInputTokens: number;
  imageOutputTokens: number;
  /** Server-side web searches (uses, not tokens). */
  webSearchRequests: number;
  /** Sum of the known costs; null when no request in the row had a known price. */
  costUsd: number | null;
  /** Requests whose cost is unknown (not included in `costUsd`). */
  unpricedRequests: number;
  /** What cached reads saved against the uncached input price, over the calls genai-usage priced. */
  cacheReadSavingsUsd: number;
  /** What cache writes cost above the uncached input price, over the same calls. */
  cacheWritePremiumUsd: number;
  avgDurationMs: number | null;
  /**
   * Estimated from a duration histogram (see docs/schema.md, "Duration histogram"):
   * the same estimate whichever table answers the query.
   */
  p95DurationMs: number | null;
}

/** One aggregate row: the measures, the bucket start (ISO-8601 UTC) and one key per groupBy dimension. */
export type AggregateRow = AggregateMeasures & { bucket?: string } & { [D in GroupByDimension]?: string | null };

/** A distinct (user, agent, session) combination and when it was seen. */
export interface Identity {
  userId: string | null;
  agentName: string | null;
  sessionId: string | null;
  requests: number;
  firstSeen: Date;
  lastSeen: Date;
}

export interface PruneOptions {
  /** Delete records older than this instant, or than this long ago: `'90d'`, `'12h'`, `'2w'`, `'30m'`. */
  olderThan: Date | string;
}

export interface InsertOptions {
  /** Stored in the `tenant` column (set by the collector); null otherwise. */
  tenant?: string;
}

export interface ExportOptions {
  /** Called after each page with the number of records written so far. */
  onProgress?: (records: number) => void;
}

/**
 * The usage store: one interface over SQLite, PostgreSQL and ClickHouse. Open one with `openStore(url)`.
 */
export interface UsageStore {
  readonly engine: 'sqlite' | 'postgres' | 'clickhouse';
  /** Idempotent by `id`: records already stored are skipped. Resolves to the number newly stored. */
  insert(records: readonly UsageRecord[], options?: InsertOptions): Promise<number>;
  records(filter?: UsageFilter): Promise<UsageRecord[]>;
  aggregate(query?: AggregateQuery): Promise<AggregateRow[]>;
  top(query: TopQuery): Promise<AggregateRow[]>;
  identities(filter?: UsageFilter): Promise<Identity[]>;
  /** Streams the matching records page by page (constant memory), oldest first unless `order: 'desc'`. */
  export(format: ExportFormat, filter?: UsageFilter, options?: ExportOptions): AsyncIterable<string>;
  /** Needs at least one criterion; resolves to the number of records deleted. */
  delete(filter: UsageFilter): Promise<number>;
  prune(options: PruneOptions): Promise<number>;
  close(): Promise<void>;
}
