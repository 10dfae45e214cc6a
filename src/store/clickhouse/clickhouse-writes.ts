import type { ClickHouseClient } from '@clickhouse/client';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { UsageRecord } from '../../usage/usage-record.js';
import { MEASURE_COLUMNS, ROLLUPS, type RollupDef } from '../rollup.js';
import { RECORDS_TABLE, storableRecord } from '../schema.js';
import { StoreError } from '../errors.js';
import { inSlices } from '../in-slices.js';
import { IDS_TABLE, TAG_ROLLUP, bucketExpr, castTo, chMeasureExprs, localTable, table, type Layout } from './clickhouse-schema.js';
import { LITERALS, sqlString, type SqlValues } from './literal.js';
import { RECORD_TSV_COLUMNS, recordsToTsv } from './record-tsv.js';

/** Bytes of ids per "already stored?" query: well below the server's 256 KB query limit. */
const CHECK_BYTES = 150_000;

/**
 * Inserts the records not already stored (by tenant and id) and resolves to how many that
 * was. The check reads the id ledger (sorted by tenant, hour, id, so it touches only the
 * batch's hours) and confirms candidates against the records table, so a deleted record can
 * be stored again. ReplacingMergeTree and FINAL keep reads exact even if two writers race
 * past the check with the same record (docs/schema.md, "Duplicates").
 */
export async function insertNew(
  client: ClickHouseClient,
  layout: Layout,
  records: readonly UsageRecord[],
  tenant: string | null,
  values: () => SqlValues = () => LITERALS,
): Promise<number> {
  const unique = new Map<string, UsageRecord>();
  // NUL and unpaired surrogates become U+FFFD, as on the other engines (schema.ts, storableText).
  for await (const slice of inSlices(records)) for (const record of slice) if (!unique.has(record.id)) unique.set(record.id, storableRecord(record));
  const candidates = [...unique.values()];
  const stored = await storedIds(client, layout, candidates, tenant ?? '', values);
  const fresh = candidates.filter((record) => !stored.has(record.id));
  if (fresh.length === 0) return 0;
  await client.insert({
    table: table(layout, RECORDS_TABLE),
    // Formatted a slice at a time as the request body is sent, never the whole batch in one go.
    values: Readable.from(tsvSlices(fresh, tenant), { objectMode: false }),
    format: 'TabSeparated',
    columns: RECORD_TSV_COLUMNS as [string, ...string[]],
  });
  return fresh.length;
}

async function* tsvSlices(records: readonly UsageRecord[], tenant: string | null): AsyncGenerator<string> {
  for await (const slice of inSlices(records)) yield recordsToTsv(slice, tenant);
}

async function storedIds(client: ClickHouseClient, layout: Layout, records: readonly UsageRecord[], tenant: string, values: () => SqlValues): Promise<Set<string>> {
  const found = new Set<string>();
  for (const chunk of byIdBytes(records, CHECK_BYTES)) {
    const hours = new Set(chunk.map((r) => Math.floor(r.recordedAt.getTime() / 36e5) * 3600));
    const inLedger = values();
    const candidates = await column(
      client,
      `SELECT DISTINCT id FROM ${table(layout, IDS_TABLE)} WHERE tenant = ${inLedger.string(tenant)} AND hour IN (${[...hours].map((h) => `toDateTime(${h})`).join(', ')}) AND id IN ${inLedger.stringSet(chunk.map((r) => r.id))}`,
      inLedger,
    );
    if (candidates.length === 0) continue;
    // The ledger is never rewritten by delete(): confirm against the records themselves.
    const days = new Set(chunk.map((r) => Math.floor(r.recordedAt.getTime() / 864e5) * 86400));
    const inRecords = values();
    const confirmed = await column(
      client,
      `SELECT DISTINCT id FROM ${table(layout, RECORDS_TABLE)} WHERE tenant = ${inRecords.string(tenant)} AND toDate(recorded_at) IN (${[...days].map((d) => `toDate(toDateTime(${d}))`).join(', ')}) AND id IN ${inRecords.stringSet(candidates)}`,
      inRecords,
    );
    for (const id of confirmed) found.add(id);
  }
  return found;
}

/** Consecutive runs of records whose ids together stay under `maxBytes` (at least one record each). */
function* byIdBytes(records: readonly UsageRecord[], maxBytes: number): Generator<UsageRecord[]> {
  let chunk: UsageRecord[] = [];
  let bytes = 0;
  for (const record of records) {
    if (chunk.length > 0 && bytes + record.id.length > maxBytes) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(record);
    bytes += record.id.length + 1;
  }
  if (chunk.length > 0) yield chunk;
}

async function column(client: ClickHouseClient, query: string, values: SqlValues): Promise<string[]> {
  const rows = (await (await client.query({ query, format: 'JSONEachRow', query_params: values.params })).json()) as Array<{ id: string }>;
  return rows.map((row) => row.id);
}

/**
 * Deletes the records `where` selects and subtracts them from every rollup. Rollups first:
 * negative rows that SummingMergeTree adds up (a row that sums to zero disappears on merge);
 * then an `ALTER TABLE … DELETE` mutation, waited for, so the call returns once reads no longer
 * see the records. Resolves to the number of records deleted.
 */
export async function deleteWhere(client: ClickHouseClient, layout: Layout, where: string, values: SqlValues): Promise<number> {
  const records = `${table(layout, RECORDS_TABLE)} FINAL`;
  const query_params = values.params;
  const count = Number(((await (await client.query({ query: `SELECT count() AS n FROM ${records} ${where}`, format: 'JSONEachRow', query_params })).json()) as Array<{ n: string }>)[0]?.n ?? 0);
  if (count === 0) return 0;
  for (const def of ROLLUPS) await client.command({ query: `INSERT INTO ${table(layout, def.table)} ${subtraction(def, records, where)}`, query_params });
  await client.command({
    query: `INSERT INTO ${table(layout, TAG_ROLLUP.table)} ${subtraction(TAG_ROLLUP, records, where, TAG_ROLLUP.tagDims, ' ARRAY JOIN tags.key AS tag_key, tags.value AS tag_value')}`,
    query_params,
  });
  const onCluster = layout.cluster ? ` ON CLUSTER ${layout.cluster}` : '';
  await client.command({ query: `ALTER TABLE ${localTable(layout, RECORDS_TABLE)}${onCluster} DELETE ${where}`, query_params });
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
