import { describe, expect, it } from 'vitest';
import { estimateCost } from '../../src/prices/estimate-cost.js';
import { PriceBook } from '../../src/prices/price-book.js';
import { bedrockPriceModels, bedrockTableIds, resolveBedrockModelId } from '../../src/prices/bedrock-model-id.js';

const M = 1_000_000;
const bedrock = (model: string, extra: Record<string, unknown> = {}) => estimateCost({ provider: 'aws.bedrock', model, inputTokens: M, outputTokens: M, ...extra });

describe('resolveBedrockModelId', () => {
  it.each([
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', { kind: 'model', id: 'anthropic.claude-sonnet-4-5-20250929-v1:0' }],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', { kind: 'model', id: 'us.anthropic.claude-sonnet-4-5-20250929-v1:0' }],
    ['arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-pro-v1:0', { kind: 'model', id: 'amazon.nova-pro-v1:0' }],
    ['arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0', { kind: 'model', id: 'eu.anthropic.claude-sonnet-4-5-20250929-v1:0' }],
    ['arn:aws-us-gov:bedrock:us-gov-west-1:123456789012:inference-profile/us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0', { kind: 'model', id: 'us-gov.anthropic.claude-sonnet-4-5-20250929-v1:0' }],
    ['arn:aws:bedrock:us-east-1:123456789012:provisioned-model/k2c8lxd4u0pz', { kind: 'unpriced', resource: 'provisioned-model' }],
    ['arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6', { kind: 'unpriced', resource: 'application-inference-profile' }],
    ['arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-lite-v1:0:300k/3kq9x7w2m1ab', { kind: 'unpriced', resource: 'custom-model' }],
    ['arn:aws:bedrock:us-east-1:123456789012:imported-model/x8f2k1p0q7zz', { kind: 'unpriced', resource: 'imported-model' }],
    ['arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1', { kind: 'unpriced', resource: 'default-prompt-router' }],
    ['arn:aws:sagemaker:us-east-1:123456789012:endpoint/my-endpoint', { kind: 'unpriced', resource: 'arn' }],
    ['ANTHROPIC.CLAUDE\u0000', { kind: 'unpriced', resource: 'invalid' }],
    ['x'.repeat(300), { kind: 'unpriced', resource: 'invalid' }],
  ])('%s', (id, expected) => {
    expect(resolveBedrockModelId(id)).toEqual(expected);
  });

  it('ids with a fitting table entry: geographic profiles fall back to their base model, global ones do not', () => {
    // The table lists no APAC profile of Opus 4.8: its base model (the source Region's price) is looked up.
    expect(bedrockTableIds('apac.anthropic.claude-opus-4-8-v1:0')).toEqual(['anthropic.claude-opus-4-8-v1:0']);
    expect(bedrockTableIds('us-gov.meta.llama3-8b-instruct-v1:0')).toEqual(['us-gov.meta.llama3-8b-instruct-v1:0', 'meta.llama3-8b-instruct-v1:0']);
    // A global id is looked up only where the table has a global entry for it.
    expect(bedrockTableIds('global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual(['global.anthropic.claude-sonnet-4-5-20250929-v1:0']);
    expect(bedrockTableIds('global.anthropic.claude-opus-9-v1:0')).toEqual([]);
    expect(bedrockTableIds('global.meta.llama3-3-70b-instruct-v1:0')).toEqual([]);
    expect(bedrockTableIds('meta.llama3-8b-instruct-v1:0')).toEqual(['meta.llama3-8b-instruct-v1:0']);
  });

  it('only the aws.bedrock provider is resolved; the request id decides, not the response model', () => {
    expect(bedrockPriceModels('anthropic', 'claude-sonnet-4-5', undefined)).toBeUndefined();
    expect(bedrockPriceModels('aws.bedrock', 'claude-sonnet-4-5-20250929', 'global.anthropic.claude-sonnet-4-5-20250929-v1:0')).toEqual({
      overrideKeys: ['global.anthropic.claude-sonnet-4-5-20250929-v1:0'],
      tableModels: ['global.anthropic.claude-sonnet-4-5-20250929-v1:0'],
    });
  });
});

describe('Bedrock prices (USD per 1M tokens, from the AWS price list)', () => {
  it.each([
    // Claude Sonnet 4.5: global profile $3 / $15; in-Region and geographic profiles $3.30 / $16.50.
    ['global.anthropic.claude-sonnet-4-5-20250929-v1:0', 3 + 15],
    ['us.anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3 + 16.5],
    ['eu.anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3 + 16.5],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3 + 16.5],
    ['arn:aws:bedrock:us-east-1:123456789012:inference-profile/global.anthropic.claude-sonnet-4-5-20250929-v1:0', 3 + 15],
    ['arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0', 3.3 + 16.5],
    // Nova Pro $0.80 / $3.20, Llama 3.3 70B $0.72 / $0.72, in any geography.
    ['us.amazon.nova-pro-v1:0', 0.8 + 3.2],
    ['apac.amazon.nova-pro-v1:0', 0.8 + 3.2],
    ['us.meta.llama3-3-70b-instruct-v1:0', 0.72 + 0.72],
    ['amazon.titan-embed-text-v1', 0.1],
    // A geographic profile the table does not list is billed as its base model in the source Region.
    ['apac.anthropic.claude-opus-4-8-v1:0', 5.5 + 27.5],
  ])('%s', (model, usd) => {
    const cost = bedrock(model);
    expect(cost.source).toBe('table');
    expect(cost.costUsd).toBeCloseTo(usd, 9);
  });

  it.each([
    ['a provisioned-throughput ARN (billed by the hour)', 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/k2c8lxd4u0pz', /provisioned-model id has no per-token price \(provisioned throughput is billed by the hour\)/],
    ['a custom model ARN naming its base model', 'arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-lite-v1:0:300k/3kq9x7w2m1ab', /custom-model id has no per-token price/],
    ['an application inference profile', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6', /application-inference-profile id/],
    ['a first-party model name (never the first party\'s price)', 'claude-sonnet-4-5', /no Bedrock price for claude-sonnet-4-5/],
    ['a global profile missing from the table (not the regional price)', 'global.meta.llama3-3-70b-instruct-v1:0', /no Bedrock price/],
    ['a model Bedrock does not price in the table', 'cohere.command-r-plus-v1:0', /no Bedrock price/],
    // The table's substring match would land on the v1 entry ($0.10), 5x the v2 price.
    ['a model whose table match is another version', 'amazon.titan-embed-text-v2:0', /no Bedrock price/],
  ])('%s is unknown', (_name, model, reason) => {
    expect(bedrock(model)).toEqual({ costUsd: undefined, inputCostUsd: undefined, outputCostUsd: undefined, source: 'unknown', unknownReason: expect.stringMatching(reason) });
  });

  it('the body\'s first-party model name does not price a Bedrock call', () => {
    const book = new PriceBook();
    const regional = book.estimate({ provider: 'aws.bedrock', model: 'claude-sonnet-4-5-20250929', requestModel: 'global.anthropic.claude-sonnet-4-5-20250929-v1:0', inputTokens: M, outputTokens: 0 });
    expect(regional.costUsd).toBeCloseTo(3, 9);
    // A provisioned ARN stays unknown even though the response names a model with a price.
    const provisioned = book.estimate({ provider: 'aws.bedrock', model: 'claude-sonnet-4-5-20250929', requestModel: 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/k2c8lxd4u0pz', inputTokens: M, outputTokens: 0 });
    expect(provisioned.source).toBe('unknown');
  });

  it('overrides can name the ARN as sent, or the resolved id', () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:provisioned-model/k2c8lxd4u0pz';
    expect(new PriceBook({ [arn]: { input: 1, output: 2 } }).estimate({ provider: 'aws.bedrock', model: arn, inputTokens: M, outputTokens: M })).toMatchObject({ costUsd: 3, source: 'override' });
    const profile = 'arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0';
    expect(new PriceBook({ 'aws.bedrock:us.amazon.nova-pro-v1:0': { input: 1, output: 1 } }).estimate({ provider: 'aws.bedrock', model: profile, inputTokens: M, outputTokens: M })).toMatchObject({ costUsd: 2, source: 'override' });
  });

  it('cache reads and writes at their Bedrock rates', () => {
    // Claude Haiku 4.5, US profile: $1.10 input, $0.11 cache read, $1.375 cache write, $5.50 output.
    const cost = estimateCost({ provider: 'aws.bedrock', model: 'us.anthropic.claude-haiku-4-5-20251001-v1:0', inputTokens: 3000, cacheReadTokens: 2000, cacheWriteTokens: 500, outputTokens: 100 });
    expect(cost.costUsd).toBeCloseTo((500 * 1.1 + 2000 * 0.11 + 500 * 1.375 + 100 * 5.5) / M, 12);
  });
});
