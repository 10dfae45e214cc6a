import type { CostSource, UsageRecord } from '../usage/usage-record.js';
import type { Dialect } from './dialect.js';

/** The records table: one row per LLM call. Documented in docs/schema.md. */
export const RECORDS_TABLE = 'genai_usage_records';
export const MIGRATIONS_TABLE = 'genai_usage_migrations';

type ColumnKind = 'id' | 'text' | 'required-text' | 'integer' | 'real' | 'required-real' | 'boolean' | 'time' | 'json';

export interface Column {
  /** The UsageRecord field. */
  field: keyof UsageRecord;
  /** snake_case of the field, except `group` → `group_name` (GROUP is an SQL keyword). */
  column: string;
  kind: ColumnKind;
  /** The migration that added the column; undefined for the columns of migration 1. */
  since?: number;
}

const c = (field: keyof UsageRecord, kind: ColumnKind, column?: string, since?: number): Column => ({
  field,
  kind,
  column: column ?? field.replace(/[A-Z]/g, (ch) => `_${ch.toLowerCase()}`),
  ...(since === undefined ? {} : { since }),
});
/** A column added by migration 4 (billed dimensions beyond input/output, issue 12). */
const v4 = (field: keyof UsageRecord, kind: ColumnKind, column?: string): Column => c(field, kind, column, 4);

/** UsageRecord columns in table order; the table also has `tenant` (see docs/schema.md). */
export const RECORD_COLUMNS: readonly Column[] = [
  c('id', 'id'),
  c('traceId', 'required-text'),
  c('spanId', 'required-text'),
  c('recordedAt', 'time'),
  c('durationMs', 'required-real'),
  c('serviceName', 'text'),
  c('provider', 'required-text'),
  c('operation', 'required-text'),
  c('requestModel', 'text'),
  c('responseModel', 'text'),
  c('userId', 'text'),
  c('agentName', 'text'),
  c('handoffChain', 'text'),
  c('group', 'text', 'group_name'),
  c('sessionId', 'text'),
  c('conversationId', 'text'),
  c('inputTokens', 'integer'),
  c('outputTokens', 'integer'),
  c('totalTokens', 'integer'),
  c('cacheReadTokens', 'integer'),
  c('cacheWriteTokens', 'integer'),
  c('reasoningTokens', 'integer'),
  c('costUsd', 'real'),
  c('costSource', 'required-text'),
  c('usageEstimated', 'boolean'),
  c('success', 'boolean'),
  c('errorType', 'text'),
  c('finishReason', 'text'),
  c('streaming', 'boolean'),
  c('timeToFirstTokenMs', 'real'),
  c('tags', 'json'),
  v4('serviceTier', 'text'),
  v4('cacheWrite1hTokens', 'integer', 'cache_write_1h_tokens'),
  v4('audioInputTokens', 'integer'),
  v4('audioOutputTokens', 'integer'),
  v4('imageInputTokens', 'integer'),
  v4('imageOutputTokens', 'integer'),
  v4('webSearchRequests', 'integer'),
  v4('cacheReadSavingsUsd', 'real'),
  v4('cacheWritePremiumUsd', 'real'),
  v4('priceVersion', 'text'),
];

/** The columns as a migration left them: what `version` created or added, in table order. */
export function recordColumnsAt(version: number): readonly Column[] {
  return RECORD_COLUMNS.filter((col) => (col.since ?? 1) <= version);
}

export const RECORD_COLUMN_NAMES: readonly string[] = RECORD_COLUMNS.map((col) => col.column);

/** SQL type per column kind and engine. */
export function sqlType(kind: ColumnKind, engine: Dialect['name']): string {
  const pg = engine === 'postgres';
  switch (kind) {
    case 'id':
      return pg ? 'text COLLATE "C" PRIMARY KEY' : 'TEXT PRIMARY KEY';
    case 'text':
      return pg ? 'text COLLATE "C"' : 'TEXT';
    case 'required-text':
      return pg ? 'text COLLATE "C" NOT NULL' : 'TEXT NOT NULL';
    case 'integer':
      return pg ? 'bigint NOT NULL DEFAULT 0' : 'INTEGER NOT NULL DEFAULT 0';
    case 'real':
      return pg ? 'double precision' : 'REAL';
    case 'required-real':
      return pg ? 'double precision NOT NULL' : 'REAL NOT NULL';
    case 'boolean':
      return pg ? 'boolean NOT NULL' : 'INTEGER NOT NULL';
    case 'time':
      return pg ? 'timestamptz NOT NULL' : 'TEXT NOT NULL';
    case 'json':
      return pg ? `jsonb NOT NULL DEFAULT '{}'` : `TEXT NOT NULL DEFAULT '{}'`;
  }
}

/** Empty strings are stored as NULL: "not set" has one spelling, in filters and rollups alike. */
function optionalText(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}

/**
 * Text as both engines can store it alike: NUL (which PostgreSQL refuses in text and jsonb)
 * and unpaired UTF-16 surrogates (which UTF-8 cannot encode; drivers would substitute U+FFFD
 * silently) become U+FFFD before a record is written. The collector rejects such spans before
 * they get this far; this keeps one bad value from an application from failing a whole batch.
 */
export function storableText(value: string): string {
  if (!SUSPECT.test(value)) return value;
  return value.replace(UNSTORABLE, '\uFFFD');
}

const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Whether a column of this kind holds text (the others hold numbers, booleans, a time or the tags). */
export function isTextKind(kind: Column['kind']): boolean {
  return kind === 'id' || kind === 'text' || kind === 'required-text';
}

const TEXT_FIELDS = RECORD_COLUMNS.filter((col) => isTextKind(col.kind)).map((col) => col.field);

/** The record with {@link storableText} applied to every text field and tag; itself when already clean. */
export function storableRecord(record: UsageRecord): UsageRecord {
  let clean: Record<string, unknown> | undefined;
  for (const field of TEXT_FIELDS) {
    const value = record[field];
    if (typeof value === 'string' && SUSPECT.test(value)) (clean ??= { ...record })[field] = storableText(value);
  }
  const tags = record.tags;
  if (tags && suspectTags(tags)) {
    (clean ??= { ...record })['tags'] = Object.fromEntries(Object.entries(tags).map(([k, v]) => [storableText(k), storableText(String(v))]));
  }
  return (clean as UsageRecord | undefined) ?? record;
}

function suspectTags(tags: Readonly<Record<string, unknown>>): boolean {
  for (const key in tags) {
    if (Object.hasOwn(tags, key) && (SUSPECT.test(key) || SUSPECT.test(String(tags[key])))) return true;
  }
  return false;
}

/**
 * A record as bound values in RECORD_COLUMNS order, plus tenant last. Booleans become 0/1 for
 * SQLite; times are ISO-8601 strings for both engines (PostgreSQL parses them as timestamptz).
 */
export function recordToValues(record: UsageRecord, dialect: Dialect, tenant: string | null): unknown[] {
  const values: unknown[] = [];
  for (const col of RECORD_COLUMNS) {
    const value = record[col.field];
    switch (col.kind) {
      case 'time':
        values.push((value as Date).toISOString());
        break;
      case 'boolean':
        values.push(dialect.bool(value === true));
        break;
      case 'json':
        values.push(JSON.stringify(value ?? {}));
        break;
      case 'integer':
        values.push(typeof value === 'number' && Number.isFinite(value) ? Math.round(value) : 0);
        break;
      case 'real':
      case 'required-real':
        values.push(typeof value === 'number' && Number.isFinite(value) ? value : col.kind === 'real' ? null : 0);
        break;
      default:
        values.push(col.kind === 'text' ? optionalText(value as string | undefined) : String(value ?? ''));
    }
  }
  values.push(tenant);
  return values;
}

/** A stored row (either engine's driver types) back to a UsageRecord. */
export function rowToRecord(row: Record<string, unknown>): UsageRecord {
  const record: Record<string, unknown> = {};
  for (const col of RECORD_COLUMNS) {
    const value = row[col.column];
    switch (col.kind) {
      case 'time':
        record[col.field] = value instanceof Date ? value : new Date(String(value));
        break;
      case 'boolean':
        record[col.field] = value === true || value === 1;
        break;
      case 'json':
        record[col.field] = typeof value === 'string' ? (JSON.parse(value) as unknown) : (value ?? {});
        break;
      case 'integer':
      case 'required-real':
        record[col.field] = Number(value);
        break;
      case 'real':
        record[col.field] = value === null || value === undefined ? undefined : Number(value);
        break;
      default:
        record[col.field] = value === null || value === undefined ? undefined : String(value);
    }
  }
  record['costSource'] = record['costSource'] as CostSource;
  return record as unknown as UsageRecord;
}

/** Revives a record parsed from JSON (spool file, JSONL export): the date comes back as a Date. */
export function reviveRecord(value: unknown): UsageRecord | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const record = value as Record<string, unknown>;
  if (typeof record['id'] !== 'string' || typeof record['recordedAt'] !== 'string') return undefined;
  const recordedAt = new Date(record['recordedAt']);
  if (Number.isNaN(recordedAt.getTime())) return undefined;
  return { ...(record as unknown as UsageRecord), recordedAt };
}
