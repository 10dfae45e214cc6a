import { diag, type Attributes, type MeterProvider } from '@opentelemetry/api';
import { VERSION } from '../version.js';
import type { BudgetTracker } from './budget-tracker.js';
import { labelOf } from './scope.js';

/** OTel instrument names; Prometheus: `genai_usage_budget_limit`, `_used`, `_utilization`. */
export const METRIC_BUDGET_LIMIT = 'genai_usage.budget.limit';
export const METRIC_BUDGET_USED = 'genai_usage.budget.used';
export const METRIC_BUDGET_UTILIZATION = 'genai_usage.budget.utilization';

/**
 * Observable gauges of every budget copy in its current period, with labels `budget`,
 * `metric` (cost | tokens | requests), `period` and the scope labels (`user`, `agent`,
 * `model`, `provider`, `service`, `group`, `tag_<key>`). `used` includes the store's
 * totals once synced, so a restart or a counter reset never hides spend.
 * Returns a function that stops observing.
 */
export function registerBudgetGauges(tracker: BudgetTracker, meterProvider: MeterProvider): () => void {
  const meter = meterProvider.getMeter('genai-usage', VERSION);
  const limit = meter.createObservableGauge(METRIC_BUDGET_LIMIT, { description: 'Budget limit for the current period (USD, tokens or requests, see the metric label).' });
  const used = meter.createObservableGauge(METRIC_BUDGET_USED, { description: 'Budget use in the current period (USD, tokens or requests, see the metric label).' });
  const utilization = meter.createObservableGauge(METRIC_BUDGET_UTILIZATION, { description: 'Budget use / limit in the current period (1 = exhausted).' });
  // The SDK keeps exporting the last value of a series no callback reports any more, so a
  // copy that left `status()` (a new period started, a rolling window emptied) would show
  // yesterday's use forever. Such a copy is reported once more as unused.
  let previous = new Map<string, { attributes: Attributes; limit: number }>();
  const callback = (result: { observe(metric: unknown, value: number, attributes?: Attributes): void }) => {
    try {
      const current = new Map<string, { attributes: Attributes; limit: number }>();
      for (const status of tracker.status()) {
        const attributes: Attributes = { budget: status.budget, metric: status.metric, period: status.period };
        for (const [key, value] of Object.entries(status.scope)) attributes[labelOf(key)] = value;
        result.observe(limit, status.limit, attributes);
        result.observe(used, status.used, attributes);
        result.observe(utilization, status.utilization, attributes);
        current.set(JSON.stringify(attributes), { attributes, limit: status.limit });
      }
      for (const [key, gone] of previous) {
        if (current.has(key)) continue;
        result.observe(limit, gone.limit, gone.attributes);
        result.observe(used, 0, gone.attributes);
        result.observe(utilization, 0, gone.attributes);
      }
      previous = current;
    } catch (err) {
      diag.error('genai-usage: budget gauges failed', err);
    }
  };
  meter.addBatchObservableCallback(callback, [limit, used, utilization]);
  return () => meter.removeBatchObservableCallback(callback, [limit, used, utilization]);
}
