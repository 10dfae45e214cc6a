/**
 * A map keyed by a fixed-length tuple of strings, held as nested Maps. A single Map keyed by
 * the joined string builds, flattens and hashes a new string on every lookup: in a CPU profile
 * of bench/instrumentation-overhead.mjs the price cache's lookup took 2.7 µs per call that way
 * and 0.6 µs as nested Maps, whose keys are strings V8 has already hashed. Tuples also never
 * collide, where joined strings that contain the separator can.
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
