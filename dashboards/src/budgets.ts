import { ALERTS, BUDGET_LIMIT, BUDGET_SCOPE_LABELS, BUDGET_USED, BUDGET_UTILIZATION, COMPONENT, L } from './contract.js';
import { varMatchers, type DashboardSpec, type VarName } from './grafana.js';
import { sel, type Matcher } from './promql.js';
import { variables } from './variables.js';

const VARS: VarName[] = ['service', 'budget'];
const F = varMatchers(VARS);
/**
 * A budget copy's identity: its name, what it limits, its period and every scope label, so
 * the copies of an `each` budget (per user, agent, model, provider, service or group) stay
 * separate rows. `tag_<key>` labels cannot be listed: copies of a `tags: { k: each }` budget merge.
 */
const BUDGET_KEY = [L.budget, L.budgetMetric, L.period, ...BUDGET_SCOPE_LABELS];
/** One row per budget copy; `max` merges the identical series every process (instance, job) exports. */
const byBudget = (expr: string) => `max by (${BUDGET_KEY.join(', ')}) (${expr})`;
const LEGEND = `{{budget}} ${BUDGET_SCOPE_LABELS.map((l) => `{{${l}}}`).join(' ')}`;
const isCost: Matcher = [L.budgetMetric, '=', 'cost'];
const notCost: Matcher = [L.budgetMetric, '!=', 'cost'];
const remaining = (m: Matcher) => `clamp_min(${byBudget(sel(BUDGET_LIMIT, F, [m]))} - ${byBudget(sel(BUDGET_USED, F, [m]))}, 0)`;
const UTILIZATION_STEPS: Array<[number | null, string]> = [[null, 'green'], [0.8, 'orange'], [1, 'red']];

export const budgets: DashboardSpec = {
  uid: 'genai-usage-budgets',
  title: 'GenAI usage / Budgets',
  description: 'Budget gauges (genai_usage_budget_limit, _used, _utilization) computed from the usage store, and the alerts that watch them.',
  variables: variables(VARS),
  rows: [
    [
      { kind: 'bargauge', title: 'Utilization per budget', description: 'used / limit for the current period. Orange from the default warning threshold (80 %), red when exhausted.', queries: [{ expr: byBudget(sel(BUDGET_UTILIZATION, F)), legend: LEGEND }], unit: 'percentunit', min: 0, max: 1, thresholds: UTILIZATION_STEPS, width: 12, height: 10 },
      { kind: 'table', title: 'Budgets at risk (≥ 80 %)', description: 'Budgets at or above 80 % of their limit in the current period.', queries: [{ expr: `sort_desc(${byBudget(sel(BUDGET_UTILIZATION, F))} >= 0.8)` }], unit: 'percentunit', decimals: 1, thresholds: UTILIZATION_STEPS, width: 12, height: 10 },
    ],
    [
      { kind: 'table', title: 'Remaining (cost budgets)', description: 'limit - used, USD, for budgets with metric="cost".', queries: [{ expr: remaining(isCost) }], unit: 'currencyUSD', decimals: 2, width: 12 },
      { kind: 'table', title: 'Remaining (token and request budgets)', description: 'limit - used for budgets with metric="tokens" or "requests".', queries: [{ expr: remaining(notCost) }], unit: 'sishort', width: 12 },
    ],
    [
      { kind: 'timeseries', title: 'Burn rate (share of budget per hour)', description: 'How fast each budget is being used up: the 1 h slope of utilization, per hour. 0.1 = 10 % of the limit per hour. Period resets show as a dip.', queries: [{ expr: `clamp_min(${byBudget(`deriv(${sel(BUDGET_UTILIZATION, F)}[1h])`)} * 3600, 0)`, legend: LEGEND }], unit: 'percentunit', min: 0, width: 12 },
      { kind: 'table', title: 'Firing alerts', description: `Alerts labelled component="${COMPONENT}" (the rules in dashboards/prometheus/alerts.yaml and the budget rules from genai-usage rules).`, queries: [{ expr: sel(ALERTS, [L.alertState, '=', 'firing'], [L.component, '=', COMPONENT]) }], unit: 'none', width: 12 },
    ],
  ],
};
