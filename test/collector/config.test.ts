import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COLLECTOR_DEFAULTS, isLoopback, resolveCollectorConfig } from '../../src/collector/collector-config.js';
import { parseTokens, TokenAuth } from '../../src/collector/tokens.js';
import { ConfigError } from '../../src/setup/config-error.js';
import { tempDir } from './harness.js';

const tmp = tempDir('genai-usage-collector-config-');
afterAll(() => tmp.cleanup());
const SECRET = 'abcdefghijklmnop-secret';

function file(name: string, text: string): string {
  const path = join(tmp.dir, name);
  writeFileSync(path, text);
  return path;
}

describe('collector configuration', () => {
  it('defaults: loopback 4319, the default store, no tokens', () => {
    const config = resolveCollectorConfig({ env: {} });
    expect(config).toMatchObject({ host: '127.0.0.1', port: 4319, store: 'sqlite:./genai-usage.db', tokens: [], maxBodyBytes: COLLECTOR_DEFAULTS.maxBodyBytes });
  });

  it('precedence: flags over env over the config file over defaults', () => {
    const path = file('c.yaml', 'host: 127.0.0.2\nport: 5000\nstore: sqlite:/from/file.db\nmaxBodyBytes: 1000\n');
    const env = { GENAI_USAGE_COLLECTOR_CONFIG: path, GENAI_USAGE_COLLECTOR_PORT: '6000', GENAI_USAGE_STORE: 'sqlite:/generic.db' };
    expect(resolveCollectorConfig({ env })).toMatchObject({ host: '127.0.0.2', port: 6000, store: 'sqlite:/from/file.db', maxBodyBytes: 1000 });
    expect(resolveCollectorConfig({ env: { ...env, GENAI_USAGE_COLLECTOR_STORE: 'sqlite:/env.db' }, flags: { port: '7000' } })).toMatchObject({ port: 7000, store: 'sqlite:/env.db' });
    expect(resolveCollectorConfig({ env: { GENAI_USAGE_STORE: 'sqlite:/generic.db' } }).store).toBe('sqlite:/generic.db');
  });

  it('tokens: compact and JSON env forms, file tokens with tokenEnv', () => {
    expect(parseTokens(`${SECRET}:ingest+read:acme,${SECRET}-2:metrics`, 'env')).toEqual([
      { token: SECRET, scopes: ['ingest', 'read'], tenant: 'acme', name: 'token 1' },
      { token: `${SECRET}-2`, scopes: ['metrics'], tenant: undefined, name: 'token 2' },
    ]);
    expect(parseTokens(JSON.stringify([{ token: SECRET, scopes: ['read'], name: 'dash' }]), 'env')[0]).toMatchObject({ name: 'dash', scopes: ['read'] });
    const path = file('t.yaml', 'host: 0.0.0.0\ntokens:\n  - name: team-a\n    tokenEnv: TEAM_A_TOKEN\n    scopes: [ingest]\n    tenant: team-a\n');
    const config = resolveCollectorConfig({ env: { TEAM_A_TOKEN: SECRET }, flags: { config: path } });
    expect(config.host).toBe('0.0.0.0');
    expect(config.tokens).toEqual([{ token: SECRET, scopes: ['ingest'], tenant: 'team-a', name: 'team-a' }]);
  });

  it.each([
    [{ GENAI_USAGE_COLLECTOR_TOKENS: 'short:ingest' }, /at least 16 characters/],
    [{ GENAI_USAGE_COLLECTOR_TOKENS: `${SECRET}:write` }, /scopes must be a non-empty list of ingest, read, metrics/],
    [{ GENAI_USAGE_COLLECTOR_TOKENS: `${SECRET}:read:bad tenant!` }, /tenant must be 1-64 characters/],
    [{ GENAI_USAGE_COLLECTOR_TOKENS: `${SECRET}:read,${SECRET}:ingest` }, /the same token appears twice/],
    [{ GENAI_USAGE_COLLECTOR_TOKENS: '[{"token": ' }, /invalid JSON/],
    [{ GENAI_USAGE_COLLECTOR_PORT: '70000' }, /GENAI_USAGE_COLLECTOR_PORT must be an integer from 0 to 65535/],
    [{ GENAI_USAGE_COLLECTOR_MAX_BODY_BYTES: '-1' }, /MAX_BODY_BYTES must be an integer/],
    [{ GENAI_USAGE_COLLECTOR_HOST: '0.0.0.0' }, /refusing to listen on 0\.0\.0\.0 without tokens: anyone who can reach it/],
  ])('rejects %o', (env, message) => {
    let error: unknown;
    try {
      resolveCollectorConfig({ env });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain(SECRET);
  });

  it('rejects unknown config-file options and missing tokenEnv variables', () => {
    expect(() => resolveCollectorConfig({ env: {}, flags: { config: file('u.yaml', 'hots: 1.2.3.4\n') } })).toThrow(/unknown option "hots"; valid options: host, port/);
    expect(() => resolveCollectorConfig({ env: {}, flags: { config: file('m.yaml', 'tokens:\n  - tokenEnv: NOPE\n    scopes: [read]\n') } })).toThrow(/tokenEnv "NOPE", which is not set/);
    expect(() => resolveCollectorConfig({ env: {}, flags: { config: join(tmp.dir, 'missing.yaml') } })).toThrow(/cannot read the collector config/);
  });

  it('loopback detection', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].map(isLoopback)).toEqual([true, true, true, true, true]);
    expect(['0.0.0.0', '::', '10.0.0.1', 'example.com'].map(isLoopback)).toEqual([false, false, false, false]);
  });

  it('TokenAuth: the matching token wins, anything else is undefined', () => {
    const auth = new TokenAuth(parseTokens(`${SECRET}:ingest:acme,${SECRET}-read:read`, 'env'));
    expect(auth.authenticate(`Bearer ${SECRET}`)).toMatchObject({ tenant: 'acme', scopes: new Set(['ingest']) });
    expect(auth.authenticate(`bearer ${SECRET}-read`)?.scopes).toEqual(new Set(['read']));
    for (const header of [undefined, '', 'Bearer', `Bearer ${SECRET}x`, `Token ${SECRET}`, `Bearer ${SECRET} extra`]) expect(auth.authenticate(header)).toBeUndefined();
    expect(new TokenAuth([]).authenticate(undefined)?.scopes.size).toBe(3);
  });
});
