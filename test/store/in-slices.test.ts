// Writes that format large batches on the app's thread do it a slice at a time: the pieces
// give the event loop a turn between slices and still add up to exactly what one pass gives.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { inSlices } from '../../src/store/in-slices.js';
import { arrayLiterals } from '../../src/store/postgres-arrays.js';
import { MAINTAINED_ROLLUPS } from '../../src/store/run-totals.js';
import { RollupSums, rollupDeltas } from '../../src/store/rollup.js';
import { generateRecords } from './reference.js';

const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils') as { prepareValue(value: unknown): string };

describe('inSlices', () => {
  it('gives every item once, in order, and lets queued callbacks run between slices', async () => {
    const items = Array.from({ length: 1234 }, (_, i) => i);
    const seen: number[] = [];
    const events: string[] = [];
    let slice = 0;
    for await (const part of inSlices(items, 500)) {
      events.push(`slice ${slice++}`);
      seen.push(...part);
      // Queued while this slice is handled: must run before the next slice is handed out.
      setImmediate(() => events.push(`turn after slice ${slice - 1}`));
    }
    expect(seen).toEqual(items);
    expect(events).toEqual(['slice 0', 'turn after slice 0', 'slice 1', 'turn after slice 1', 'slice 2']);
  });

  it('gives nothing for no items', async () => {
    const parts: unknown[] = [];
    for await (const part of inSlices([])) parts.push(part);
    expect(parts).toEqual([]);
  });
});

describe('arrayLiterals', () => {
  const HOSTILE = ['', '"', '\\', '\\"', '{', '}', ',', 'NULL', 'null', ' a b ', "it's", '{"a":1}', 'é\u{1F600}', 'tab\there', 'line\nbreak', `"},{"x`];

  it('writes each column as the pg driver would write the same array', async () => {
    const columns: unknown[][] = [
      Array.from({ length: 1203 }, (_, i) => HOSTILE[i % HOSTILE.length]),
      Array.from({ length: 1203 }, (_, i) => (i % 7 === 0 ? null : i % 3 === 0 ? undefined : `v${i}`)),
      Array.from({ length: 1203 }, (_, i) => (i % 2 === 0 ? i / 3 : -i)),
      Array.from({ length: 1203 }, (_, i) => i % 2 === 0),
      Array.from({ length: 1203 }, (_, i) => (i % 5 === 0 ? null : 2 ** 53 - i)),
    ];
    const literals = await arrayLiterals(columns);
    expect(literals).toHaveLength(columns.length);
    // pg writes undefined elements as NULL too.
    literals.forEach((literal, c) => expect(literal).toBe(prepareValue((columns[c] as unknown[]).map((v) => (v === undefined ? null : v)))));
  });

  it('writes an empty column as {} and a Date as its instant', async () => {
    expect(await arrayLiterals([[]])).toEqual(['{}']);
    expect(await arrayLiterals([[new Date(Date.UTC(2026, 10, 30, 9, 5))]])).toEqual(['{"2026-11-30T09:05:00.000Z"}']);
  });
});

describe('RollupSums', () => {
  it('sums records added in parts exactly as rollupDeltas sums them at once', () => {
    const records = generateRecords(900);
    for (const def of MAINTAINED_ROLLUPS) {
      const sums = new RollupSums(def, 'acme');
      for (let i = 0; i < records.length; i += 128) sums.add(records.slice(i, i + 128));
      expect(sums.deltas(), def.table).toEqual(rollupDeltas(def, records, 'acme'));
    }
  });
});
