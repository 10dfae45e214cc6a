import type { UsageRecord } from '../usage/usage-record.js';
import type { NormalizedFilter } from './filter.js';
import { MEASURE_COLUMNS, addRecordMeasures } from './measure-columns.js';
import type { GroupByDimension, TimeBucket } from './usage-store.js';

/**
 * Pre-aggregated tables, maintained in the same transaction as the records they summarise
 * (only rows actually inserted count, so re-sent records never double-count). A query whose
 * filters, groupBy and bucket can be answered from a rollup reads it instead of the raw
 * rows; otherwise it reads `genai_usage_records`. Dimension columns hold '' for "not set"
 * because NULLs never match in a primary key.
 *
 * Two shapes, because a user id multiplied by every other dimension would make a rollup as
 * large as the raw table, each dimension shape at the grain its queries need:
 * - daily and hourly × provider, operation, models, agent, group, service, success
 * - daily × user, group
 * - daily × session, and daily × trace: the sessions and traces pages rank from these (a
 *   session's or trace's calls sum into one row per day instead of being scanned one by one);
 *   SQLite and PostgreSQL rank traces from their run totals alone (see {@link DAILY_TRACE})
 * - SQLite and PostgreSQL also: daily × provider, models, agent, success (the overview's
 *   dimensions only), and the same × user (without operation, group and service, a user's
 *   calls of a day fold into a few rows, far fewer than the user's records)
 */
export interface RollupDef {
  readonly table: string;
  readonly grain: 'hour' | 'day';
  /** Key columns besides `bucket_start`, in primary-key order. */
  readonly dims: readonly RollupDim[];
  /**
   * Only for grouping by this high-cardinality key (ranking sessions or traces): a query that
   * filters on one session or trace reads its few records through their index instead.
   */
  readonly groupingKey?: RollupDim;
}

export type RollupDim =
  | 'tenant'
  | 'provider'
  | 'operation'
  | 'request_model'
  | 'response_model'
  | 'agent_name'
  | 'group_name'
  | 'service_name'
  | 'user_id'
  | 'session_id'
  | 'trace_id'
  | 'success';

const DIMS: readonly RollupDim[] = ['tenant', 'provider', 'operation', 'request_model', 'response_model', 'agent_name', 'group_name', 'service_name', 'success'];

/**
 * Daily × trace. ClickHouse keeps it as a rollup. SQLite and PostgreSQL dropped the table
 * (migration 9): a trace is mostly one call, so the table was a second, 50-column-wide copy of
 * the records with two random-key B-trees, and it cost more per insert than the records
 * themselves. Its deltas still feed the trace run totals, and one trace's calls are read
 * through the records' trace index.
 */
export const DAILY_TRACE: RollupDef = { table: 'genai_usage_rollup_daily_trace', grain: 'day', dims: ['tenant', 'trace_id'], groupingKey: 'trace_id' };

/** In the order queries try them: the smallest that can answer wins. */
export const ROLLUPS: readonly RollupDef[] = [
  { table: 'genai_usage_rollup_daily', grain: 'day', dims: DIMS },
  { table: 'genai_usage_rollup_daily_user', grain: 'day', dims: ['tenant', 'user_id', 'group_name'] },
  { table: 'genai_usage_rollup_hourly', grain: 'hour', dims: DIMS },
  { table: 'genai_usage_rollup_daily_session', grain: 'day', dims: ['tenant', 'session_id'], groupingKey: 'session_id' },
  DAILY_TRACE,
];

/**
 * SQLite and PostgreSQL also keep, first in their order, a daily rollup of only what the
 * overview and the model, provider and agent pages group and filter by (migration 7):
 * without operation, group and service it has a fraction of the daily rollup's rows, and
 * every page sums ~40 measure columns over it several times. ClickHouse does not (its
 * migrations and rollup choice use {@link ROLLUPS}).
 */
export const SQL_ROLLUPS: readonly RollupDef[] = [
  { table: 'genai_usage_rollup_daily_model', grain: 'day', dims: ['tenant', 'provider', 'request_model', 'response_model', 'agent_name', 'success'] },
  ...ROLLUPS.slice(0, 2),
  // One user's overview and detail (migration 8): a user's calls fold into one row per day,
  // model, agent and outcome, instead of being read one by one through the user index.
  { table: 'genai_usage_rollup_daily_user_model', grain: 'day', dims: ['tenant', 'user_id', 'provider', 'request_model', 'response_model', 'agent_name', 'success'] },
  ...ROLLUPS.slice(2).filter((def) => def !== DAILY_TRACE),
];

/** Summed columns of every rollup (defined in measure-columns.ts). */
export { MEASURE_COLUMNS };

/** Columns each groupBy dimension needs, and the filter keys each rollup column serves. */
const DIMENSION_COLUMNS: Record<GroupByDimension, readonly string[]> = {
  user: ['user_id'],
  agent: ['agent_name'],
  group: ['group_name'],
  model: ['request_model', 'response_model'],
  provider: ['provider'],
  service: ['service_name'],
  session: ['session_id'],
  conversation: ['conversation_id'],
  operation: ['operation'],
  // Ranked from the daily trace rollup; one run's calls through the trace index.
  trace: ['trace_id'],
  rootAgent: ['handoff_chain', 'agent_name'],
  tier: ['service_tier'],
};

const FILTER_COLUMNS: Record<string, readonly string[]> = {
  userId: ['user_id'],
  agentName: ['agent_name'],
  group: ['group_name'],
  model: ['request_model', 'response_model'],
  provider: ['provider'],
  serviceName: ['service_name'],
  sessionId: ['session_id'],
  conversationId: ['conversation_id'],
  traceId: ['trace_id'],
  serviceTier: ['service_tier'],
  success: ['success'],
  tenant: ['tenant'],
};

const GRAIN_MS = { hour: 36e5, day: 864e5 } as const;

/** The first rollup that answers the query exactly, or undefined for the raw table. */
export function chooseRollup(
  filter: NormalizedFilter,
  groupBy: readonly GroupByDimension[],
  bucket: TimeBucket | undefined,
  rollups: readonly RollupDef[] = ROLLUPS,
): RollupDef | undefined {
  if (filter.tags.length > 0) return undefined;
  return rollups.find((def) => {
    const has = (cols: readonly string[]): boolean => cols.every((col) => (def.dims as readonly string[]).includes(col));
    if (bucket === 'hour' && def.grain !== 'hour') return false;
    if (def.groupingKey && !groupBy.some((dim) => DIMENSION_COLUMNS[dim].includes(def.groupingKey as string))) return false;
    // A range that cuts through a rollup bucket would count part of it: only aligned bounds.
    for (const bound of [filter.from, filter.to]) if (bound && bound.getTime() % GRAIN_MS[def.grain] !== 0) return false;
    if (!groupBy.every((dim) => has(DIMENSION_COLUMNS[dim]))) return false;
    return Object.entries(FILTER_COLUMNS).every(([key, cols]) => filter[key as keyof NormalizedFilter] === undefined || has(cols));
  });
}

/** One rollup row's key and measures; `values` follows MEASURE_COLUMNS. */
export interface RollupDelta {
  bucketStart: string;
  key: Array<string | boolean>;
  values: number[];
}

/** Sums records into rollup rows for one rollup; keys sorted so concurrent writers lock rows in the same order. */
export function rollupDeltas(def: RollupDef, records: readonly UsageRecord[], tenant: string | null): RollupDelta[] {
  const sums = new RollupSums(def, tenant);
  sums.add(records);
  return sums.deltas();
}

/** {@link rollupDeltas} fed in parts: records added in several calls sum as if added at once. */
export class RollupSums {
  readonly #byKey = new Map<string, RollupDelta>();
  readonly #grainMs: number;

  constructor(
    readonly def: RollupDef,
    readonly tenant: string | null,
  ) {
    this.#grainMs = GRAIN_MS[def.grain];
  }

  add(records: readonly UsageRecord[]): void {
    const { def, tenant } = this;
    const grainMs = this.#grainMs;
    for (const record of records) {
      const ms = record.recordedAt.getTime();
      const bucketStart = isoOf(ms - (((ms % grainMs) + grainMs) % grainMs));
      // Built as one string, not an array joined: this runs per record and per rollup.
      let mapKey = bucketStart;
      for (const dim of def.dims) mapKey += `\u0000${dim === 'success' ? (record.success ? '1' : '0') : (dimValue(record, dim, tenant) as string)}`;
      let delta = this.#byKey.get(mapKey);
      if (!delta) {
        delta = { bucketStart, key: def.dims.map((dim) => dimValue(record, dim, tenant)), values: new Array<number>(MEASURE_COLUMNS.length).fill(0) };
        this.#byKey.set(mapKey, delta);
      }
      addRecordMeasures(delta.values, record);
    }
  }

  deltas(): RollupDelta[] {
    return [...this.#byKey.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, delta]) => delta);
  }
}

/** Bucket starts repeat for every record of a batch: format each once. */
const ISO_CACHE = new Map<number, string>();
function isoOf(ms: number): string {
  let iso = ISO_CACHE.get(ms);
  if (iso === undefined) {
    if (ISO_CACHE.size > 4096) ISO_CACHE.clear();
    iso = new Date(ms).toISOString();
    ISO_CACHE.set(ms, iso);
  }
  return iso;
}

function dimValue(record: UsageRecord, dim: RollupDim, tenant: string | null): string | boolean {
  switch (dim) {
    case 'tenant':
      return tenant ?? '';
    case 'success':
      return record.success;
    case 'provider':
      return record.provider ?? '';
    case 'operation':
      return record.operation ?? '';
    case 'request_model':
      return record.requestModel ?? '';
    case 'response_model':
      return record.responseModel ?? '';
    case 'agent_name':
      return record.agentName ?? '';
    case 'group_name':
      return record.group ?? '';
    case 'service_name':
      return record.serviceName ?? '';
    case 'user_id':
      return record.userId ?? '';
    case 'session_id':
      return record.sessionId ?? '';
    case 'trace_id':
      return record.traceId ?? '';
  }
}
