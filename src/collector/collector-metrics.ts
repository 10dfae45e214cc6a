/** Names of the collector's own Prometheus series (documented in docs/collector.md). */
export const COLLECTOR_METRICS = {
  requests: 'genai_usage_collector_requests_total',
  spansReceived: 'genai_usage_collector_spans_received_total',
  spansDropped: 'genai_usage_collector_spans_dropped_total',
  spansRejected: 'genai_usage_collector_spans_rejected_total',
  recordsWritten: 'genai_usage_collector_records_written_total',
  recordsDuplicate: 'genai_usage_collector_records_duplicate_total',
  storeErrors: 'genai_usage_collector_store_errors_total',
  queueDepth: 'genai_usage_collector_queue_depth',
  storeUp: 'genai_usage_collector_store_up',
} as const;

/**
 * The collector's counters, rendered in the Prometheus text format by hand: a handful of
 * series does not justify a second MeterProvider in the process.
 */
export class CollectorMetrics {
  /** `route code` → count. Routes are the fixed route names, never raw URLs (bounded cardinality). */
  private readonly requests = new Map<string, number>();
  spansReceived = 0;
  spansDropped = 0;
  spansRejected = 0;
  recordsWritten = 0;
  recordsDuplicate = 0;
  storeErrors = 0;

  countRequest(route: string, status: number): void {
    const key = `${route} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  requestCount(route: string, status: number): number {
    return this.requests.get(`${route} ${status}`) ?? 0;
  }

  render(gauges: { queueDepth: number; storeUp: boolean }): string {
    const M = COLLECTOR_METRICS;
    const lines: string[] = [];
    const counter = (name: string, help: string, value: number): void => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} counter`, `${name} ${value}`);
    };
    lines.push(`# HELP ${M.requests} HTTP requests by route and status code.`, `# TYPE ${M.requests} counter`);
    for (const [key, value] of [...this.requests].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const [route, code] = key.split(' ');
      lines.push(`${M.requests}{route="${route}",code="${code}"} ${value}`);
    }
    counter(M.spansReceived, 'Spans received in well-formed OTLP requests.', this.spansReceived);
    counter(M.spansDropped, 'Spans acknowledged but not stored because they are not LLM calls.', this.spansDropped);
    counter(M.spansRejected, 'LLM-call spans rejected as invalid (reported to the sender as partial success).', this.spansRejected);
    counter(M.recordsWritten, 'Usage records newly stored.', this.recordsWritten);
    counter(M.recordsDuplicate, 'Usage records received again and skipped (already stored).', this.recordsDuplicate);
    counter(M.storeErrors, 'Failed store writes (the senders were told to retry).', this.storeErrors);
    lines.push(`# HELP ${M.queueDepth} Records accepted and waiting to be committed.`, `# TYPE ${M.queueDepth} gauge`, `${M.queueDepth} ${gauges.queueDepth}`);
    lines.push(`# HELP ${M.storeUp} 1 when the last store write succeeded, 0 while failing fast.`, `# TYPE ${M.storeUp} gauge`, `${M.storeUp} ${gauges.storeUp ? 1 : 0}`);
    return `${lines.join('\n')}\n`;
  }
}
