import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../setup/config-error.js';
import { reviveRecord } from '../store/schema.js';
import type { UsageRecord } from '../usage/usage-record.js';

/** One ingest request's records, durable in the journal until the store has them. */
export interface JournalEntry {
  readonly records: UsageRecord[];
  readonly tenant: string | undefined;
  /** Append order: a retried entry goes back to its place. */
  readonly seq: number;
  /** The file holding it (set once it is on disk). */
  segment: Segment;
}

interface Segment {
  readonly path: string;
  bytes: number;
  /** Entries in it that the store does not have yet. */
  outstanding: number;
  /** No longer appended to: deleted once nothing in it is outstanding. */
  sealed: boolean;
}

interface Waiter {
  line: string;
  entry: Omit<JournalEntry, 'segment'>;
  resolve: (entry: JournalEntry) => void;
  reject: (error: Error) => void;
}

export interface RecoveredJournal {
  journal: IngestJournal;
  /** Entries a previous run acknowledged and did not store, oldest first. */
  recovered: JournalEntry[];
  /** Lines that could not be read back (a crash mid-append leaves at most one per file). */
  unreadable: number;
}

/** A segment is sealed past this size, so a drained one can be deleted. */
const SEGMENT_BYTES = 32 * 1024 * 1024;
const NAME = /^journal-(\d{12})\.ndjson$/;
const LOCK = 'journal.lock';

/**
 * The collector's write-ahead journal: an ingest request is answered once its records are
 * appended and fdatasync'ed here, before the store has them; the store is then fed from
 * memory and, after a crash or a stop with writes pending, from these files at the next start.
 * Appends that arrive while a sync runs share the next one (group commit). Files are
 * append-only NDJSON segments, one line per request (`{"t": tenant, "r": [records]}`),
 * deleted once every request in them is stored. One collector per directory (a lock file
 * holds its pid).
 */
export class IngestJournal {
  #active: Segment;
  #handle: FileHandle;
  #nextSegment: number;
  #seq = 0;
  #queue: Waiter[] = [];
  #flushing: Promise<void> | undefined;
  #closed = false;

  private constructor(
    private readonly dir: string,
    handle: FileHandle,
    active: Segment,
    nextSegment: number,
  ) {
    this.#handle = handle;
    this.#active = active;
    this.#nextSegment = nextSegment;
  }

  /**
   * Opens (creating) the journal directory, takes its lock and reads back what a previous run
   * left. @throws ConfigError when another live collector holds the directory.
   */
  static async open(dir: string): Promise<RecoveredJournal> {
    await mkdir(dir, { recursive: true });
    takeLock(dir);
    try {
      const names = (await readdir(dir)).filter((name) => NAME.test(name)).sort();
      const recovered: JournalEntry[] = [];
      let unreadable = 0;
      let seq = 0;
      for (const name of names) {
        const segment: Segment = { path: join(dir, name), bytes: 0, outstanding: 0, sealed: true };
        const text = await readFile(segment.path, 'utf8');
        segment.bytes = Buffer.byteLength(text);
        for (const line of text.split('\n')) {
          if (line === '') continue;
          const entry = parseLine(line);
          if (!entry) {
            unreadable++;
            continue;
          }
          segment.outstanding++;
          recovered.push({ ...entry, seq: seq++, segment });
        }
        if (segment.outstanding === 0) await unlink(segment.path);
      }
      const last = names.length > 0 ? Number(NAME.exec(names[names.length - 1] as string)?.[1]) : 0;
      const { handle, segment } = await openSegment(dir, last + 1);
      const journal = new IngestJournal(dir, handle, segment, last + 2);
      journal.#seq = seq;
      return { journal, recovered, unreadable };
    } catch (error) {
      releaseLock(dir);
      throw error;
    }
  }

  /** Resolves once the records are on disk; rejects when they could not be written (the sender retries). */
  append(records: UsageRecord[], tenant: string | undefined): Promise<JournalEntry> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'));
    const entry = { records, tenant, seq: this.#seq++ };
    const line = `${JSON.stringify({ t: tenant ?? null, r: records })}\n`;
    return new Promise((resolve, reject) => {
      this.#queue.push({ line, entry, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** The store has this entry's records (or refused them for good): its file may go. */
  done(entry: JournalEntry): void {
    const segment = entry.segment;
    segment.outstanding--;
    if (segment.sealed && segment.outstanding === 0) void unlink(segment.path).catch(() => undefined);
  }

  /** Waits for pending appends, then closes the file and releases the directory. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    while (this.#flushing) await this.#flushing;
    await this.#handle.close();
    if (this.#active.outstanding === 0) await unlink(this.#active.path).catch(() => undefined);
    releaseLock(this.dir);
  }

  async #flush(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        const group = this.#queue.splice(0);
        const segment = this.#active;
        const data = Buffer.from(group.map((w) => w.line).join(''));
        try {
          let written = 0;
          while (written < data.length) written += (await this.#handle.write(data, written)).bytesWritten;
          await this.#handle.datasync();
        } catch (error) {
          // Maybe partly on disk: the senders retry, and a record stored twice is stored once.
          for (const w of group) w.reject(error as Error);
          continue;
        }
        segment.bytes += data.length;
        segment.outstanding += group.length;
        for (const w of group) w.resolve({ ...w.entry, segment });
        if (segment.bytes >= SEGMENT_BYTES) await this.#rotate();
      }
    } finally {
      this.#flushing = undefined;
    }
  }

  async #rotate(): Promise<void> {
    const { handle, segment } = await openSegment(this.dir, this.#nextSegment++);
    const old = this.#active;
    await this.#handle.close();
    this.#handle = handle;
    this.#active = segment;
    old.sealed = true;
    if (old.outstanding === 0) await unlink(old.path).catch(() => undefined);
  }
}

function parseLine(line: string): Omit<JournalEntry, 'seq' | 'segment'> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const { t, r } = value as { t?: unknown; r?: unknown };
  if ((t !== null && typeof t !== 'string') || !Array.isArray(r)) return undefined;
  const records: UsageRecord[] = [];
  for (const item of r) {
    const record = reviveRecord(item);
    if (!record) return undefined;
    records.push(record);
  }
  return { records, tenant: t ?? undefined };
}

async function openSegment(dir: string, number: number): Promise<{ handle: FileHandle; segment: Segment }> {
  const path = join(dir, `journal-${String(number).padStart(12, '0')}.ndjson`);
  const handle = await open(path, 'a');
  // The new file's name must survive a crash as well as its contents.
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return { handle, segment: { path, bytes: 0, outstanding: 0, sealed: false } };
}

function takeLock(dir: string): void {
  const path = join(dir, LOCK);
  try {
    writeFileSync(path, String(process.pid), { flag: 'wx' });
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const holder = Number(readFileSync(path, 'utf8').trim());
  if (Number.isSafeInteger(holder) && holder > 0 && alive(holder)) {
    throw new ConfigError(`the journal directory ${dir} is in use by process ${holder}: give each collector its own journalDir`);
  }
  // Left by a process that is gone: its entries are ours to store.
  writeFileSync(path, String(process.pid));
}

function releaseLock(dir: string): void {
  const path = join(dir, LOCK);
  try {
    if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
  } catch {
    // Already gone.
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
