/**
 * The budgets part of the public entry, thin: the budgets runtime (parser, trackers, store
 * sync, gauges, rule rendering: ~15 modules) loads with the first call, so an app that imports
 * `genai-usage` and configures no budgets never loads it.
 */
import { lazyOwnModule } from '../setup/load-own.js';
import type { Budgets, BudgetsOptions } from './create-budgets.js';
import type { BudgetDefinition, BudgetsFile } from './budget-types.js';
import type { Budget } from './parse-budgets.js';
import type { RuleFormat, RulesOptions } from './prometheus-rules.js';

const createBudgetsModule = lazyOwnModule(new URL('./create-budgets.js', import.meta.url), () => import('./create-budgets.js'));
const rulesModule = lazyOwnModule(new URL('./prometheus-rules.js', import.meta.url), () => import('./prometheus-rules.js'));

/** Default interval between store syncs: the cross-process consistency window. */
export const DEFAULT_BUDGET_REFRESH_MS = 10_000;

export const RULE_FORMATS = ['prometheus', 'prometheusrule'] as const;

/**
 * Budgets from definitions in code, a `{ timeZone?, budgets }` object, or a YAML/JSON file
 * path (what `GENAI_USAGE_BUDGETS` names). Throws `BudgetDefinitionError` (a `ConfigError`)
 * naming the budget, the field and the valid values when a definition is invalid.
 */
export function createBudgets(definitions: readonly BudgetDefinition[] | BudgetsFile | string, options: BudgetsOptions = {}): Budgets {
  return createBudgetsModule().createBudgets(definitions, options);
}

/** The rules file as YAML: a Prometheus rules file, or a Kubernetes `PrometheusRule` manifest. */
export function renderBudgetRules(budgets: readonly Budget[], format: RuleFormat = 'prometheus', options: RulesOptions = {}): string {
  return rulesModule().renderBudgetRules(budgets, format, options);
}
