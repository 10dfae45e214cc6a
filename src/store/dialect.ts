import type { TimeBucket } from './usage-store.js';

/**
 * The few places where SQLite and PostgreSQL SQL differ. Everything else in the store's SQL
 * is shared text. Values never pass through here into SQL text: only placeholders do.
 */
export interface Dialect {
  readonly name: 'sqlite' | 'postgres' | 'clickhouse';
  /** Placeholder for the n-th (1-based) bound value. */
  placeholder(n: number): string;
  /** A boolean as the engine stores it (SQLite has no boolean type: 0/1). */
  bool(value: boolean): number | boolean;
  /** SQL that is true when the JSON `tags` column holds `key` = `value`. */
  tagMatch(params: Params, key: string, value: string): string;
  /** The start of the UTC bucket containing `column`, as the engine's time type. */
  bucketStart(bucket: TimeBucket, column: string): string;
  /** `true`/`false` literal for a condition on a boolean column. */
  isTrue(column: string): string;
}

/** Collects bound values and hands out placeholders in order. */
export class Params {
  readonly values: unknown[] = [];
  constructor(private readonly dialect: Dialect) {}
  add(value: unknown): string {
    this.values.push(value);
    return this.dialect.placeholder(this.values.length);
  }
}

/** Timestamps are ISO-8601 text in SQLite ('2025-01-31T09:15:00.000Z'), which sorts as time. */
export const sqliteDialect: Dialect = {
  name: 'sqlite',
  placeholder: () => '?',
  bool: (value) => (value ? 1 : 0),
  // json_extract with a quoted path is ~2× faster than a json_each scan per row (measured on
  // 1M rows); a key that a quoted JSON path cannot spell falls back to json_each.
  tagMatch: (params, key, value) =>
    /["\\]/.test(key)
      ? `EXISTS (SELECT 1 FROM json_each(tags) WHERE json_each.key = ${params.add(key)} AND json_each.value = ${params.add(value)})`
      : `json_extract(tags, ${params.add(`$."${key}"`)}) = ${params.add(value)}`,
  bucketStart(bucket, column) {
    switch (bucket) {
      case 'hour':
        return `(substr(${column}, 1, 13) || ':00:00.000Z')`;
      case 'day':
        return `(substr(${column}, 1, 10) || 'T00:00:00.000Z')`;
      // 'weekday 1' moves forward to a Monday; stepping back 6 days first lands on the Monday on or before.
      case 'week':
        return `(date(${column}, '-6 days', 'weekday 1') || 'T00:00:00.000Z')`;
      case 'month':
        return `(substr(${column}, 1, 7) || '-01T00:00:00.000Z')`;
    }
  },
  isTrue: (column) => `${column} = 1`,
};

/** `date_trunc` on the UTC wall clock, so results never depend on the session's TimeZone. */
export const postgresDialect: Dialect = {
  name: 'postgres',
  placeholder: (n) => `$${n}`,
  bool: (value) => value,
  tagMatch: (params, key, value) => `tags @> ${params.add(JSON.stringify({ [key]: value }))}::jsonb`,
  bucketStart: (bucket, column) => `(date_trunc('${bucket}', ${column} AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`,
  isTrue: (column) => column,
};
