/**
 * One budget copy's usage in the current period: what this process recorded (`local`), what
 * the store holds beyond that (`external`: other processes' calls, or calls before this
 * process started), and reservations of calls in flight.
 *
 * `external` is set on each store sync to `max(0, storeTotal - local)`. Both terms are lower
 * bounds of the truth (the store lags this process by the writer's flush; this process lags
 * the others by the sync interval), so `used` never double counts; it can trail the truth
 * by the other processes' use since the last sync plus this process's unflushed records.
 */
export class Bucket {
  external = 0;
  reserved = 0;
  /** Thresholds (by index into the budget's list) already announced in this period. */
  crossed = 0;
  syncedAt: number | undefined;
  #local = 0;
  /** Rolling windows: use per slot index (slot = floor(time / slotMs)), sparse. */
  readonly #slots: Map<number, number> | undefined;
  readonly #slotMs: number;
  readonly #windowMs: number;
  #oldestSlot = Number.POSITIVE_INFINITY;

  constructor(
    readonly key: string,
    rolling?: { windowMs: number },
  ) {
    this.#windowMs = rolling?.windowMs ?? 0;
    // At most ~120 slots per window, each at least a minute: a few kB for a 7-day window.
    this.#slotMs = rolling ? Math.max(60_000, Math.ceil(rolling.windowMs / 120)) : 0;
    this.#slots = rolling ? new Map() : undefined;
  }

  /** Adds use recorded at `at` (ms). */
  add(amount: number, at: number): void {
    if (!this.#slots) {
      this.#local += amount;
      return;
    }
    const slot = Math.floor(at / this.#slotMs);
    this.#slots.set(slot, (this.#slots.get(slot) ?? 0) + amount);
    this.#local += amount;
    if (slot < this.#oldestSlot) this.#oldestSlot = slot;
  }

  /**
   * This process's use in the period. Rolling: slots that overlap the window ending at
   * `now`; the oldest slot counts until it has wholly left the window (errs high by at most
   * one slot, 1/120 of the window).
   */
  local(now: number): number {
    if (!this.#slots) return this.#local;
    const firstSlot = Math.floor((now - this.#windowMs) / this.#slotMs);
    if (this.#oldestSlot < firstSlot) {
      let sum = 0;
      let oldest = Number.POSITIVE_INFINITY;
      for (const [slot, amount] of this.#slots) {
        if (slot < firstSlot) this.#slots.delete(slot);
        else {
          sum += amount;
          if (slot < oldest) oldest = slot;
        }
      }
      this.#local = sum;
      this.#oldestSlot = oldest;
    }
    return this.#local;
  }

  /** Recorded use: local plus what the store adds. */
  used(now: number): number {
    return this.local(now) + this.external;
  }

  /** Merges a store total for the period, read at `at`. */
  sync(storeTotal: number, at: number): void {
    this.external = Math.max(0, storeTotal - this.local(at));
    this.syncedAt = at;
  }
}
