import { createReadStream } from 'node:fs';
import { appendFile, mkdir, readdir, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { reviveRecord } from '../store/schema.js';
import type { UsageRecord } from '../usage/usage-record.js';
import { processAlive } from '../setup/process-alive.js';

const PREFIX = 'genai-usage-spool-';
const NAME = /^genai-usage-spool-(\d+)-([a-z0-9]+)(?:-r\d+)?\.jsonl$/;
/** Spool ids of writers alive in this process: their files are theirs to replay. */
const liveInProcess = new Set<string>();
let sequence = 0;

/**
 * An append-only JSONL file of records the store could not take, one per writer
 * (`genai-usage-spool-<pid>-<id>.jsonl`). Replay renames the file first, so appends that
 * follow go to a fresh file, inserts its records (idempotent, so a record that did reach
 * the store before a crash is harmless), then deletes it. Files of dead processes are
 * replayed by whichever writer next uses the directory.
 */
export class Spool {
  private readonly id = `${Date.now().toString(36)}${(sequence++).toString(36)}`;
  private readonly live: string;
  private replays = 0;
  /** Lines that could not be parsed (a crash mid-append leaves at most one). */
  corrupt = 0;

  constructor(private readonly dir: string) {
    this.live = join(dir, `${PREFIX}${process.pid}-${this.id}.jsonl`);
    liveInProcess.add(this.id);
  }

  async append(records: readonly UsageRecord[]): Promise<void> {
    if (records.length === 0) return;
    await mkdir(this.dir, { recursive: true });
    await appendFile(this.live, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  }

  /**
   * Inserts every spooled record through `insert` in batches of `batchSize`, deleting each
   * file once all of it is stored. Rejects (leaving the file) when an insert fails.
   */
  async replay(insert: (records: UsageRecord[]) => Promise<void>, batchSize: number): Promise<number> {
    let files: string[];
    try {
      files = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    const mine = `${PREFIX}${process.pid}-${this.id}.jsonl`;
    let count = 0;
    for (const name of files.sort()) {
      const match = NAME.exec(name);
      if (!match || !this.replayable(name, Number(match[1]), match[2] as string, mine)) continue;
      let path = join(this.dir, name);
      if (name === mine) {
        path = join(this.dir, `${PREFIX}${process.pid}-${this.id}-r${++this.replays}.jsonl`);
        await rename(this.live, path);
      }
      count += await this.replayFile(path, insert, batchSize);
      await unlink(path);
    }
    return count;
  }

  /** Stops claiming this spool's files, so another writer may replay them. */
  release(): void {
    liveInProcess.delete(this.id);
  }

  private replayable(name: string, pid: number, id: string, mine: string): boolean {
    if (pid !== process.pid) return !processAlive(pid);
    return name === mine || id === this.id || !liveInProcess.has(id);
  }

  private async replayFile(path: string, insert: (records: UsageRecord[]) => Promise<void>, batchSize: number): Promise<number> {
    const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
    let batch: UsageRecord[] = [];
    let count = 0;
    for await (const line of lines) {
      if (line.trim() === '') continue;
      let record: UsageRecord | undefined;
      try {
        record = reviveRecord(JSON.parse(line));
      } catch {
        record = undefined;
      }
      if (!record) {
        this.corrupt++;
        continue;
      }
      batch.push(record);
      if (batch.length >= batchSize) {
        await insert(batch);
        count += batch.length;
        batch = [];
      }
    }
    if (batch.length > 0) await insert(batch);
    return count + batch.length;
  }
}

