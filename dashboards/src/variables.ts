import { BUDGET_UTILIZATION, REQUESTS } from './contract.js';
import { VAR_LABEL, varMatchers, type VarName, type VariableSpec } from './grafana.js';
import { sel } from './promql.js';

const LABELS: Record<VarName, string> = {
  service: 'Service (job)',
  provider: 'Provider',
  model: 'Model',
  agent: 'Agent',
  user: 'User',
  budget: 'Budget',
};

/**
 * The dashboard's variables in order, each narrowed by the ones before it
 * (a model list only shows the selected provider's models). Values come from
 * `genai_usage_requests_total` (every call counts there), budgets from the utilization gauge.
 */
export function variables(names: readonly VarName[]): VariableSpec[] {
  return names.map((name, i) => {
    const before = names.slice(0, i);
    const source = name === 'budget' ? BUDGET_UTILIZATION : REQUESTS;
    return { name, label: LABELS[name], query: `label_values(${sel(source, varMatchers(before))}, ${VAR_LABEL[name]})` };
  });
}
