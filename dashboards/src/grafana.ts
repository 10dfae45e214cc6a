/**
 * A small typed model of the Grafana dashboard JSON this project ships (schemaVersion 39,
 * Grafana 10/11), and its renderer. Only the fields the dashboards use are modelled.
 */
import { L } from './contract.js';
import type { Matcher } from './promql.js';

/** Grafana unit ids used here (typed so a typo fails to compile). */
export type Unit = 'currencyUSD' | 'sishort' | 'percentunit' | 's' | 'reqps' | 'short' | 'none';
export type PanelKind = 'stat' | 'timeseries' | 'table' | 'bargauge';

export interface Query {
  expr: string;
  /** Grafana legend template, e.g. `{{gen_ai_request_model}}`. */
  legend?: string;
  /** Instant query (stat, table, bar gauge); range query otherwise. */
  instant?: boolean;
}

export interface PanelSpec {
  kind: PanelKind;
  title: string;
  description: string;
  queries: Query[];
  unit: Unit;
  decimals?: number;
  /** Stack series (only for series that add up: never parts on wholes). */
  stacked?: boolean;
  /** Threshold steps: the first has no value (base colour). */
  thresholds?: Array<[number | null, string]>;
  min?: number;
  max?: number;
  /** Panel relative time (Grafana "Relative time"), e.g. `now/d` = today so far. */
  timeFrom?: string;
  width: number;
  height?: number;
}

/** The template variables a dashboard can have; each filters one label. */
export type VarName = 'service' | 'provider' | 'model' | 'agent' | 'user' | 'budget';

export const VAR_LABEL: Record<VarName, string> = {
  service: L.job,
  provider: L.provider,
  model: L.model,
  agent: L.agent,
  user: L.user,
  budget: L.budget,
};

export interface VariableSpec {
  name: VarName;
  label: string;
  /** Grafana's Prometheus `label_values(selector, label)` query. */
  query: string;
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  variables: VariableSpec[];
  /** Panels laid out left to right, row after row (widths out of 24). */
  rows: PanelSpec[][];
  time?: string;
}

/** The `label=~"$var"` matchers of a dashboard's variables (all of them, or the ones named). */
export function varMatchers(names: readonly VarName[]): Matcher[] {
  return names.map((n) => [VAR_LABEL[n], '=~', `$${n}`] as const);
}

const DS = { type: 'prometheus', uid: '${datasource}' };

export function renderDashboard(spec: DashboardSpec): Record<string, unknown> {
  let id = 1;
  let y = 0;
  const panels: unknown[] = [];
  for (const row of spec.rows) {
    let x = 0;
    const h = Math.max(...row.map((p) => p.height ?? defaultHeight(p.kind)));
    for (const p of row) {
      if (x + p.width > 24) throw new Error(`dashboard ${spec.uid}: row with "${p.title}" is wider than 24 columns`);
      panels.push(renderPanel(p, id++, { h, w: p.width, x, y }));
      x += p.width;
    }
    y += h;
  }
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['genai-usage'],
    timezone: 'utc',
    editable: true,
    graphTooltip: 1,
    schemaVersion: 39,
    version: 1,
    refresh: '1m',
    time: { from: spec.time ?? 'now-24h', to: 'now' },
    links: [{ type: 'dashboards', tags: ['genai-usage'], asDropdown: true, title: 'GenAI usage', includeVars: true, keepTime: true }],
    annotations: { list: [] },
    templating: { list: [datasourceVariable(), ...spec.variables.map(renderVariable)] },
    panels,
  };
}

function defaultHeight(kind: PanelKind): number {
  return kind === 'stat' ? 5 : 9;
}

function renderPanel(p: PanelSpec, id: number, gridPos: { h: number; w: number; x: number; y: number }): Record<string, unknown> {
  const defaults: Record<string, unknown> = { unit: p.unit };
  if (p.decimals !== undefined) defaults.decimals = p.decimals;
  if (p.min !== undefined) defaults.min = p.min;
  if (p.max !== undefined) defaults.max = p.max;
  defaults.thresholds = { mode: 'absolute', steps: (p.thresholds ?? [[null, 'green']]).map(([value, color]) => ({ value, color })) };
  defaults.color = { mode: p.thresholds ? 'thresholds' : p.kind === 'timeseries' ? 'palette-classic' : 'thresholds' };
  if (p.kind === 'timeseries') {
    defaults.custom = { drawStyle: 'line', lineWidth: 1, fillOpacity: p.stacked ? 60 : 10, showPoints: 'never', stacking: { mode: p.stacked ? 'normal' : 'none', group: 'A' } };
  }
  const panel: Record<string, unknown> = {
    id,
    type: p.kind,
    title: p.title,
    description: p.description,
    datasource: DS,
    gridPos,
    targets: p.queries.map((q, i) => renderTarget(q, i, p.kind)),
    fieldConfig: { defaults, overrides: [] },
    options: panelOptions(p.kind),
  };
  if (p.kind === 'table') panel.transformations = [{ id: 'organize', options: { excludeByName: { Time: true } } }];
  if (p.timeFrom) panel.timeFrom = p.timeFrom;
  return panel;
}

function renderTarget(q: Query, i: number, kind: PanelKind): Record<string, unknown> {
  const instant = q.instant ?? kind !== 'timeseries';
  return {
    refId: String.fromCharCode(65 + i),
    datasource: DS,
    expr: q.expr,
    legendFormat: q.legend ?? '__auto',
    instant,
    range: !instant,
    format: kind === 'table' ? 'table' : 'time_series',
  };
}

function panelOptions(kind: PanelKind): Record<string, unknown> {
  const reduceOptions = { calcs: ['lastNotNull'], fields: '', values: false };
  switch (kind) {
    case 'stat':
      return { reduceOptions, colorMode: 'value', graphMode: 'none', textMode: 'auto', justifyMode: 'auto' };
    case 'bargauge':
      return { reduceOptions, orientation: 'horizontal', displayMode: 'gradient', showUnfilled: true };
    case 'table':
      return { showHeader: true, sortBy: [{ displayName: 'Value', desc: true }] };
    case 'timeseries':
      return { legend: { displayMode: 'table', placement: 'right', calcs: ['mean', 'max'] }, tooltip: { mode: 'multi', sort: 'desc' } };
  }
}

function datasourceVariable(): Record<string, unknown> {
  return { name: 'datasource', label: 'Data source', type: 'datasource', query: 'prometheus', current: {}, hide: 0, refresh: 1, regex: '', options: [] };
}

function renderVariable(v: VariableSpec): Record<string, unknown> {
  return {
    name: v.name,
    label: v.label,
    type: 'query',
    datasource: DS,
    definition: v.query,
    query: { query: v.query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    multi: true,
    includeAll: true,
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    regex: '',
    sort: 1,
    hide: 0,
  };
}
