import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { mkdir, open, readdir, readFile, unlink, type FileHandle } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';
import { ConfigError } from '../setup/config-error.js';
import { reviveRecord } from '../store/schema.js';
import type { UsageRecord } from '../usage/usage-record.js';
import type { OtlpEncoding } from './otlp-decode.js';
import { processAlive, processStartMark } from '../setup/process-alive.js';

/**
 * What a request's records are kept as: the OTLP body they were decoded from (nothing to
 * encode on the request path; decoded again only after a crash), or the records as JSON.
 */
export type JournalPayload = { kind: OtlpEncoding; body: Uint8Array } | { kind: 'records' };

/** One journaled request as read back at start: its records come from decoding `body`. */
export interface JournalFrame {
  readonly tenant: string | undefined;
  readonly kind: OtlpEncoding | 'records';
  readonly body: Buffer;
}

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
  frame: Buffer;
  entry: Omit<JournalEntry, 'segment'>;
  resolve: (entry: JournalEntry) => void;
  reject: (error: Error) => void;
}

export interface RecoveredJournal {
  journal: IngestJournal;
  /**
   * Requests a previous run acknowledged and did not store, oldest first. `toEntry` turns one
   * into an entry once its records are decoded; `skip` releases one that cannot be.
   */
  recovered: Array<JournalFrame & { toEntry(records: UsageRecord[]): JournalEntry; skip(): void }>;
  /** Frames that could not be read back (cut short by a crash, or damaged). */
  unreadable: number;
}

/** A segment is sealed past this size, so a drained one can be deleted. */
const SEGMENT_BYTES = 32 * 1024 * 1024;
const NAME = /^journal-(\d{12})\.bin$/;
const LOCK = 'journal.lock';
/** Frame: magic, payload length, CRC-32 of the payload, payload (u16 header length, header JSON, body). */
const MAGIC = 0x47554a31; // "GUJ1"
const FRAME_HEAD = 12;

/**
 * The collector's write-ahead journal: an ingest request is answered once its records are
 * appended and fdatasync'ed here, before the store has them; the store is then fed from
 * memory and, after a crash or a stop with writes pending, from these files at the next start.
 * Appends that arrive while a sync runs share the next one (group commit). Files are
 * append-only segments of CRC-checked frames, one per request, holding the request's OTLP
 * body as received (decompressed) and its tenant: nothing is encoded on the request path.
 * A segment is deleted once every request in it is stored. One collector per directory (a
 * lock file holds its pid).
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
      const recovered: RecoveredJournal['recovered'] = [];
      let unreadable = 0;
      let seq = 0;
      for (const name of names) {
        const segment: Segment = { path: join(dir, name), bytes: 0, outstanding: 0, sealed: true };
        const data = await readFile(segment.path);
        segment.bytes = data.length;
        const read = readFrames(data);
        unreadable += read.unreadable;
        for (const frame of read.frames) {
          segment.outstanding++;
          const entrySeq = seq++;
          recovered.push({
            ...frame,
            toEntry: (records) => ({ records, tenant: frame.tenant, seq: entrySeq, segment }),
            skip: () => release(segment),
          });
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

  /** Resolves once the request is on disk; rejects when it could not be written (the sender retries). */
  append(records: UsageRecord[], tenant: string | undefined, payload: JournalPayload): Promise<JournalEntry> {
    if (this.#closed) return Promise.reject(new Error('the journal is closed'));
    const entry = { records, tenant, seq: this.#seq++ };
    const body = payload.kind === 'records' ? Buffer.from(JSON.stringify(records)) : payload.body;
    const frame = encodeFrame(tenant, payload.kind, body);
    return new Promise((resolve, reject) => {
      this.#queue.push({ frame, entry, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** The store has this entry's records (or refused them for good): its file may go. */
  done(entry: JournalEntry): void {
    release(entry.segment);
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
        const data = group.length === 1 ? (group[0] as Waiter).frame : Buffer.concat(group.map((w) => w.frame));
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
        // A new file that cannot be opened (disk full) leaves appends on this one; tried again next time.
        if (segment.bytes >= SEGMENT_BYTES) await this.#rotate().catch(() => undefined);
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

function release(segment: Segment): void {
  segment.outstanding--;
  if (segment.sealed && segment.outstanding === 0) void unlink(segment.path).catch(() => undefined);
}

function encodeFrame(tenant: string | undefined, kind: JournalFrame['kind'], body: Uint8Array): Buffer {
  const header = Buffer.from(JSON.stringify({ t: tenant ?? null, k: kind }));
  const frame = Buffer.allocUnsafe(FRAME_HEAD + 2 + header.length + body.length);
  frame.writeUInt16BE(header.length, FRAME_HEAD);
  header.copy(frame, FRAME_HEAD + 2);
  frame.set(body, FRAME_HEAD + 2 + header.length);
  const payload = frame.subarray(FRAME_HEAD);
  frame.writeUInt32BE(MAGIC, 0);
  frame.writeUInt32BE(payload.length, 4);
  frame.writeUInt32BE(crc32(payload), 8);
  return frame;
}

/**
 * The frames of one segment. A frame that fails its checks (a write cut short by a crash, a
 * damaged block) counts as unreadable and reading resumes at the next frame marker after it.
 */
export function readFrames(data: Buffer): { frames: JournalFrame[]; unreadable: number } {
  const frames: JournalFrame[] = [];
  let unreadable = 0;
  let at = 0;
  while (at < data.length) {
    const frame = frameAt(data, at);
    if (frame) {
      frames.push(frame.frame);
      at = frame.end;
      continue;
    }
    unreadable++;
    const next = data.indexOf(MAGIC_BYTES, at + 1);
    if (next < 0) break;
    at = next;
  }
  return { frames, unreadable };
}

const MAGIC_BYTES = Buffer.from([0x47, 0x55, 0x4a, 0x31]);

function frameAt(data: Buffer, at: number): { frame: JournalFrame; end: number } | undefined {
  if (at + FRAME_HEAD + 2 > data.length || data.readUInt32BE(at) !== MAGIC) return undefined;
  const length = data.readUInt32BE(at + 4);
  const end = at + FRAME_HEAD + length;
  if (length < 2 || end > data.length) return undefined;
  const payload = data.subarray(at + FRAME_HEAD, end);
  if (crc32(payload) !== data.readUInt32BE(at + 8)) return undefined;
  const headerLength = payload.readUInt16BE(0);
  if (2 + headerLength > payload.length) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(payload.subarray(2, 2 + headerLength).toString('utf8'));
  } catch {
    return undefined;
  }
  const { t, k } = (header ?? {}) as { t?: unknown; k?: unknown };
  if ((t !== null && typeof t !== 'string') || (k !== 'protobuf' && k !== 'json' && k !== 'records')) return undefined;
  return { frame: { tenant: t ?? undefined, kind: k, body: payload.subarray(2 + headerLength) }, end };
}

/** The records of a `records` frame (written when no OTLP body was at hand). */
export function recordsOfFrame(body: Buffer): UsageRecord[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const records: UsageRecord[] = [];
  for (const item of value) {
    const record = reviveRecord(item);
    if (!record) return undefined;
    records.push(record);
  }
  return records;
}

async function openSegment(dir: string, number: number): Promise<{ handle: FileHandle; segment: Segment }> {
  const path = join(dir, `journal-${String(number).padStart(12, '0')}.bin`);
  const handle = await open(path, 'a');
  // The new file's name must survive a crash as well as its contents.
  try {
    const directory = await open(dir, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  return { handle, segment: { path, bytes: 0, outstanding: 0, sealed: false } };
}

/** Journal directories this process holds (a lock naming our pid may be a previous process's). */
const heldHere = new Set<string>();

/**
 * The lock file holds the owner's pid and start mark. It is stale when that process is gone,
 * when the pid is ours but this process does not hold the directory (a restarted container
 * whose collector got the same pid again), or when the pid now names a process that started
 * at another time.
 */
function takeLock(dir: string): void {
  const key = resolve(dir);
  if (heldHere.has(key)) throw new ConfigError(`the journal directory ${dir} is already open in this process: give each collector its own journalDir`);
  const path = join(dir, LOCK);
  const mine = `${process.pid} ${processStartMark(process.pid) ?? ''}`.trim();
  try {
    writeFileSync(path, mine, { flag: 'wx' });
    heldHere.add(key);
    return;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const [pidText, mark] = readFileSync(path, 'utf8').trim().split(/\s+/);
  const holder = Number(pidText);
  if (Number.isSafeInteger(holder) && holder > 0 && holderAlive(holder, mark)) {
    throw new ConfigError(`the journal directory ${dir} is in use by process ${holder}: give each collector its own journalDir`);
  }
  // Left by a process that is gone: its entries are ours to store.
  writeFileSync(path, mine);
  heldHere.add(key);
}

function holderAlive(pid: number, mark: string | undefined): boolean {
  if (pid === process.pid || !processAlive(pid)) return false;
  const now = processStartMark(pid);
  return mark === undefined || now === undefined || now === mark;
}

function releaseLock(dir: string): void {
  heldHere.delete(resolve(dir));
  const path = join(dir, LOCK);
  try {
    if (readFileSync(path, 'utf8').trim().split(/\s+/)[0] === String(process.pid)) unlinkSync(path);
  } catch {
    // Already gone.
  }
}
