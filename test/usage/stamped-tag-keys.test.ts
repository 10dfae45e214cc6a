import { describe, expect, it } from 'vitest';
import { StampedTagKeys } from '../../src/usage/stamped-tag-keys.js';

describe('StampedTagKeys', () => {
  it('reads the noted tag names off a span, as the span holds them', () => {
    const keys = new StampedTagKeys();
    keys.note('genai_usage.tag.feature', 'feature');
    keys.note('genai_usage.tag.team', 'team');
    keys.note('genai_usage.tag.feature', 'feature');
    const attributes = { 'genai_usage.tag.feature': 'summaris', 'genai_usage.tag.tier': 7, 'gen_ai.request.model': 'gpt-4o-mini' };
    expect(keys.read(attributes)).toEqual({ feature: 'summaris' });
    expect(keys.read({})).toEqual({});
  });

  it('past its limit it reads nothing, so the caller lists the keys', () => {
    const keys = new StampedTagKeys(2);
    keys.note('genai_usage.tag.a', 'a');
    keys.note('genai_usage.tag.b', 'b');
    expect(keys.read({ 'genai_usage.tag.a': 'x' })).toEqual({ a: 'x' });
    keys.note('genai_usage.tag.c', 'c');
    expect(keys.read({ 'genai_usage.tag.a': 'x' })).toBeUndefined();
  });
});
