import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSqliteUrl } from '../../store/open-store.js';

/**
 * What the demo suggests next: commands that run as printed, in a fresh shell, from the
 * folder the demo ran in. From a checkout that is `./dev.sh <command>` (it brings Node 22 and
 * builds when needed; `genai-usage` is not on PATH there); from an installed package,
 * `npx genai-usage <command>`.
 */
export function nextSteps(options: { store: string | undefined; storeGiven: boolean; port: number | undefined }): string {
  const cli = cliPrefix();
  const storeFlag = options.store && options.storeGiven ? ` --store ${shellQuote(options.store)}` : '';
  const port = options.port || 9464;
  const lines: Array<[string, string]> = [];
  if (options.store) {
    lines.push([`${cli} report --by user --top 10${storeFlag}`, 'who spent most']);
    lines.push([`${cli} report --by agent --bucket day${storeFlag}`, 'per agent and day']);
    lines.push([`${cli} export --format csv --out usage.csv${storeFlag}`, 'every call as CSV']);
    const file = sqliteFile(options.store);
    if (file && hasSqlite3()) {
      lines.push([`sqlite3 ${shellQuote(file)} "SELECT user_id, round(sum(cost_usd), 6) AS usd FROM genai_usage_records GROUP BY user_id ORDER BY usd DESC"`, 'plain SQL (docs/schema.md)']);
    }
  }
  lines.push([`${cli} demo --keep-running --port ${port}${storeFlag}`, `Prometheus metrics until Ctrl-C; from another shell: curl -s http://127.0.0.1:${port}/metrics | grep genai_usage_cost_total`]);
  return ['', 'Next (each runs as shown, from this folder):', ...lines.flatMap(([command, what]) => [`  # ${what}`, `  ${command}`]), ''].join('\n');
}

/** How this CLI is reached from the working directory. */
function cliPrefix(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.includes(`${sep}node_modules${sep}`)) return 'npx genai-usage';
  // dist/cli/commands/ (built) or src/cli/commands/ (tests): the package root is three up.
  const root = resolve(dirname(here), '..', '..', '..');
  const devSh = join(root, 'dev.sh');
  if (existsSync(devSh)) {
    const path = relative(process.cwd(), devSh);
    return path.includes(sep) ? shellQuote(path) : `./${path}`;
  }
  return `node ${shellQuote(relative(process.cwd(), join(root, 'dist', 'cli', 'main.js')))}`;
}

function sqliteFile(store: string): string | undefined {
  if (!/^sqlite:/i.test(store)) return undefined;
  try {
    const { path } = parseSqliteUrl(store);
    return path === ':memory:' ? undefined : path;
  } catch {
    return undefined;
  }
}

function hasSqlite3(): boolean {
  return spawnSync('sqlite3', ['-version'], { stdio: 'ignore' }).status === 0;
}

function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
