import { readFileSync } from 'node:fs';
import { firstLine } from '../setup/config-error.js';
import { yamlModule } from '../setup/lazy-yaml.js';
import { BudgetDefinitionError } from './budget-errors.js';
import {
  CALENDAR_PERIODS, EACH, SCOPE_DIMENSIONS, TOKEN_TYPES,
  type BudgetDefinition, type BudgetMetric, type BudgetTokenType, type BudgetsFile, type CalendarPeriod,
} from './budget-types.js';
import { isValidTimeZone, parseWindow, type PeriodSpec } from './periods.js';
import { scopeKeyOf, type ScopeKey } from './scope.js';

/** A validated budget, ready for the tracker. */
export interface Budget {
  name: string;
  metric: BudgetMetric;
  /** Token budgets only; `total` otherwise. */
  tokenType: BudgetTokenType;
  limit: number;
  period: PeriodSpec;
  /** Scope keys with a fixed value, e.g. `[['user', 'u-1'], ['tag.feature', 'chat']]`. */
  fixed: ReadonlyArray<readonly [ScopeKey, string]>;
  /** Scope keys with one copy per value, in a stable order. */
  each: readonly ScopeKey[];
  /** `warnAt`, sorted ascending, deduplicated. */
  warnAt: readonly number[];
  /** `warnAt` plus 1 (exhausted): every threshold that emits an event and gets an alert. */
  thresholds: readonly number[];
  enforce: 'hard' | 'soft';
  description: string | undefined;
}

const FIELDS = ['name', 'limit', 'period', 'timeZone', 'scope', 'warnAt', 'enforce', 'description'];
const LIMIT_KEYS = ['costUsd', 'tokens', 'requests'];
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const DEFAULT_WARN_AT = [0.8];

/** Reads a YAML or JSON budgets file (`GENAI_USAGE_BUDGETS`) and validates it. */
export function loadBudgetsFile(path: string): Budget[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new BudgetDefinitionError(`cannot read the budgets file ${path}: ${(err as Error).message}`);
  }
  let data: unknown;
  try {
    data = yamlModule().parse(text);
  } catch (err) {
    throw new BudgetDefinitionError(`${path} is not valid YAML or JSON: ${firstLine((err as Error).message)}`);
  }
  return parseBudgets(data as BudgetsFile, path);
}

/** Validates definitions: a list, or a file object `{ timeZone?, budgets: [...] }`. */
export function parseBudgets(input: readonly BudgetDefinition[] | BudgetsFile, source = 'budgets'): Budget[] {
  let list: unknown;
  let defaultZone = 'UTC';
  if (Array.isArray(input)) list = input;
  else if (isObject(input)) {
    const extra = Object.keys(input).filter((k) => k !== 'budgets' && k !== 'timeZone');
    if (extra.length) throw new BudgetDefinitionError(`unknown key "${extra[0]}"; valid keys: budgets, timeZone`, undefined, source);
    list = input.budgets;
    if (input.timeZone !== undefined) defaultZone = timeZone(input.timeZone, undefined, source);
  }
  if (!Array.isArray(list)) throw new BudgetDefinitionError('expected a list of budgets, or an object { budgets: [...] }', undefined, source);
  const seen = new Set<string>();
  return list.map((def: unknown, i) => {
    const budget = parseOne(def, i, defaultZone);
    if (seen.has(budget.name)) throw new BudgetDefinitionError('the name is used by another budget; names must be unique', budget.name, 'name');
    seen.add(budget.name);
    return budget;
  });
}

function parseOne(def: unknown, index: number, defaultZone: string): Budget {
  if (!isObject(def)) throw new BudgetDefinitionError(`expected an object with ${FIELDS.join(', ')}, got ${show(def)}`, `budgets[${index}]`);
  const rawName = def['name'];
  if (typeof rawName !== 'string' || !NAME_RE.test(rawName)) {
    throw new BudgetDefinitionError(`expected a name of letters, digits, ".", "_", "-" (starting with a letter or digit), got ${show(rawName)}`, `budgets[${index}]`, 'name');
  }
  const name = rawName;
  const fail = (field: string, message: string): never => {
    throw new BudgetDefinitionError(message, name, field);
  };
  for (const key of Object.keys(def)) if (!FIELDS.includes(key)) fail(key, `unknown field; valid fields: ${FIELDS.join(', ')}`);
  const { metric, limit, tokenType } = parseLimit(def['limit'], fail);
  const zone = def['timeZone'] === undefined ? defaultZone : timeZone(def['timeZone'], name, 'timeZone');
  const period = parsePeriod(def['period'], zone, fail);
  if (period.kind === 'rolling' && def['timeZone'] !== undefined) fail('timeZone', 'a rolling window has no calendar, so no time zone; remove timeZone or use a calendar period');
  const { fixed, each } = parseScope(def['scope'], fail);
  const warnAt = parseWarnAt(def['warnAt'], fail);
  const enforce = def['enforce'] ?? 'soft';
  if (enforce !== 'hard' && enforce !== 'soft') fail('enforce', `got ${show(enforce)}; valid values: hard, soft`);
  const description = def['description'];
  if (description !== undefined && typeof description !== 'string') fail('description', `expected a string, got ${show(description)}`);
  const thresholds = warnAt.includes(1) ? warnAt : [...warnAt, 1];
  return { name, metric, tokenType, limit, period, fixed, each, warnAt, thresholds, enforce: enforce as 'hard' | 'soft', description: description as string | undefined };
}

type Fail = (field: string, message: string) => never;

function parseLimit(value: unknown, fail: Fail): { metric: BudgetMetric; limit: number; tokenType: BudgetTokenType } {
  const forms = '{ costUsd: <USD> }, { tokens: <n>, tokenType?: <type> } or { requests: <n> }';
  if (!isObject(value)) return fail('limit', `expected ${forms}, got ${show(value)}`);
  const keys = Object.keys(value).filter((k) => LIMIT_KEYS.includes(k));
  if (keys.length !== 1) return fail('limit', `expected exactly one of costUsd, tokens, requests (${forms}), got ${show(value)}`);
  const key = keys[0]!;
  for (const k of Object.keys(value)) {
    if (k !== key && !(k === 'tokenType' && key === 'tokens')) fail(`limit.${k}`, `unknown key; valid keys with ${key}: ${key === 'tokens' ? 'tokens, tokenType' : key}`);
  }
  const limit = value[key];
  if (typeof limit !== 'number' || !Number.isFinite(limit) || limit <= 0) fail(`limit.${key}`, `expected a positive number, got ${show(limit)}`);
  const tokenType = value['tokenType'] ?? 'total';
  if (!(TOKEN_TYPES as readonly unknown[]).includes(tokenType)) fail('limit.tokenType', `got ${show(tokenType)}; valid values: ${TOKEN_TYPES.join(', ')}`);
  const metric: BudgetMetric = key === 'costUsd' ? 'cost' : key === 'tokens' ? 'tokens' : 'requests';
  return { metric, limit: limit as number, tokenType: tokenType as BudgetTokenType };
}

function parsePeriod(value: unknown, zone: string, fail: Fail): PeriodSpec {
  const valid = `${CALENDAR_PERIODS.join(', ')}, or { rolling: <n>m|h|d|w } (at least 1m)`;
  if (typeof value === 'string' && (CALENDAR_PERIODS as readonly string[]).includes(value)) {
    return { kind: 'calendar', unit: value as CalendarPeriod, timeZone: zone, label: value as CalendarPeriod };
  }
  if (isObject(value) && Object.keys(value).length === 1 && typeof value['rolling'] === 'string') {
    const windowMs = parseWindow(value['rolling']);
    if (windowMs === undefined) return fail('period.rolling', `got ${show(value['rolling'])}; valid: a window like 30m, 24h, 7d, 2w (at least 1m)`);
    return { kind: 'rolling', windowMs, label: `rolling:${value['rolling'].replace(/\s+/g, '')}` };
  }
  return fail('period', `got ${show(value)}; valid values: ${valid}`);
}

function parseScope(value: unknown, fail: Fail): { fixed: Array<[ScopeKey, string]>; each: ScopeKey[] } {
  const fixed: Array<[ScopeKey, string]> = [];
  const each: ScopeKey[] = [];
  if (value === undefined) return { fixed, each };
  const validKeys = [...SCOPE_DIMENSIONS, 'tags'].join(', ');
  if (!isObject(value)) return fail('scope', `expected an object with any of ${validKeys}, got ${show(value)}`);
  const add = (key: ScopeKey, field: string, v: unknown) => {
    if (typeof v !== 'string' || v === '') fail(field, `expected a non-empty string (a fixed value) or "${EACH}", got ${show(v)}`);
    if (v === EACH) each.push(key);
    else fixed.push([key, v as string]);
  };
  for (const [key, v] of Object.entries(value)) {
    if ((SCOPE_DIMENSIONS as readonly string[]).includes(key)) add(key as ScopeKey, `scope.${key}`, v);
    else if (key === 'tags') {
      if (!isObject(v)) fail('scope.tags', `expected an object of tag values, e.g. { feature: chat } or { tenant: each }, got ${show(v)}`);
      for (const [tag, tv] of Object.entries(v as Record<string, unknown>)) add(scopeKeyOf(tag), `scope.tags.${tag}`, tv);
    } else fail(`scope.${key}`, `unknown scope key; valid keys: ${validKeys}`);
  }
  each.sort();
  return { fixed, each };
}

function parseWarnAt(value: unknown, fail: Fail): number[] {
  if (value === undefined) return DEFAULT_WARN_AT;
  if (!Array.isArray(value)) return fail('warnAt', `expected a list of fractions in (0, 1], e.g. [0.5, 0.8, 0.95], got ${show(value)}`);
  if (value.length > 10) fail('warnAt', `at most 10 thresholds, got ${value.length}`);
  for (const t of value) {
    if (typeof t !== 'number' || !(t > 0 && t <= 1)) fail('warnAt', `${show(t)} is not a fraction in (0, 1]; e.g. 0.8 for 80 %`);
  }
  return [...new Set(value as number[])].sort((a, b) => a - b);
}

function timeZone(value: unknown, budget: string | undefined, field: string): string {
  if (typeof value !== 'string' || !isValidTimeZone(value)) {
    throw new BudgetDefinitionError(`${show(value)} is not a time zone; valid values: UTC or an IANA zone such as Europe/Berlin, America/New_York`, budget, field);
  }
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: value }).resolvedOptions().timeZone;
  return /^(Etc\/)?(UTC|GMT|UCT|Zulu|Universal)$/i.test(resolved) ? 'UTC' : resolved;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function show(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
