// The instrumentation-overhead chart as hand-written SVG (no dependency): one panel per
// scenario, one bar per instrumented variant — added µs per call for plain calls, added µs per
// chunk for streams (medians; the spread is in the README tables).
import { writeFileSync } from 'node:fs';

const COLORS = { 'genai-usage': '#2f6fdf', contrib: '#8a8a8a', openllmetry: '#d9822b' };
const W = 720;
const LABEL = 130;
const BAR = 18;
const GAP = 6;
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** Writes the chart to `file`; returns false when there is nothing to draw. */
export function renderChart(results, file) {
  const panels = results
    .map((r) => {
      const per = r.chunks ? r.chunks : 1;
      const unit = r.chunks ? 'µs/chunk' : 'µs/call';
      const bars = Object.entries(r.variants)
        .filter(([name]) => name !== 'base')
        .map(([name, v]) => ({ name, value: v.addedUsPerCall / per }));
      return { title: `${r.sdk}, ${r.mode === 'stream' ? `streamed (${r.chunks} chunks): added ${unit}` : `non-streaming: added ${unit}`}`, unit, bars };
    })
    .filter((p) => p.bars.length);
  if (!panels.length) return false;
  const parts = [];
  let y = 40;
  for (const panel of panels) {
    const max = Math.max(...panel.bars.map((b) => b.value), 1e-9);
    const scale = (W - LABEL - 120) / max;
    parts.push(`<text x="10" y="${y}" font-weight="bold">${esc(panel.title)}</text>`);
    y += 10;
    for (const b of panel.bars) {
      const w = Math.max(0, b.value * scale);
      const color = COLORS[b.name] ?? '#555';
      parts.push(`<text x="${LABEL - 8}" y="${y + BAR - 5}" text-anchor="end">${esc(b.name)}</text>`);
      parts.push(`<rect x="${LABEL}" y="${y}" width="${w.toFixed(1)}" height="${BAR}" fill="${color}"/>`);
      parts.push(`<text x="${(LABEL + w + 6).toFixed(1)}" y="${y + BAR - 5}">${b.value.toFixed(b.value < 10 ? 2 : 0)} ${esc(panel.unit)}</text>`);
      y += BAR + GAP;
    }
    y += 22;
  }
  const h = y;
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${h}" viewBox="0 0 ${W} ${h}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${h}" fill="#fff"/>`,
    `<text x="10" y="16" font-size="13">Added CPU time over uninstrumented (median of runs, same run for all variants). Lower is better.</text>`,
    ...parts,
    '</svg>',
  ].join('\n');
  writeFileSync(file, `${svg}\n`);
  return true;
}
