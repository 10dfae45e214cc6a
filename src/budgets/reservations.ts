import type { Bucket } from './bucket.js';

interface Reservation {
  entries: Array<[Bucket, number]>;
  expiresAt: number;
}

/**
 * Up-front reservations of calls in flight. The pre-call hook does not see the call's span,
 * so a finished call releases the oldest reservation made for the same provider and model
 * (FIFO). A reservation whose call never records (usage tracking off, process crash of
 * the call) is released after `ttlMs`.
 */
export class Reservations {
  readonly #queues = new Map<string, Reservation[]>();
  #count = 0;

  constructor(readonly ttlMs: number) {}

  get size(): number {
    return this.#count;
  }

  reserve(provider: string, model: string | undefined, entries: Array<[Bucket, number]>, now: number): void {
    if (entries.length === 0) return;
    for (const [bucket, amount] of entries) bucket.reserved += amount;
    const key = queueKey(provider, model);
    const queue = this.#queues.get(key);
    const reservation = { entries, expiresAt: now + this.ttlMs };
    if (queue) queue.push(reservation);
    else this.#queues.set(key, [reservation]);
    this.#count++;
  }

  /** A call of this provider and model finished: release its reservation. */
  release(provider: string, model: string | undefined): void {
    const key = queueKey(provider, model);
    const queue = this.#queues.get(key);
    const reservation = queue?.shift();
    if (!reservation) return;
    if (queue!.length === 0) this.#queues.delete(key);
    this.#free(reservation);
  }

  expire(now: number): void {
    for (const [key, queue] of this.#queues) {
      while (queue.length && queue[0]!.expiresAt <= now) this.#free(queue.shift()!);
      if (queue.length === 0) this.#queues.delete(key);
    }
  }

  clear(): void {
    for (const queue of this.#queues.values()) for (const r of queue) this.#free(r);
    this.#queues.clear();
  }

  #free(reservation: Reservation): void {
    for (const [bucket, amount] of reservation.entries) bucket.reserved = Math.max(0, bucket.reserved - amount);
    this.#count--;
  }
}

function queueKey(provider: string, model: string | undefined): string {
  return `${provider}\u0000${model ?? ''}`;
}
