/** A small PromQL scanner for tests: the metric names an expression selects. */

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan', 'Inf', 'NaN']);

/**
 * Metric names in `expr`: identifiers that are not functions, keywords, label names (inside
 * `{}`, `by (...)`, `on (...)`), durations or Grafana variables. `label_values(sel, label)`
 * (Grafana's variable query) is reduced to its selector.
 */
export function metricNames(expr: string): string[] {
  let s = expr.trim();
  const lv = /^label_values\((.*),\s*[a-zA-Z_]\w*\)$/s.exec(s);
  if (lv) s = lv[1] ?? '';
  s = s
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names: string[] = [];
  for (const m of s.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const after = s.slice((m.index ?? 0) + m[0].length).trimStart();
    if (after.startsWith('(') || KEYWORDS.has(m[0])) continue;
    names.push(m[0]);
  }
  return [...new Set(names)];
}
