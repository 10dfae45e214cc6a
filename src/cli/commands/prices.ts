import { renameSync, writeFileSync } from 'node:fs';
import { PRICE_DATA_URL, checkPriceData, loadPriceData } from '../../prices/price-data.js';
import { currentTableVersion } from '../../prices/price-version.js';
import { ConfigError } from '../../setup/config-error.js';
import { CliUsageError, type CliCommand } from '../command.js';
import { parseFlags } from '../flags.js';

const HELP = `Usage: genai-usage prices update [--out <file>] [--url <url>]
       genai-usage prices version [--data <file>]

Price data is the table bundled with @pydantic/genai-prices unless you point
GENAI_USAGE_PRICE_DATA (option priceData) at a newer data file. genai-usage never
fetches prices by itself: this command is the one place that does, when you run it.

  update    downloads the table's data.json, checks it, and writes it to --out
            (default ./genai-prices-data.json) atomically; then set
            GENAI_USAGE_PRICE_DATA=<file> for the app and the collector
  version   prints the price version records get: the bundled table's, or a
            data file's (--data, default env GENAI_USAGE_PRICE_DATA)

Options:
  --out <file>   where update writes (default ./genai-prices-data.json)
  --url <url>    where update downloads from (default ${PRICE_DATA_URL})
  --data <file>  the data file version reads
  --json         print the result as JSON`;

const OPTIONS = {
  out: { type: 'string' },
  url: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

const DOWNLOAD_TIMEOUT_MS = 60_000;

export const command: CliCommand = {
  meta: { name: 'prices', summary: 'refresh the price data on request (update) or show which version prices calls', help: HELP },
  async handler(argv, io) {
    const [sub, ...rest] = argv;
    const values = parseFlags(rest, OPTIONS);
    const print = (result: Record<string, unknown>, line: string): number => {
      io.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${line}\n`);
      return 0;
    };
    if (sub === 'version') {
      const file = values.data ?? io.env['GENAI_USAGE_PRICE_DATA'];
      const info = file ? loadPriceData(file) : undefined;
      return print({ version: currentTableVersion(), ...(info ? { file, providers: info.providers, models: info.models } : {}) }, currentTableVersion());
    }
    if (sub !== 'update') throw new CliUsageError(`expected a subcommand: update or version, got ${sub === undefined ? 'nothing' : JSON.stringify(sub)}`);
    const url = values.url ?? PRICE_DATA_URL;
    const out = values.out ?? './genai-prices-data.json';
    const text = await download(url, io.signal);
    let info;
    try {
      info = checkPriceData(text, url);
    } catch (error) {
      if (error instanceof ConfigError) throw new CliUsageError(`${error.message}; nothing written`, 1);
      throw error;
    }
    const temporary = `${out}.${process.pid}.tmp`;
    writeFileSync(temporary, text);
    renameSync(temporary, out);
    return print(
      { file: out, url, ...info },
      `wrote ${out}: ${info.providers} providers, ${info.models} models, version ${info.version}\nuse it with GENAI_USAGE_PRICE_DATA=${out} (the app and the collector)`,
    );
  },
};

async function download(url: string, signal: AbortSignal): Promise<string> {
  if (!/^https?:\/\//.test(url)) throw new CliUsageError(`--url must be an http(s) URL, got ${JSON.stringify(url)}`);
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS)]) });
  } catch (error) {
    throw new CliUsageError(`cannot download ${url}: ${(error as Error).message}; nothing written`, 1);
  }
  if (!response.ok) throw new CliUsageError(`cannot download ${url}: HTTP ${response.status}; nothing written`, 1);
  return response.text();
}
