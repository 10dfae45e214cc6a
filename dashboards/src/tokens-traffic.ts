import { DURATION_BUCKET, DURATION_COUNT, DURATION_SUM, L, REQUESTS, TOKEN_USAGE_BUCKET, TOKENS, TTFC_BUCKET, TTFC_COUNT, TTFC_SUM } from './contract.js';
import { varMatchers, type DashboardSpec, type VarName } from './grafana.js';
import { increase, quantile, RANGE, rate, RATE_INTERVAL, sel, sumBy, type Matcher } from './promql.js';
import { variables } from './variables.js';

const VARS: VarName[] = ['service', 'provider', 'model'];
const F = varMatchers(VARS);
const FAILED: Matcher = [L.errorType, '!=', ''];
const tokenType = (t: string): Matcher => [L.tokenType, '=', t];
const requests = sel(REQUESTS, F);
const errors = sel(REQUESTS, F, [FAILED]);
const ratio = (num: string, den: string) => `${num} / ${den}`;
const quantiles = (bucket: string, labels: string[] = []) =>
  [0.5, 0.95, 0.99].map((q) => ({ expr: quantile(q, bucket, RATE_INTERVAL, labels), legend: `p${q * 100}${labels.map((l) => ` {{${l}}}`).join('')}` }));

export const tokensTraffic: DashboardSpec = {
  uid: 'genai-usage-tokens-traffic',
  title: 'GenAI usage / Tokens and traffic',
  description: 'Tokens by type, cache hit ratio, requests, errors, latency and time to first token. Token parts (cache_read, cache_write of input; reasoning of output) are never stacked on their wholes.',
  variables: variables(VARS),
  rows: [
    [
      { kind: 'stat', title: 'Requests', description: 'LLM calls over the dashboard range, failed ones included.', queries: [{ expr: sumBy([], increase(requests, RANGE)) }], unit: 'short', decimals: 0, width: 4 },
      { kind: 'stat', title: 'Error ratio', description: 'Failed calls (error_type set) / all calls, over the dashboard range.', queries: [{ expr: ratio(`(${sumBy([], increase(errors, RANGE))} or vector(0))`, sumBy([], increase(requests, RANGE))) }], unit: 'percentunit', decimals: 2, thresholds: [[null, 'green'], [0.05, 'orange'], [0.2, 'red']], width: 4 },
      { kind: 'stat', title: 'Cache hit ratio', description: 'cache_read tokens / input tokens (cache reads are part of input).', queries: [{ expr: ratio(sumBy([], increase(sel(TOKENS, F, [tokenType('cache_read')]), RANGE)), sumBy([], increase(sel(TOKENS, F, [tokenType('input')]), RANGE))) }], unit: 'percentunit', decimals: 1, width: 4 },
      { kind: 'stat', title: 'Mean call duration', description: 'All calls, from the gen_ai.client.operation.duration histogram.', queries: [{ expr: ratio(sumBy([], increase(sel(DURATION_SUM, F), RANGE)), sumBy([], increase(sel(DURATION_COUNT, F), RANGE))) }], unit: 's', decimals: 2, width: 4 },
      { kind: 'stat', title: 'Mean time to first token', description: 'Streaming calls, from the gen_ai.client.operation.time_to_first_chunk histogram.', queries: [{ expr: ratio(sumBy([], increase(sel(TTFC_SUM, F), RANGE)), sumBy([], increase(sel(TTFC_COUNT, F), RANGE))) }], unit: 's', decimals: 2, width: 4 },
      { kind: 'bargauge', title: 'Tokens by type', description: 'Over the dashboard range. Parts, not additive: input includes cache_read, cache_write (of which cache_write_1h), audio_input and image_input; output includes reasoning, audio_output and image_output.', queries: [{ expr: sumBy([L.tokenType], increase(sel(TOKENS, F), RANGE)), legend: `{{${L.tokenType}}}` }], unit: 'sishort', width: 4 },
    ],
    [
      { kind: 'timeseries', title: 'Tokens per second by type', description: 'Lines, not stacked: cache_read, cache_write, audio_input and image_input are parts of input; reasoning, audio_output and image_output parts of output.', queries: [{ expr: sumBy([L.tokenType], rate(sel(TOKENS, F), RATE_INTERVAL)), legend: `{{${L.tokenType}}}` }], unit: 'sishort', width: 12 },
      { kind: 'timeseries', title: 'Cache hit ratio over time', description: 'cache_read / input tokens per provider.', queries: [{ expr: ratio(sumBy([L.provider], rate(sel(TOKENS, F, [tokenType('cache_read')]), RATE_INTERVAL)), sumBy([L.provider], rate(sel(TOKENS, F, [tokenType('input')]), RATE_INTERVAL))), legend: `{{${L.provider}}}` }], unit: 'percentunit', min: 0, max: 1, width: 12 },
    ],
    [
      { kind: 'timeseries', title: 'Requests per second by model', description: 'Stacked: every call counts once.', queries: [{ expr: sumBy([L.provider, L.model], rate(requests, RATE_INTERVAL)), legend: `{{${L.model}}} ({{${L.provider}}})` }], unit: 'reqps', stacked: true, width: 12 },
      { kind: 'timeseries', title: 'Error rate by provider', description: 'Failed / all calls per provider (the GenAiUsageProviderErrorRateHigh alert fires above 10 % for 5 m).', queries: [{ expr: ratio(sumBy([L.provider], rate(errors, RATE_INTERVAL)), sumBy([L.provider], rate(requests, RATE_INTERVAL))), legend: `{{${L.provider}}}` }], unit: 'percentunit', min: 0, width: 12 },
    ],
    [
      { kind: 'table', title: 'Requests by model', description: 'Calls per provider and model over the dashboard range.', queries: [{ expr: sumBy([L.provider, L.model], increase(requests, RANGE)) }], unit: 'short', decimals: 0, width: 12 },
      { kind: 'table', title: 'Errors by type', description: 'Failed calls by provider, model and error.type over the dashboard range.', queries: [{ expr: sumBy([L.provider, L.model, L.errorType], increase(errors, RANGE)) }], unit: 'short', decimals: 0, width: 12 },
    ],
    [
      { kind: 'timeseries', title: 'Call duration p50 / p95 / p99', description: 'From the gen_ai.client.operation.duration histogram (bucket-interpolated).', queries: quantiles(sel(DURATION_BUCKET, F)), unit: 's', width: 8 },
      { kind: 'timeseries', title: 'Call duration p95 by model', description: 'Successful calls only (fast failures would hide slow models).', queries: [{ expr: quantile(0.95, sel(DURATION_BUCKET, F, [[L.errorType, '=', '']]), RATE_INTERVAL, [L.provider, L.model]), legend: `{{${L.model}}} ({{${L.provider}}})` }], unit: 's', width: 8 },
      { kind: 'timeseries', title: 'Time to first token p50 / p95 / p99', description: 'Streaming calls only, from gen_ai.client.operation.time_to_first_chunk.', queries: quantiles(sel(TTFC_BUCKET, F)), unit: 's', width: 8 },
    ],
    [
      { kind: 'timeseries', title: 'Tokens per call p50 / p95 by type', description: 'From the gen_ai.client.token.usage histogram (input and output per call).', queries: [0.5, 0.95].map((q) => ({ expr: quantile(q, sel(TOKEN_USAGE_BUCKET, F), RATE_INTERVAL, [L.tokenType]), legend: `p${q * 100} {{${L.tokenType}}}` })), unit: 'sishort', width: 24, height: 8 },
    ],
  ],
};
