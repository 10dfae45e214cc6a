import { budgets } from './budgets.js';
import { drilldown } from './drilldown.js';
import { renderDashboard, type DashboardSpec } from './grafana.js';
import { renderRecordingRules } from './recording-rules.js';
import { spendOverview } from './spend-overview.js';
import { tokensTraffic } from './tokens-traffic.js';

/** The four dashboards, keyed by their file name under dashboards/grafana/. */
export const DASHBOARDS: Record<string, DashboardSpec> = {
  'spend-overview.json': spendOverview,
  'tokens-traffic.json': tokensTraffic,
  'budgets.json': budgets,
  'drilldown.json': drilldown,
};

/** Every generated file, path relative to the repository root → exact content. */
export function generateAll(): Map<string, string> {
  const files = new Map<string, string>();
  for (const [file, spec] of Object.entries(DASHBOARDS)) {
    files.set(`dashboards/grafana/${file}`, `${JSON.stringify(renderDashboard(spec), null, 2)}\n`);
  }
  files.set('dashboards/prometheus/recording-rules.yaml', renderRecordingRules());
  return files;
}
