/**
 * Admission control for ingest: the requests in flight (admitted, not yet answered) and the
 * body bytes held (being received or decoded) are bounded, and a request is admitted or
 * refused from its headers alone. Refusing before the body is read and decoded is what keeps
 * an overload cheap: a refused request costs a few microseconds, not a decode.
 */
export interface AdmissionLimits {
  maxInflightRequests: number;
  maxInflightBytes: number;
}

export class Admission {
  private requests = 0;
  private bytes = 0;

  constructor(private readonly limits: AdmissionLimits) {}

  /**
   * A ticket for a request whose body is `declaredBytes` long (0 when not declared: chunked
   * bodies are counted as they arrive), or why there is no room now.
   */
  admit(declaredBytes: number): Ticket | string {
    if (this.requests >= this.limits.maxInflightRequests) return `${this.requests} requests are in flight (the limit is ${this.limits.maxInflightRequests})`;
    if (this.bytes + declaredBytes > this.limits.maxInflightBytes) {
      return `${this.bytes} bytes of request bodies are being processed; this ${declaredBytes}-byte body would exceed the limit of ${this.limits.maxInflightBytes}`;
    }
    this.requests++;
    this.bytes += declaredBytes;
    return new Ticket(this, declaredBytes);
  }

  inflight(): { requests: number; bytes: number } {
    return { requests: this.requests, bytes: this.bytes };
  }

  /** @internal */
  reserve(bytes: number): boolean {
    if (this.bytes + bytes > this.limits.maxInflightBytes) return false;
    this.bytes += bytes;
    return true;
  }

  /** @internal */
  free(bytes: number, request: boolean): void {
    this.bytes -= bytes;
    if (request) this.requests--;
  }
}

/** One admitted request's share of the limits; release it exactly once (extra calls are no-ops). */
export class Ticket {
  private held: number;
  private open = true;

  constructor(
    private readonly admission: Admission,
    reserved: number,
  ) {
    this.held = reserved;
  }

  /** Counts `total` body bytes received so far; false when they no longer fit (the request is then refused). */
  received(total: number): boolean {
    if (!this.open || total <= this.held) return true;
    if (!this.admission.reserve(total - this.held)) return false;
    this.held = total;
    return true;
  }

  /** The body is decoded: its bytes no longer count (the records are the queue's to bound). */
  releaseBytes(): void {
    if (!this.open) return;
    this.admission.free(this.held, false);
    this.held = 0;
  }

  /** The request is answered. */
  release(): void {
    if (!this.open) return;
    this.open = false;
    this.admission.free(this.held, true);
    this.held = 0;
  }
}
