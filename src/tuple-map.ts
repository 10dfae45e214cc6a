/**
 * A map keyed by a fixed-length tuple of strings, held as nested Maps. A single Map keyed by
 * the joined string builds, flattens and hashes a new string on every lookup; on the call path
 * that cost more than everything else the lookup guards (2.5 µs of 3 in a CPU profile, see
 * bench/README.md), while the parts are strings whose hashes V8 has already cached.
 */
export class TupleMap<V> {
  readonly #root = new Map<string, unknown>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  get(keys: readonly string[]): V | undefined {
    let node: unknown = this.#root;
    for (let i = 0; i < keys.length; i++) {
      node = (node as Map<string, unknown>).get(keys[i]!);
      if (node === undefined) return undefined;
    }
    return node as V;
  }

  set(keys: readonly string[], value: V): void {
    let node = this.#root;
    const last = keys.length - 1;
    for (let i = 0; i < last; i++) {
      let next = node.get(keys[i]!) as Map<string, unknown> | undefined;
      if (next === undefined) node.set(keys[i]!, (next = new Map()));
      node = next;
    }
    if (!node.has(keys[last]!)) this.#size++;
    node.set(keys[last]!, value);
  }

  clear(): void {
    this.#root.clear();
    this.#size = 0;
  }
}
