import { COST, L, REQUESTS, TOKENS } from './contract.js';
import { varMatchers, type DashboardSpec, type VarName } from './grafana.js';
import { increase, RANGE, rate, RATE_INTERVAL, sel, sumBy, type Matcher } from './promql.js';
import { variables } from './variables.js';

const VARS: VarName[] = ['service', 'user', 'agent', 'provider', 'model'];
const F = varMatchers(VARS);
const FAILED: Matcher = [L.errorType, '!=', ''];
const cost = sel(COST, F);
const requests = sel(REQUESTS, F);
const errors = sel(REQUESTS, F, [FAILED]);
const tokens = sel(TOKENS, F);
const over = (labels: string[], s: string) => sumBy(labels, increase(s, RANGE));

export const drilldown: DashboardSpec = {
  uid: 'genai-usage-drilldown',
  title: 'GenAI usage / User and agent drill-down',
  description: 'One user or agent (pick them above): spend, tokens, models and errors. Only the counters carry user and agent; the exact per-call truth is in the usage store (genai-usage report).',
  variables: variables(VARS),
  rows: [
    [
      { kind: 'stat', title: 'Spend', description: 'USD over the dashboard range.', queries: [{ expr: over([], cost) }], unit: 'currencyUSD', decimals: 2, width: 6 },
      { kind: 'stat', title: 'Requests', description: 'Calls over the dashboard range.', queries: [{ expr: over([], requests) }], unit: 'short', decimals: 0, width: 6 },
      { kind: 'stat', title: 'Failed requests', description: 'Calls with an error.type over the dashboard range.', queries: [{ expr: `${over([], errors)} or vector(0)` }], unit: 'short', decimals: 0, thresholds: [[null, 'green'], [1, 'orange']], width: 6 },
      { kind: 'bargauge', title: 'Tokens by type', description: 'Parts, not additive: input includes cache_read, cache_write (of which cache_write_1h), audio_input and image_input; output includes reasoning, audio_output and image_output.', queries: [{ expr: over([L.tokenType], tokens), legend: `{{${L.tokenType}}}` }], unit: 'sishort', width: 6, height: 5 },
    ],
    [
      { kind: 'timeseries', title: 'Spend rate by model (USD/hour)', description: 'Stacked: models add up to this selection\'s spend rate.', queries: [{ expr: `${sumBy([L.provider, L.model], rate(cost, RATE_INTERVAL))} * 3600`, legend: `{{${L.model}}} ({{${L.provider}}})` }], unit: 'currencyUSD', decimals: 2, stacked: true, width: 12 },
      { kind: 'timeseries', title: 'Requests and errors per second', description: 'All calls and failed calls.', queries: [{ expr: sumBy([], rate(requests, RATE_INTERVAL)), legend: 'requests' }, { expr: sumBy([], rate(errors, RATE_INTERVAL)), legend: 'errors' }], unit: 'reqps', width: 12 },
    ],
    [
      { kind: 'table', title: 'Spend by model', description: 'USD per provider and model over the dashboard range.', queries: [{ expr: over([L.provider, L.model], cost) }], unit: 'currencyUSD', decimals: 4, width: 8 },
      { kind: 'table', title: 'Spend by user and agent', description: 'USD per user and agent over the dashboard range.', queries: [{ expr: over([L.user, L.agent], cost) }], unit: 'currencyUSD', decimals: 4, width: 8 },
      { kind: 'table', title: 'Errors by type', description: 'Failed calls by model and error.type over the dashboard range.', queries: [{ expr: over([L.provider, L.model, L.errorType], errors) }], unit: 'short', decimals: 0, width: 8 },
    ],
  ],
};
