import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { rename, unlink } from 'node:fs/promises';
import { EXPORT_FORMATS } from '../../store/usage-store.js';
import type { CliCommand, CliIo } from '../command.js';
import { FILTER_FLAGS, FILTER_HELP, choice, filterFromFlags, parseFlags, storeUrl, withStore } from '../flags.js';

const HELP = `Usage: genai-usage export [options]

Streams usage records (oldest first) as CSV, JSON or JSON Lines, in constant memory.

Options:
  --format <fmt>     ${EXPORT_FORMATS.join(', ')} (default jsonl)
  --out <file>       write to a file (atomically: a .partial file renamed when complete)
                     instead of stdout; progress is shown on stderr when it is a terminal
${FILTER_HELP}

Examples:
  genai-usage export --format csv --out usage.csv --from 30d
  genai-usage export --user u-42 --date 2025-01-31 | jq .costUsd`;

const OPTIONS = { ...FILTER_FLAGS, format: { type: 'string', default: 'jsonl' }, out: { type: 'string' } } as const;

export const command: CliCommand = {
  meta: { name: 'export', summary: 'export usage records as csv, json or jsonl', help: HELP },
  async handler(argv, io) {
    const values = parseFlags(argv, OPTIONS);
    const format = choice('--format', values.format, EXPORT_FORMATS);
    const filter = filterFromFlags(values);
    const progressOn = (io.stderr as { isTTY?: boolean }).isTTY === true;
    const out = values.out;
    const target = out ? createWriteStream(`${out}.partial`) : io.stdout;
    let written = 0;
    try {
      written = await withStore(storeUrl(values, io.env), async (store) => {
        const { offset: _o, limit: _l, order: _r, ...countable } = filter;
        const total = progressOn ? Math.min((await store.aggregate(countable))[0]?.requests ?? 0, filter.limit ?? Infinity) : 0;
        let done = 0;
        const progress = (n: number): void => {
          done = n;
          if (progressOn) io.stderr.write(`\rexporting ${n.toLocaleString('en-US')} / ${total.toLocaleString('en-US')} records (${total ? Math.floor((100 * n) / total) : 100}%)`);
        };
        for await (const chunk of store.export(format, filter, { onProgress: progress })) {
          if (io.signal.aborted) throw new Error('export interrupted');
          await write(target, chunk);
        }
        return done;
      });
      if (out) {
        await finish(target);
        await rename(`${out}.partial`, out);
      }
    } catch (error) {
      if (out) {
        target.end();
        await unlink(`${out}.partial`).catch(() => undefined);
      }
      throw error;
    }
    if (progressOn) io.stderr.write('\n');
    if (out) io.stderr.write(`exported ${written.toLocaleString('en-US')} records to ${out}\n`);
    return 0;
  },
};

/** Respects backpressure so a slow consumer (a pipe, a disk) keeps memory flat. */
async function write(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (chunk !== '' && !stream.write(chunk)) await once(stream, 'drain');
}

async function finish(stream: CliIo['stdout']): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}
