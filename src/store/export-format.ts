import type { UsageRecord } from '../usage/usage-record.js';
import { RECORD_COLUMNS } from './schema.js';
import type { ExportFormat } from './usage-store.js';

/**
 * Serialisation of exported records. JSON and JSONL carry UsageRecord objects (camelCase,
 * `recordedAt` as ISO-8601); CSV has one column per UsageRecord field in schema order, the
 * tags as a JSON object, empty for "not set", RFC 4180 quoting.
 */
export const CSV_FIELDS: readonly string[] = RECORD_COLUMNS.map((col) => col.field);

export function exportHeader(format: ExportFormat): string {
  if (format === 'csv') return `${CSV_FIELDS.join(',')}\r\n`;
  return format === 'json' ? '[' : '';
}

export function exportFooter(format: ExportFormat, count: number): string {
  if (format !== 'json') return '';
  return count === 0 ? ']\n' : '\n]\n';
}

/** One record; `index` is its position in the whole export (JSON needs commas between). */
export function exportRecord(format: ExportFormat, record: UsageRecord, index: number): string {
  switch (format) {
    case 'jsonl':
      return `${JSON.stringify(record)}\n`;
    case 'json':
      return `${index === 0 ? '\n' : ',\n'}${JSON.stringify(record)}`;
    case 'csv':
      return `${CSV_FIELDS.map((field) => csvCell(record[field as keyof UsageRecord])).join(',')}\r\n`;
  }
}

function csvCell(value: unknown): string {
  if (value === undefined || value === null) return '';
  const text = value instanceof Date ? value.toISOString() : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
