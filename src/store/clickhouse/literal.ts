/**
 * The one way a value enters ClickHouse SQL text. ClickHouse 18.16 (Debian 12's, the server
 * CI installs) has no server-side query parameters, so there values are written as literals by
 * these functions and nothing else: strings are quoted with every byte that could end or bend
 * the literal escaped; numbers must be finite; booleans become 0/1. Newer servers get string
 * values as query parameters instead ({@link SqlValues}). Callers never build literals
 * themselves (see docs/clickhouse.md, "Values in ClickHouse SQL").
 */

/**
 * A ClickHouse string literal. Inside single quotes ClickHouse treats backslash as the escape
 * character, so backslash and quote are escaped; NUL and the other control characters are
 * written as escapes too, so the SQL text stays printable and no transport can truncate it.
 */
export function sqlString(value: string): string {
  if (typeof value !== 'string') throw new TypeError(`sqlString: expected a string, got ${typeof value}`);
  return `'${escaped(value)}'`;
}

const NEEDS_ESCAPE = /[\\'\x00-\x1f\x7f]/;

/** The inside of a string literal. Escaping is per character, so escaped(a + b) = escaped(a) + escaped(b). */
function escaped(value: string): string {
  if (!NEEDS_ESCAPE.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value[i] as string;
    const code = value.charCodeAt(i);
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return out;
}

/**
 * A set of strings for `expr IN …`: one literal the server splits, since 18.16 parses one long
 * string ~3× faster than thousands of literals (2,000 ids: ~20 ms vs ~45 ms; 10,000: ~60 vs
 * ~190). NUL separates the values, so no value may contain one; stored text never does
 * (schema.ts, `storableText`).
 */
export function sqlStringSet(values: readonly string[]): string {
  if (values.length === 0) throw new TypeError('sqlStringSet: no values');
  for (const value of values) {
    if (typeof value !== 'string' || value.includes('\0')) throw new TypeError('sqlStringSet: expected strings without NUL');
  }
  // The literal of values.join('\0'), escaped value by value: one pass over a long joined string
  // that needs escaping everywhere (its separators) cost ~10-90 ms per 10,000 ids.
  const separator = escaped('\0');
  return `(SELECT arrayJoin(splitByChar('${separator}', '${values.map(escaped).join(separator)}')))`;
}

/** A finite number as SQL text; integers stay integers. */
export function sqlNumber(value: number): string {
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new TypeError(`sqlNumber: expected a finite number, got ${String(value)}`);
  return Number.isInteger(value) ? value.toFixed(0) : String(value);
}

/** Any value the store binds: string, finite number, boolean (0/1), Date (epoch milliseconds). */
export function sqlLiteral(value: string | number | boolean | Date): string {
  if (typeof value === 'string') return sqlString(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Date) return sqlNumber(value.getTime());
  return sqlNumber(value);
}

/**
 * How one statement's user values enter it. On 18.16 as the literals above. On a server with
 * query parameters (20.1 and newer: {@link supportsQueryParameters}) as `{vN:String}`
 * placeholders whose values travel beside the SQL text (`query_params`), so the server never
 * parses them as SQL. Numbers the store computes itself (limits, offsets, times) and its own
 * record ids (`stringSet`) stay literals.
 */
export class SqlValues {
  /** The statement's parameters, for `query_params`; empty with literals. */
  readonly params: Record<string, string> = {};
  #next = 0;

  constructor(readonly serverSide: boolean) {}

  string(value: string): string {
    if (!this.serverSide) return sqlString(value);
    if (typeof value !== 'string') throw new TypeError(`SqlValues.string: expected a string, got ${typeof value}`);
    const name = `v${this.#next++}`;
    this.params[name] = value;
    return `{${name}:String}`;
  }

  /**
   * `sqlStringSet`, a literal on every version: the store's own record ids, up to 150 KB per
   * statement, where a parameter's value is capped at 128 KiB by default (`http_max_field_value_size`).
   */
  stringSet(values: readonly string[]): string {
    return sqlStringSet(values);
  }

  /** `sqlLiteral`, strings as parameters when the server takes them. */
  value(value: string | number | boolean | Date): string {
    return typeof value === 'string' ? this.string(value) : sqlLiteral(value);
  }
}

/** Values as literals: statements whose text must carry them (distributed DDL forwards only the text). */
export const LITERALS: SqlValues = new SqlValues(false);

/** Query parameters (`{name:Type}`) arrived during 19.x; the store uses them from 20.1, as `SELECT version()` says. */
export function supportsQueryParameters(version: string): boolean {
  const major = Number(/^(\d+)\./.exec(version)?.[1]);
  return Number.isInteger(major) && major >= 20;
}

/** A ClickHouse identifier we generate (table, database, cluster names): letters, digits, `_` only. */
export function sqlIdentifier(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,127}$/.test(name)) throw new TypeError(`invalid ClickHouse identifier ${JSON.stringify(name)}`);
  return name;
}
