import type { SpanLike } from './span-like.js';
import type { TagReader } from './span-to-record.js';

/**
 * The tag attribute names (`genai_usage.tag.<key>`) the usage processor has stamped, so a record
 * reads its tags with one lookup per known name instead of listing the span's keys: past 19
 * attributes a span's attributes are in V8's dictionary mode, where listing them is slow. For a
 * call in a usage context this measured −5.0 [−6.8, −2.3] µs against listing (bench/), where
 * keeping each span's tags in a WeakMap gave −3.5 [−5.0, −1.7]: its entry per span cost ~1.3 µs
 * in place. Past `limit` names the caller lists the keys again.
 */
export class StampedTagKeys implements TagReader {
  readonly #names = new Map<string, string>();
  readonly #limit: number;
  #overflow = false;

  constructor(limit = 256) {
    this.#limit = limit;
  }

  note(name: string, key: string): void {
    if (this.#overflow || this.#names.has(name)) return;
    if (this.#names.size >= this.#limit) this.#overflow = true;
    else this.#names.set(name, key);
  }

  /** The tags among `attributes`; undefined when more names were stamped than it keeps. */
  read(attributes: SpanLike['attributes']): Record<string, string> | undefined {
    if (this.#overflow) return undefined;
    const tags: Record<string, string> = {};
    for (const [name, key] of this.#names) {
      const value = attributes[name];
      if (value !== undefined) tags[key] = String(value);
    }
    return tags;
  }
}
