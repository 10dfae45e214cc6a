// Runs the built `collector` command the way src/cli/main.ts runs commands (signals → abort,
// CliUsageError → its exit code), so the test exercises the shipped JavaScript.
import { command } from '../../../dist/cli/commands/collector.js';

const controller = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => controller.abort());
const io = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
try {
  process.exitCode = await command.handler(process.argv.slice(2), io);
} catch (error) {
  process.stderr.write(`genai-usage collector: ${error.message}\n`);
  process.exitCode = error.name === 'CliUsageError' ? error.exitCode : error.name === 'ConfigError' ? 2 : 1;
}
