import type { BudgetRuntime } from './budget-runtime.js';
import { valueOf, type ScopeKey, type Subject } from './scope.js';

/** Anchor preference: the most selective fixed dimension first. */
const ANCHOR_ORDER = ['user', 'agent', 'group', 'tag', 'model', 'service', 'provider'];

/**
 * Budgets indexed by one fixed scope value each (the "anchor"), so finding the budgets that
 * may apply to a call costs one map lookup per anchored dimension instead of a scan over
 * every budget. Budgets without a fixed value (global, or only `each`) are always candidates.
 * Candidates still need `matchesFixed` for their other fixed values.
 */
export class BudgetIndex {
  readonly #unanchored: BudgetRuntime[] = [];
  readonly #byKey = new Map<ScopeKey, Map<string, BudgetRuntime[]>>();
  /** `#byKey` as an array, for a loop without iterator allocation. */
  #keys: Array<[ScopeKey, Map<string, BudgetRuntime[]>]> = [];

  constructor(runtimes: readonly BudgetRuntime[]) {
    for (const runtime of runtimes) this.add(runtime);
  }

  get size(): number {
    let n = this.#unanchored.length;
    for (const [, values] of this.#keys) for (const list of values.values()) n += list.length;
    return n;
  }

  add(runtime: BudgetRuntime): void {
    const anchor = pickAnchor(runtime.budget.fixed);
    if (!anchor) {
      this.#unanchored.push(runtime);
      return;
    }
    let values = this.#byKey.get(anchor[0]);
    if (!values) {
      values = new Map();
      this.#byKey.set(anchor[0], values);
      this.#keys = [...this.#byKey];
    }
    const list = values.get(anchor[1]);
    if (list) list.push(runtime);
    else values.set(anchor[1], [runtime]);
  }

  /** Calls `fn` with every budget that may apply to `subject` (each at most once). */
  forEachCandidate(subject: Subject, fn: (runtime: BudgetRuntime) => void): void {
    for (let i = 0; i < this.#unanchored.length; i++) fn(this.#unanchored[i]!);
    for (let k = 0; k < this.#keys.length; k++) {
      const [key, values] = this.#keys[k]!;
      const value = valueOf(subject, key);
      const list = value === undefined ? undefined : values.get(value);
      if (list) for (let i = 0; i < list.length; i++) fn(list[i]!);
      // A fixed model matches the request or the response model.
      if (key === 'model' && subject.altModel !== undefined && subject.altModel !== value) {
        const alt = values.get(subject.altModel);
        if (alt) for (let i = 0; i < alt.length; i++) fn(alt[i]!);
      }
    }
  }
}

function pickAnchor(fixed: ReadonlyArray<readonly [ScopeKey, string]>): readonly [ScopeKey, string] | undefined {
  let best: readonly [ScopeKey, string] | undefined;
  let bestRank = Number.POSITIVE_INFINITY;
  for (const entry of fixed) {
    const rank = ANCHOR_ORDER.indexOf(entry[0].startsWith('tag.') ? 'tag' : entry[0]);
    if (rank < bestRank) {
      best = entry;
      bestRank = rank;
    }
  }
  return best;
}
