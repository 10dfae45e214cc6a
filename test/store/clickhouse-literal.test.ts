// The one function family that writes values into ClickHouse SQL (18.16 has no query
// parameters): what it produces, and that the real server reads every hostile string back
// byte for byte, so no value can end the literal or change the statement.
import { createClient } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { parseClickHouseUrl } from '../../src/store/clickhouse/clickhouse-connection.js';
import { LITERALS, SqlValues, sqlIdentifier, sqlLiteral, sqlNumber, sqlString, sqlStringSet, supportsQueryParameters } from '../../src/store/clickhouse/literal.js';
import { plainDecimal } from '../../src/store/clickhouse/tsv.js';
import { clickhouseSingle } from './clickhouse-env.js';

const HOSTILE = [
  '',
  `'`,
  `\\`,
  `\\'`,
  `'; DROP TABLE genai_usage_records; --`,
  `x' OR '1'='1`,
  `" OR 1=1 --`,
  `\\' OR 1=1 --`,
  `a\\\\' OR '1'='1`,
  'line\nbreak\r\ttab',
  'nul\u0000inside',
  '\u0001\u001f\u007f',
  '%_?$1{name:String}',
  '/* comment */ -- trailing',
  'ünïcødé ✓ 日本語 😀',
  "end with backslash\\",
  "'".repeat(50),
];

describe('plainDecimal (numbers for TSV without exponents)', () => {
  it('writes the same value in positional notation', () => {
    for (const v of [4.1e-7, -2.5e-10, 1e21, 1.5e300, 0.1, 123.456, -7, 0, 5e-324]) {
      const text = plainDecimal(v);
      expect(text).not.toMatch(/e/i);
      expect(Number(text)).toBe(v);
    }
    expect(plainDecimal(4.1e-7)).toBe('0.00000041');
    expect(plainDecimal(-1.25e3)).toBe('-1250');
  });
});

describe('sqlString and friends', () => {
  it('quote, escape backslash and quote, and write control characters as \\xHH', () => {
    expect(sqlString('plain')).toBe(`'plain'`);
    expect(sqlString(`it's`)).toBe(`'it\\'s'`);
    expect(sqlString('back\\slash')).toBe(`'back\\\\slash'`);
    expect(sqlString('a\u0000b\nc\u007f')).toBe(`'a\\x00b\\x0ac\\x7f'`);
    for (const value of HOSTILE) {
      const literal = sqlString(value);
      // Inside the quotes, every quote is escaped: the literal cannot end early.
      expect(literal.slice(1, -1).replace(/\\\\/g, '').replace(/\\'/g, '')).not.toContain("'");
      expect(literal).not.toMatch(/[\u0000-\u001f\u007f]/);
    }
  });

  it('refuses what is not a string, a finite number or a plain identifier', () => {
    expect(() => sqlString(1 as never)).toThrow(TypeError);
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, '1' as never]) expect(() => sqlNumber(bad)).toThrow(TypeError);
    expect(sqlNumber(42)).toBe('42');
    expect(sqlNumber(-0.25)).toBe('-0.25');
    expect(sqlLiteral(true)).toBe('1');
    expect(sqlLiteral(new Date(1738000000123))).toBe('1738000000123');
    expect(sqlIdentifier('genai_usage_records')).toBe('genai_usage_records');
    for (const bad of ['a-b', 'a b', '1abc', 'x;DROP', '', 'é']) expect(() => sqlIdentifier(bad)).toThrow(TypeError);
  });

  it('a string set refuses NUL (its separator) and an empty set', () => {
    expect(() => sqlStringSet(['ok', 'nul\u0000inside'])).toThrow(TypeError);
    expect(() => sqlStringSet([])).toThrow(TypeError);
  });
});

describe('SqlValues: literals on 18.16, query parameters on 20.1 and newer', () => {
  it('with parameters no value reaches the SQL text: each is a {vN:String} placeholder with its value beside it', () => {
    const values = new SqlValues(true);
    const sql = HOSTILE.map((h) => values.string(h)).join(' AND ');
    expect(sql).toBe(HOSTILE.map((_, i) => `{v${i}:String}`).join(' AND '));
    expect(Object.values(values.params)).toEqual(HOSTILE);
    expect(values.value(true)).toBe('1');
    expect(values.value(new Date(1_700_000_000_123))).toBe('1700000000123');
    expect(Object.keys(values.params)).toHaveLength(HOSTILE.length);
    // Record ids stay one literal set (a parameter's value is capped at 128 KiB by default).
    expect(values.stringSet(['a', `b'`, 'c'])).toBe(sqlStringSet(['a', `b'`, 'c']));
    expect(Object.keys(values.params)).toHaveLength(HOSTILE.length);
    expect(() => values.stringSet(['ok', 'nul\u0000inside'])).toThrow(TypeError);
    expect(() => values.stringSet([])).toThrow(TypeError);
  });

  it('with literals they are the literal functions, and no parameters', () => {
    expect(LITERALS.string(`x' OR '1'='1`)).toBe(sqlString(`x' OR '1'='1`));
    expect(LITERALS.stringSet(['a', 'b'])).toBe(sqlStringSet(['a', 'b']));
    expect(LITERALS.value(2.5)).toBe(sqlLiteral(2.5));
    expect(LITERALS.params).toEqual({});
  });

  it('parameters from 20.1 on, by the version the server reports', () => {
    expect(supportsQueryParameters('18.16.1')).toBe(false);
    expect(supportsQueryParameters('19.17.4.11')).toBe(false);
    expect(supportsQueryParameters('20.1.2.4')).toBe(true);
    expect(supportsQueryParameters('26.7.2.1')).toBe(true);
    expect(supportsQueryParameters('')).toBe(false);
  });
});

const { url, skipReason } = clickhouseSingle();
describe.skipIf(skipReason !== undefined)('sqlString against a real ClickHouse server', () => {
  it('every hostile string comes back exactly as it went in', async () => {
    const parsed = parseClickHouseUrl(url as string);
    const client = createClient({ url: parsed.origin, username: parsed.username, password: parsed.password });
    try {
      const query = `SELECT ${HOSTILE.map((v, i) => `${sqlString(v)} AS v${i}`).join(', ')}`;
      const [row] = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as Array<Record<string, string>>;
      expect(HOSTILE.map((_, i) => row?.[`v${i}`])).toEqual(HOSTILE);
      // And as filter values: each matches itself and nothing else.
      const matches = `SELECT ${HOSTILE.map((v, i) => `(${sqlString(v)} = v${i}) + 0 AS m${i}`).join(', ')} FROM (${query})`;
      const [m] = (await (await client.query({ query: matches, format: 'JSONEachRow' })).json()) as Array<Record<string, number>>;
      expect(Object.values(m ?? {})).toEqual(HOSTILE.map(() => 1));
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(skipReason !== undefined)('sqlStringSet against a real ClickHouse server', () => {
  it('the set holds exactly the hostile strings (NUL aside), and IN matches each of them and nothing else', async () => {
    const parsed = parseClickHouseUrl(url as string);
    const client = createClient({ url: parsed.origin, username: parsed.username, password: parsed.password });
    const values = [...HOSTILE.filter((v) => !v.includes('\u0000')), 'a,b', 'a b'];
    try {
      const set = (await (await client.query({ query: `SELECT * FROM ${sqlStringSet(values)}`, format: 'JSONCompact' })).json()) as { data: string[][] };
      expect(set.data.map((row) => row[0])).toEqual(values);
      const probes = [...values, 'x', `${values[4]}x`, ' '];
      const query = `SELECT ${probes.map((v, i) => `(${sqlString(v)} IN ${sqlStringSet(values)}) + 0 AS m${i}`).join(', ')}`;
      const [m] = (await (await client.query({ query, format: 'JSONEachRow' })).json()) as Array<Record<string, number>>;
      expect(Object.values(m ?? {})).toEqual(probes.map((v) => (values.includes(v) ? 1 : 0)));
    } finally {
      await client.close();
    }
  });
});

describe.skipIf(skipReason !== undefined)('records with hostile text round-trip through the TSV insert path', () => {
  it('every string field and tag key and value comes back byte for byte', async () => {
    const { openStore } = await import('../../src/store/open-store.js');
    const { generateRecords } = await import('./reference.js');
    const { runOn, withDatabase } = await import('./clickhouse-env.js');
    const database = `t_tsv_${process.pid}_${Date.now().toString(36)}`;
    const store = await openStore(withDatabase(url as string, database));
    try {
      const base = generateRecords(HOSTILE.length, 3);
      const records = base.map((r, i) => {
        const evil = HOSTILE[i] === '' ? 'x' : (HOSTILE[i] as string);
        return { ...r, userId: evil, agentName: `a${evil}`, handoffChain: `${evil} > b`, errorType: evil, tags: { [evil]: evil, [`k\t${i}`]: `v'\\${evil}` } };
      });
      expect(await store.insert(records)).toBe(records.length);
      const { storableRecord } = await import('../../src/store/schema.js');
      for (const record of records.map(storableRecord)) {
        const [stored] = await store.records({ userId: record.userId, limit: 5 });
        expect(stored).toEqual(Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)));
      }
    } finally {
      await store.close();
      await runOn(url as string, `DROP DATABASE IF EXISTS ${database}`);
    }
  }, 120_000);
});
