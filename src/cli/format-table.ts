/** Aligned text table: first column left-aligned, the rest right-aligned (numbers). */
export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Dollars with cents; amounts under a dollar with enough digits to tell them apart. */
export function formatUsd(usd: number | undefined): string {
  if (usd === undefined) return 'unknown';
  if (usd === 0) return '$0.00';
  if (Math.abs(usd) >= 1) return `$${usd.toFixed(2)}`;
  if (Math.abs(usd) >= 0.0001) return `$${usd.toFixed(6)}`;
  // Fractions of a cent (an embedding call): three significant digits, never "$0.000000".
  return `$${usd.toFixed(Math.min(15, 2 - Math.floor(Math.log10(Math.abs(usd)))))}`;
}
