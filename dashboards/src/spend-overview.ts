import { COST, L, R, REQUESTS, UNPRICED } from './contract.js';
import { varMatchers, type DashboardSpec, type VarName } from './grafana.js';
import { increase, RANGE, sel, sumBy } from './promql.js';
import { variables } from './variables.js';

const VARS: VarName[] = ['service', 'provider', 'model'];
const F = varMatchers(VARS);
const cost = sel(COST, F);
const spendIn = (labels: string[] = []) => sumBy(labels, increase(cost, RANGE));
/** Seconds left in the current UTC month. */
const SECONDS_LEFT_IN_MONTH = '((days_in_month() - day_of_month()) * 86400 + 86400 - time() % 86400)';
const USD_PER_HOUR = 3600;

export const spendOverview: DashboardSpec = {
  uid: 'genai-usage-spend',
  title: 'GenAI usage / Spend overview',
  description: 'What LLM calls cost: today, this month, projected, by provider, model, user and agent. Source: genai_usage_cost_total (priced calls only; see the unpriced panel).',
  variables: variables(VARS),
  rows: [
    [
      { kind: 'stat', title: 'Spend today', description: 'USD spent since 00:00 UTC (panel time: today so far).', queries: [{ expr: spendIn() }], unit: 'currencyUSD', decimals: 2, timeFrom: 'now/d', width: 5 },
      { kind: 'stat', title: 'Spend this month', description: 'USD spent since the 1st of the month, UTC (panel time: this month so far).', queries: [{ expr: spendIn() }], unit: 'currencyUSD', decimals: 2, timeFrom: 'now/M', width: 5 },
      {
        kind: 'stat',
        title: 'Projected month-end spend',
        description: 'Spend this month plus the last hour\'s spend rate (recording rule job_provider_model:genai_usage_cost:rate1h) carried to the end of the UTC month.',
        queries: [{ expr: `${spendIn()} + (${sumBy([], sel(R.spendRate1hByModel, F))} or vector(0)) * ${SECONDS_LEFT_IN_MONTH}` }],
        unit: 'currencyUSD',
        decimals: 2,
        timeFrom: 'now/M',
        width: 5,
      },
      { kind: 'stat', title: 'Spend last 24 h', description: 'Rolling 24 h spend (recording rule job_provider_model:genai_usage_cost:increase1d).', queries: [{ expr: sumBy([], sel(R.spend1dByModel, F)) }], unit: 'currencyUSD', decimals: 2, width: 3 },
      {
        kind: 'stat',
        title: 'Cost per priced request',
        description: 'Spend divided by requests, over the dashboard range. Calls to unpriced models are left out of the denominator (they have no cost).',
        queries: [{ expr: `${spendIn()} / (${sumBy([], increase(sel(REQUESTS, F), RANGE))} - (${sumBy([], increase(sel(UNPRICED, F), RANGE))} or vector(0)))` }],
        unit: 'currencyUSD',
        decimals: 4,
        width: 3,
      },
      {
        kind: 'stat',
        title: 'Unpriced-model calls',
        description: 'Calls whose model has no known price: their cost is missing from every spend panel. Add a price (prices option or GENAI_USAGE_PRICES).',
        queries: [{ expr: `${sumBy([], increase(sel(UNPRICED, F), RANGE))} or vector(0)` }],
        unit: 'short',
        decimals: 0,
        thresholds: [[null, 'green'], [1, 'orange']],
        width: 3,
      },
    ],
    [
      { kind: 'timeseries', title: 'Spend rate by provider (USD/hour)', description: 'Stacked: providers add up to the total spend rate. 5 m rate from recording rule job_provider_model:genai_usage_cost:rate5m.', queries: [{ expr: `${sumBy([L.provider], sel(R.spendRate5mByModel, F))} * ${USD_PER_HOUR}`, legend: `{{${L.provider}}}` }], unit: 'currencyUSD', decimals: 2, stacked: true, width: 12 },
      { kind: 'timeseries', title: 'Spend rate by model (USD/hour)', description: 'Stacked: models add up to the total spend rate. 5 m rate from recording rule job_provider_model:genai_usage_cost:rate5m.', queries: [{ expr: `${sumBy([L.provider, L.model], sel(R.spendRate5mByModel, F))} * ${USD_PER_HOUR}`, legend: `{{${L.model}}} ({{${L.provider}}})` }], unit: 'currencyUSD', decimals: 2, stacked: true, width: 12 },
    ],
    [
      { kind: 'bargauge', title: 'Top 10 users by spend', description: 'Over the dashboard range. Empty user = calls without a user id; otel_metric_overflow = users beyond the cardinality limit.', queries: [{ expr: `topk(10, ${spendIn([L.user])})`, legend: `{{${L.user}}}` }], unit: 'currencyUSD', decimals: 2, width: 8 },
      { kind: 'bargauge', title: 'Top 10 agents by spend', description: 'Over the dashboard range. Empty agent = calls made outside any agent.', queries: [{ expr: `topk(10, ${spendIn([L.agent])})`, legend: `{{${L.agent}}}` }], unit: 'currencyUSD', decimals: 2, width: 8 },
      { kind: 'table', title: 'Spend by model', description: 'USD per provider and requested model over the dashboard range.', queries: [{ expr: spendIn([L.provider, L.model]) }], unit: 'currencyUSD', decimals: 4, width: 8 },
    ],
    [
      { kind: 'table', title: 'Unpriced calls by model', description: 'Models with no known price, over the dashboard range.', queries: [{ expr: sumBy([L.provider, L.model], increase(sel(UNPRICED, F), RANGE)) }], unit: 'short', decimals: 0, width: 24, height: 6 },
    ],
  ],
};
