import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Target { refId: string; expr: string; instant: boolean }
export interface Panel {
  id: number;
  title: string;
  type: string;
  datasource?: { uid?: string };
  gridPos: { x: number; y: number; w: number; h: number };
  targets: Target[];
  fieldConfig: { defaults: { unit?: string; custom?: { stacking?: { mode: string } } } };
}
export interface Variable { name: string; type: string; definition: string }
export interface DashboardJson { uid: string; title: string; panels: Panel[]; templating: { list: Variable[] } }
export interface DashboardFile { file: string; json: DashboardJson }

/** The committed dashboards, as Grafana would load them. */
export function loadDashboards(): DashboardFile[] {
  const dir = join(ROOT, 'dashboards/grafana');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as DashboardJson }));
}

export interface PanelQuery { dashboard: string; panel: string; refId: string; expr: string; instant: boolean }

export function panelQueries(d: DashboardFile): PanelQuery[] {
  return d.json.panels.flatMap((p) => p.targets.map((t) => ({ dashboard: d.json.title, panel: p.title, refId: t.refId, expr: t.expr, instant: t.instant })));
}
