import type { ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UsageRecord } from '../../usage/usage-record.js';
import { MEASURE_COLUMNS, ROLLUPS, type RollupDef } from '../rollup.js';
import { RECORDS_TABLE, storableRecord } from '../schema.js';
import { StoreError } from '../errors.js';
import { recordToChRow } from './clickhouse-query.js';
import { IDS_TABLE, TAG_ROLLUP, bucketExpr, castTo, chMeasureExprs, localTable, table, type Layout } from './clickhouse-schema.js';
import { sqlString } from './literal.js';
import { toTsv } from './tsv.js';

/** Ids per "already stored?" query: keeps each query's text around 100 KB. */
const CHECK_IDS = 2000;

/**
 * Inserts the records not already stored (by tenant and id) and resolves to how many that
 * was. The check reads the id ledger (sorted by tenant, hour, id, so it touches only the
 * batch's hours) and confirms candidates against the records table, so a deleted record can
 * be stored again. ReplacingMergeTree and FINAL keep reads exact even if two writers race
 * past the check with the same record (docs/schema.md, "Duplicates").
 */
export async function insertNew(client: ClickHouseClient, layout: Layout, records: readonly UsageRecord[], tenant: string | null): Promise<number> {
  const unique = new Map<string, UsageRecord>();
  // NUL and unpaired surrogates become U+FFFD, as on the other engines (schema.ts, storableText).
  for (const record of records) if (!unique.has(record.id)) unique.set(record.id, storableRecord(record));
  const stored = await storedIds(client, layout, [...unique.values()], tenant ?? '');
  const fresh = [...unique.values()].filter((record) => !stored.has(record.id));
  if (fresh.length === 0) return 0;
  const rows = fresh.map((record) => recordToChRow(record, tenant));
  const columns = Object.keys(rows[0] as object);
  await client.insert({
    table: table(layout, RECORDS_TABLE),
    values: Readable.from([toTsv(rows, columns)], { objectMode: false }),
    format: 'TabSeparated',
    columns: columns as [string, ...string[]],
  });
  return fresh.length;
}

async function storedIds(client: ClickHouseClient, layout: Layout, records: readonly UsageRecord[], tenant: string): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < records.length; i += CHECK_IDS) {
    const chunk = records.slice(i, i + CHECK_IDS);
    const hours = new Set(chunk.map((r) => Math.floor(r.recordedAt.getTime() / 36e5) * 3600));
    const ids = chunk.map((r) => sqlString(r.id)).join(', ');
    const candidates = await column(
      client,
      `SELECT DISTINCT id FROM ${table(layout, IDS_TABLE)} WHERE tenant = ${sqlString(tenant)} AND hour IN (${[...hours].map((h) => `toDateTime(${h})`).join(', ')}) AND id IN (${ids})`,
    );
    if (candidates.length === 0) continue;
    // The ledger is never rewritten by delete(): confirm against the records themselves.
    const days = new Set(chunk.map((r) => Math.floor(r.recordedAt.getTime() / 864e5) * 86400));
    const confirmed = await column(
      client,
      `SELECT DISTINCT id FROM ${table(layout, RECORDS_TABLE)} WHERE tenant = ${sqlString(tenant)} AND toDate(recorded_at) IN (${[...days].map((d) => `toDate(toDateTime(${d}))`).join(', ')}) AND id IN (${candidates.map(sqlString).join(', ')})`,
    );
    for (const id of confirmed) found.add(id);
  }
  return found;
}

async function column(client: ClickHouseClient, query: string): Promise<string[]> {
  const rows = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as Array<{ id: string }>;
  return rows.map((row) => row.id);
}

/**
 * Deletes the records `where` selects and subtracts them from every rollup. Rollups first:
 * negative rows that SummingMergeTree adds up (a row that sums to zero disappears on merge);
 * then an `ALTER TABLE … DELETE` mutation, waited for, so the call returns once reads no longer
 * see the records. Resolves to the number of records deleted.
 */
export async function deleteWhere(client: ClickHouseClient, layout: Layout, where: string): Promise<number> {
  const records = `${table(layout, RECORDS_TABLE)} FINAL`;
  const count = Number(((await (await client.query({ query: `SELECT count() AS n FROM ${records} ${where}`, format: 'JSONEachRow' })).json()) as Array<{ n: string }>)[0]?.n ?? 0);
  if (count === 0) return 0;
  for (const def of ROLLUPS) await client.command({ query: `INSERT INTO ${table(layout, def.table)} ${subtraction(def, records, where)}` });
  await client.command({
    query: `INSERT INTO ${table(layout, TAG_ROLLUP.table)} ${subtraction(TAG_ROLLUP, records, where, TAG_ROLLUP.tagDims, ' ARRAY JOIN tags.key AS tag_key, tags.value AS tag_value')}`,
  });
  const onCluster = layout.cluster ? ` ON CLUSTER ${layout.cluster}` : '';
  await client.command({ query: `ALTER TABLE ${localTable(layout, RECORDS_TABLE)}${onCluster} DELETE ${where}` });
  await waitForMutations(client, layout);
  return count;
}

function subtraction(def: RollupDef, records: string, where: string, extraDims: readonly string[] = [], arrayJoin = ''): string {
  const dims = [...def.dims.slice(0, 1), ...extraDims, ...def.dims.slice(1)];
  const measures = chMeasureExprs().map((expr, i) => `-${castTo(i)}(${expr}) AS ${MEASURE_COLUMNS[i]}`);
  return (
    `SELECT ${bucketExpr(def.grain, 'recorded_at')} AS bucket_start, ${dims.join(', ')}, ${measures.join(', ')} ` +
    `FROM ${records}${arrayJoin} ${where} GROUP BY bucket_start, ${dims.join(', ')}`
  );
}

const MUTATION_POLL_MS = 50;
const MUTATION_TIMEOUT_MS = 10 * 60_000;

/** Mutations run in the background; a delete returns once every server has finished them. */
async function waitForMutations(client: ClickHouseClient, layout: Layout): Promise<void> {
  const from = layout.cluster ? `cluster(${sqlString(layout.cluster)}, system, mutations)` : 'system.mutations';
  const query = `SELECT count() AS n FROM ${from} WHERE database = ${sqlString(layout.database)} AND table = ${sqlString(layout.cluster ? `${RECORDS_TABLE}_local` : RECORDS_TABLE)} AND is_done = 0`;
  const deadline = Date.now() + MUTATION_TIMEOUT_MS;
  for (;;) {
    const rows = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as Array<{ n: string }>;
    if (Number(rows[0]?.n ?? 0) === 0) return;
    if (Date.now() > deadline) throw new StoreError(`a ClickHouse delete mutation did not finish within ${MUTATION_TIMEOUT_MS / 1000} s (see system.mutations)`);
    await sleep(MUTATION_POLL_MS);
  }
}
