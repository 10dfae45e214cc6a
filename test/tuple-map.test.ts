import { describe, expect, it } from 'vitest';
import { TupleMap } from '../src/tuple-map.js';

describe('TupleMap', () => {
  it('keeps tuples apart that one joined string would merge', () => {
    const m = new TupleMap<number>();
    // Joined with \u0001 these were the same key: a model name is caller input and may hold any character.
    m.set(['a\u0001b', 'c'], 1);
    m.set(['a', 'b\u0001c'], 2);
    m.set(['a', ''], 3);
    expect(m.get(['a\u0001b', 'c'])).toBe(1);
    expect(m.get(['a', 'b\u0001c'])).toBe(2);
    expect(m.get(['a', ''])).toBe(3);
    expect(m.get(['a', 'b'])).toBeUndefined();
    expect(m.get(['x', 'c'])).toBeUndefined();
    expect(m.size).toBe(3);
  });

  it('counts a replaced value once and empties on clear', () => {
    const m = new TupleMap<string>();
    m.set(['p', 'm'], 'first');
    m.set(['p', 'm'], 'second');
    expect(m.get(['p', 'm'])).toBe('second');
    expect(m.size).toBe(1);
    m.clear();
    expect(m.size).toBe(0);
    expect(m.get(['p', 'm'])).toBeUndefined();
  });
});
