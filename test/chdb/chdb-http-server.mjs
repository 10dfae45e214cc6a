// A current ClickHouse for the tests: chDB (the ClickHouse engine as a library, from npm) behind
// the part of ClickHouse's HTTP interface that @clickhouse/client uses. CI's apt has only
// ClickHouse 18.16; this runs the same SQL through a 26.x engine. The SQL, the parser, the
// MergeTree tables and the materialized views are ClickHouse's own; only the HTTP front is ours.
//   node test/chdb/chdb-http-server.mjs <data dir> [port]   → prints "listening <port> <version>"
import { createServer } from 'node:http';
import { Session } from 'chdb';

const [dataDir, portArg] = process.argv.slice(2);
if (!dataDir) {
  console.error('usage: node test/chdb/chdb-http-server.mjs <data dir> [port]');
  process.exit(2);
}
const session = new Session(dataDir);
const version = session.query('SELECT version()', 'TabSeparated').trim();

// URL parameters that steer the HTTP exchange, not the query: everything else is a setting.
const TRANSPORT = new Set([
  'query', 'database', 'query_id', 'session_id', 'session_timeout', 'session_check', 'default_format',
  'enable_http_compression', 'wait_end_of_query', 'send_progress_in_http_headers', 'http_headers_progress_interval_ms',
  'user', 'password',
]);
const PARAM = 'param_';

/**
 * A query parameter's value as the client sent it (`param_<name>`: ClickHouse's escaped text
 * form) back to the string chDB binds; chDB escapes it again on its way in. The store sends
 * String parameters only.
 */
const ESCAPES = { t: '\t', n: '\n', r: '\r', b: '\b', f: '\f', 0: '\0', a: '\x07', v: '\v', e: '\x1b' };
const unescapeParam = (text) =>
  text.replace(/\\(x[0-9A-Fa-f]{2}|.)/gs, (_, c) => (c.length === 3 ? String.fromCharCode(parseInt(c.slice(1), 16)) : (ESCAPES[c] ?? c)));

const settingValue = (value) => (/^-?\d+(\.\d+)?$/.test(value) ? value : `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`);
const settingName = (name) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : undefined);

/** One statement at a time: the session's current database and settings are shared state. */
let turn = Promise.resolve();

// How @clickhouse/client sends an insert: the statement in the URL, the rows as the body.
const INSERT = /^\s*INSERT INTO ([A-Za-z0-9_.`]+)\s*(?:\(([^)]*)\))?\s*FORMAT (TabSeparated|TSV|JSONEachRow|JSONCompactEachRow|CSV)\s*$/i;

async function run(url, body) {
  const params = url.searchParams;
  const query = params.get('query');
  for (const [name, value] of params) {
    if (TRANSPORT.has(name) || name.startsWith(PARAM) || !settingName(name)) continue;
    await session.queryAsync(`SET ${name} = ${settingValue(value)}`);
  }
  const database = params.get('database');
  if (database && settingName(database)) {
    // A statement that creates the database runs before it exists.
    await session.queryAsync(`USE ${database}`).catch(() => undefined);
  }
  const insert = query ? INSERT.exec(query) : null;
  if (insert) {
    // Rows go to the engine's own input parser as bytes, as a server streams them; not through SQL text.
    const columns = insert[2]?.split(',').map((c) => c.trim().replace(/^`|`$/g, ''));
    const summary = await session.insert({ table: insert[1].replace(/`/g, ''), values: body, format: insert[3], ...(columns ? { columns } : {}) });
    return { rowsRead: 0, bytesRead: 0, rowsWritten: summary.rowsWritten, bytes: () => new Uint8Array() };
  }
  const sql = query ? `${query}\n${body.toString('utf8')}` : body.toString('utf8');
  const format = params.get('default_format') ?? 'TabSeparated';
  const tooLong = [...params].find(([, value]) => value.length > MAX_FIELD_VALUE);
  if (tooLong) throw new Error(`Code: 1001. DB::Exception: Field value ${tooLong[0]} is longer than http_max_field_value_size (${MAX_FIELD_VALUE}). (BAD_ARGUMENTS)`);
  const bound = [...params].filter(([name]) => name.startsWith(PARAM)).map(([name, value]) => [name.slice(PARAM.length), unescapeParam(value)]);
  return bound.length ? session.queryBindAsync(sql, Object.fromEntries(bound), { format }) : session.queryAsync(sql, { format });
}

// A server's defaults: URLs up to 1 MiB (http_max_uri_size), a parameter's value up to 128 KiB
// (http_max_field_value_size), so what a real server would refuse fails here too.
const MAX_URI = 1_048_576;
const MAX_FIELD_VALUE = 131_072;
const server = createServer({ maxHeaderSize: MAX_URI + 64 * 1024 }, (req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/ping') {
    res.end('Ok.\n');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const result = turn.then(() => run(url, body));
    turn = result.then(
      () => undefined,
      () => undefined,
    );
    result.then(
      (r) => {
        const summary = { read_rows: String(r.rowsRead), read_bytes: String(r.bytesRead), written_rows: String(r.rowsWritten ?? 0), written_bytes: '0' };
        res.writeHead(200, { 'content-type': 'text/plain; charset=UTF-8', 'x-clickhouse-summary': JSON.stringify(summary), 'x-clickhouse-server-display-name': 'chdb' });
        res.end(Buffer.from(r.bytes()));
      },
      (error) => {
        // As the server words it: "Code: 60. DB::Exception: … (UNKNOWN_TABLE)"; chDB prefixes "Query failed: ".
        const message = String(error?.message ?? error).replace(/^Query failed: /, '');
        const code = /Code: (\d+)/.exec(message)?.[1];
        res.writeHead(code === '60' || code === '81' ? 404 : 500, { 'content-type': 'text/plain; charset=UTF-8', ...(code ? { 'x-clickhouse-exception-code': code } : {}) });
        res.end(`${message} (version ${version})\n`);
      },
    );
  });
});
server.listen(Number(portArg ?? 0), '127.0.0.1', () => {
  console.log(`listening ${server.address().port} ${version}`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
