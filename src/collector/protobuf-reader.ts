/**
 * A minimal protobuf wire-format reader over one Buffer: varints, fixed-width numbers and
 * length-delimited fields, each bounds-checked. The OTLP decoder walks messages with it
 * directly into the shapes it needs, without building a message object per field.
 */
export class WireError extends Error {
  override readonly name = 'WireError';
}

export const WIRE = { varint: 0, fixed64: 1, delimited: 2, fixed32: 5 } as const;

export class ProtobufReader {
  pos: number;

  constructor(
    readonly buf: Buffer,
    start = 0,
    /** One past the last byte of the message being read. */
    public end = buf.length,
  ) {
    this.pos = start;
  }

  more(): boolean {
    return this.pos < this.end;
  }

  /** The next field's number and wire type. */
  tag(): { field: number; wire: number } {
    const tag = this.uint32();
    const field = tag >>> 3;
    if (field === 0) throw new WireError(`field number 0 at byte ${this.pos}`);
    return { field, wire: tag & 7 };
  }

  /** A varint's low 32 bits (unsigned); longer varints are consumed whole. */
  uint32(): number {
    let value = 0;
    for (let shift = 0; shift < 70; shift += 7) {
      const byte = this.byte();
      if (shift < 32) value |= (byte & 0x7f) << shift;
      if (byte < 0x80) return value >>> 0;
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  /** An int64 varint as a number when it is exact (|n| < 2^53), else as its decimal string. */
  int64(): number | string {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < 10; i++) {
      const byte = this.byte();
      if (i < 4) lo |= (byte & 0x7f) << (i * 7);
      else if (i === 4) {
        lo |= (byte & 0x0f) << 28;
        hi |= (byte & 0x7f) >> 4;
      } else hi |= (byte & 0x7f) << (i * 7 - 32);
      if (byte < 0x80) {
        lo >>>= 0;
        hi >>>= 0;
        if (hi < 0x200000) return hi * 2 ** 32 + lo;
        const big = (BigInt(hi) << 32n) | BigInt(lo);
        const signed = hi >= 0x80000000 ? big - (1n << 64n) : big;
        return signed >= BigInt(Number.MIN_SAFE_INTEGER) && signed <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(signed) : signed.toString();
      }
    }
    throw new WireError(`varint longer than 10 bytes at byte ${this.pos}`);
  }

  fixed64(): bigint {
    this.need(8);
    const value = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    return value;
  }

  double(): number {
    this.need(8);
    const value = this.buf.readDoubleLE(this.pos);
    this.pos += 8;
    return value;
  }

  /** A length-delimited field's bounds; the reader moves past it. */
  delimited(): [start: number, end: number] {
    const length = this.uint32();
    this.need(length);
    const start = this.pos;
    this.pos += length;
    return [start, this.pos];
  }

  string(): string {
    const [start, end] = this.delimited();
    if (end === start) return '';
    return (end - start <= MAX_INTERNED && interned(this.buf, start, end)) || this.buf.toString('utf8', start, end);
  }

  /** Skips a field of this wire type (an unknown field, or a known one of an unexpected type). */
  skip(wire: number): void {
    switch (wire) {
      case WIRE.varint:
        this.uint32();
        return;
      case WIRE.fixed64:
        this.need(8);
        this.pos += 8;
        return;
      case WIRE.delimited:
        this.delimited();
        return;
      case WIRE.fixed32:
        this.need(4);
        this.pos += 4;
        return;
      default:
        throw new WireError(`unsupported wire type ${wire} at byte ${this.pos}`);
    }
  }

  private byte(): number {
    if (this.pos >= this.end) throw new WireError(`truncated message at byte ${this.pos}`);
    return this.buf[this.pos++] as number;
  }

  private need(bytes: number): void {
    if (this.end - this.pos < bytes) throw new WireError(`truncated message: ${bytes} bytes needed at byte ${this.pos}, ${this.end - this.pos} left`);
  }
}

/**
 * Short ASCII strings repeat in every span (attribute keys, model, provider, operation and
 * agent names): they are decoded once and then recognised by their bytes, which is several
 * times cheaper than decoding UTF-8 again. The cache is bounded; a full one starts over.
 */
const MAX_INTERNED = 48;
const MAX_ENTRIES = 8192;
const INTERNED = new Map<number, string>();

function interned(buf: Buffer, start: number, end: number): string | undefined {
  let hash = 0x811c9dc5;
  for (let i = start; i < end; i++) {
    const byte = buf[i] as number;
    if (byte >= 0x80) return undefined;
    hash = Math.imul(hash ^ byte, 0x01000193);
  }
  const cached = INTERNED.get(hash);
  if (cached !== undefined && cached.length === end - start) {
    let same = true;
    for (let i = 0; i < cached.length && same; i++) same = cached.charCodeAt(i) === buf[start + i];
    if (same) return cached;
    return undefined;
  }
  if (INTERNED.size >= MAX_ENTRIES) INTERNED.clear();
  const text = buf.toString('latin1', start, end);
  INTERNED.set(hash, text);
  return text;
}
