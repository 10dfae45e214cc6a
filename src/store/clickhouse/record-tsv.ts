import type { UsageRecord } from '../../usage/usage-record.js';
import { RECORD_COLUMNS } from '../schema.js';
import { plainDecimal, tsvString, tsvStringArray } from './tsv.js';

/**
 * Records straight to TabSeparated lines for the records table, without a row object per record:
 * building ~50-key objects (dictionary-mode in V8) and reading them back cost ~55 µs per record,
 * more than the server's own insert. Same values as `recordToChRow`, in `RECORD_TSV_COLUMNS` order.
 */

const Kind = { Text: 0, Integer: 1, Real: 2, RequiredReal: 3, Boolean: 4, Time: 5, Json: 6 } as const;

const KIND: Record<(typeof RECORD_COLUMNS)[number]['kind'], number> = {
  id: Kind.Text,
  text: Kind.Text,
  'required-text': Kind.Text,
  integer: Kind.Integer,
  real: Kind.Real,
  'required-real': Kind.RequiredReal,
  boolean: Kind.Boolean,
  time: Kind.Time,
  json: Kind.Json,
};

const FIELDS = RECORD_COLUMNS.map((col) => col.field);
const KINDS = RECORD_COLUMNS.map((col) => KIND[col.kind]);

/** The insert's column list: a time is two columns (`_ms` and DateTime), tags are two arrays; then tenant and cost_unknown. */
export const RECORD_TSV_COLUMNS: readonly string[] = [
  ...RECORD_COLUMNS.flatMap((col) => (col.kind === 'time' ? [`${col.column}_ms`, col.column] : col.kind === 'json' ? [`${col.column}.key`, `${col.column}.value`] : [col.column])),
  'tenant',
  'cost_unknown',
];

const finite = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

/** One line per record (each ending in a newline), for `INSERT … (RECORD_TSV_COLUMNS) FORMAT TabSeparated`. */
export function recordsToTsv(records: readonly UsageRecord[], tenant: string | null): string {
  const tenantField = tsvString(tenant ?? '');
  // Each line joined flat: appending to one growing string keeps millions of rope nodes alive
  // until the end, and the garbage collector then costs more than the formatting.
  const lines: string[] = new Array(records.length);
  const fields: string[] = new Array(FIELDS.length + 2);
  for (let r = 0; r < records.length; r++) {
    const record = records[r] as UsageRecord;
    for (let c = 0; c < FIELDS.length; c++) {
      const value = record[FIELDS[c] as keyof UsageRecord];
      switch (KINDS[c]) {
        case Kind.Text:
          fields[c] = value === undefined || value === null ? '' : tsvString(String(value));
          break;
        case Kind.Integer:
          fields[c] = finite(value) ? String(Math.round(value)) : '0';
          break;
        case Kind.Real:
          fields[c] = finite(value) ? plainDecimal(value) : '\\N';
          break;
        case Kind.RequiredReal:
          fields[c] = finite(value) ? plainDecimal(value) : '0';
          break;
        case Kind.Boolean:
          fields[c] = value === true ? '1' : '0';
          break;
        case Kind.Time: {
          const ms = (value as Date).getTime();
          // The DateTime column as epoch seconds (floored, for times before 1970 too): the server reads them as such.
          fields[c] = `${ms}\t${Math.floor(ms / 1000)}`;
          break;
        }
        case Kind.Json: {
          const keys: string[] = [];
          const values: string[] = [];
          const tags = (value ?? {}) as Record<string, unknown>;
          for (const key in tags) {
            if (!Object.hasOwn(tags, key)) continue;
            keys.push(key);
            values.push(String(tags[key]));
          }
          fields[c] = `${tsvStringArray(keys)}\t${tsvStringArray(values)}`;
          break;
        }
      }
    }
    fields[FIELDS.length] = tenantField;
    fields[FIELDS.length + 1] = finite(record.costUsd) ? '0' : '1';
    lines[r] = fields.join('\t');
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}
