#!/usr/bin/env node
import '../node-version-check.js';
import { ConfigError } from '../setup/config-error.js';
import { VERSION } from '../version.js';
import { CliUsageError, type CliCommand, type CliIo } from './command.js';

/** Command name → module; loaded on demand so `--help` stays fast. */
const COMMANDS: Record<string, () => Promise<{ command: CliCommand }>> = {
  demo: () => import('./commands/demo.js'),
  report: () => import('./commands/report.js'),
  export: () => import('./commands/export.js'),
  prune: () => import('./commands/prune.js'),
  budgets: () => import('./commands/budgets.js'),
  rules: () => import('./commands/rules.js'),
  collector: () => import('./commands/collector.js'),
  ui: () => import('./commands/ui.js'),
  prices: () => import('./commands/prices.js'),
};

async function main(argv: string[]): Promise<number> {
  const controller = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => controller.abort());
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
  const [name, ...rest] = argv;
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(await usage());
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const load = COMMANDS[name];
  if (!load) {
    io.stderr.write(`genai-usage: unknown command "${name}"; valid commands: ${Object.keys(COMMANDS).join(', ')}\n`);
    return 2;
  }
  const { command } = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.meta.help}\n`);
    return 0;
  }
  try {
    return await command.handler(rest, io);
  } catch (err) {
    if (err instanceof CliUsageError || err instanceof ConfigError || isParseArgsError(err)) {
      io.stderr.write(`genai-usage ${name}: ${(err as Error).message}\n`);
      return err instanceof CliUsageError ? err.exitCode : 2;
    }
    throw err;
  }
}

async function usage(): Promise<string> {
  const lines = await Promise.all(Object.entries(COMMANDS).map(async ([name, load]) => `  ${name.padEnd(10)} ${(await load()).command.meta.summary}`));
  return `Usage: genai-usage <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun genai-usage <command> --help for a command's options.\n`;
}

function isParseArgsError(err: unknown): boolean {
  return typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('ERR_PARSE_ARGS');
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`genai-usage: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
