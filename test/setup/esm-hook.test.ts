import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { afterLoad, afterResolve, createHookState, isCandidate, wrapperSource } from '../../src/setup/esm-hook-source.js';
import { syncHooksWork } from '../../src/setup/loader-hook.js';

describe('the ESM hook logic', () => {
  it('only the instrumented names, only for import (require is require-in-the-middle’s)', () => {
    const state = createHookState(['openai']);
    expect(isCandidate(state, 'openai', ['node', 'import'])).toBe(true);
    expect(isCandidate(state, 'openai', ['node', 'require'])).toBe(false);
    expect(isCandidate(state, 'openai/resources', ['import'])).toBe(false);
    expect(isCandidate(state, './openai.js', ['import'])).toBe(false);
  });

  it('an ESM entry gets the hand-over appended; other modules and formats are returned as they were', () => {
    const state = createHookState(['sdk']);
    const resolved = { url: 'file:///x/node_modules/sdk/index.mjs', format: 'module' };
    expect(afterResolve(state, 'sdk', resolved)).toBe(resolved);
    const loaded = afterLoad(state, resolved.url, { format: 'module', source: 'export const a = 1;' });
    expect(String(loaded.source)).toMatch(/^export const a = 1;\n;import \* as __genaiUsageSelf from "file:\/\/\/x\/node_modules\/sdk\/index.mjs";/);
    const other = { format: 'module', source: 'export {}' };
    expect(afterLoad(state, 'file:///x/other.mjs', other)).toBe(other);
    const json = { format: 'json', source: '{}' };
    expect(afterLoad(state, resolved.url, json)).toBe(json);
  });

  it('a CommonJS entry resolves to a wrapper that re-exports it', () => {
    const state = createHookState(['sdk']);
    const wrapped = afterResolve(state, 'sdk', { url: 'file:///x/node_modules/sdk/index.js', format: 'commonjs' });
    expect(wrapped).toEqual({ url: 'file:///x/node_modules/sdk/index.js?genai-usage-wrap=sdk', format: 'module', shortCircuit: true });
    const source = wrapperSource(wrapped.url)!;
    expect(source).toContain('export * from "file:///x/node_modules/sdk/index.js";');
    expect(source).toContain('export default ns.default;');
    // Node leaves the format of a .js file in a package without "type" to the load step: wrapped too.
    expect(afterResolve(state, 'sdk', { url: 'file:///x/node_modules/sdk/main.js', format: null }).url).toBe('file:///x/node_modules/sdk/main.js?genai-usage-wrap=sdk');
    expect(wrapperSource('file:///x/node_modules/sdk/index.js')).toBeUndefined();
  });

  it('in-thread hooks only where Node runs them correctly', () => {
    expect(['22.12.0', '22.22.2', '23.11.0', '24.11.0', '25.0.0'].map(syncHooksWork)).toEqual([false, false, false, false, false]);
    expect(['22.22.3', '22.23.0', '24.11.1', '24.12.0', '25.1.0', '26.0.0'].map(syncHooksWork)).toEqual([true, true, true, true, true, true]);
  });
});

// A real Node process with the real hook, on fake SDK packages: one ESM, one CommonJS.
const dir = mkdtempSync(join(tmpdir(), 'genai-usage-esm-hook-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function pkg(name: string, files: Record<string, string>): void {
  mkdirSync(join(dir, 'node_modules', name), { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, 'node_modules', name, file), text);
}
pkg('fake-esm', {
  'package.json': JSON.stringify({ name: 'fake-esm', version: '1.2.3', type: 'module', exports: { '.': './index.js' } }),
  'index.js': "export * from './client.js';\nexport default 'esm-default';\nexport const ready = await Promise.resolve('after top-level await');\n",
  'client.js': 'export class Client { hello() { return "esm hello"; } }\n',
});
pkg('fake-cjs', {
  'package.json': JSON.stringify({ name: 'fake-cjs', version: '4.5.6', main: 'index.js' }),
  'index.js': "class Client { hello() { return 'cjs hello'; } }\nexports.Client = Client;\nexports.answer = 42;\n",
});
const hookModule = pathToFileURL(fileURLToPath(new URL('../../dist/setup/loader-hook.js', import.meta.url))).href;
writeFileSync(join(dir, 'preload.mjs'), `import { registerLoaderHook } from ${JSON.stringify(hookModule)};\nconsole.log(registerLoaderHook(['fake-esm', 'fake-cjs']));\n`);
writeFileSync(
  join(dir, 'app.mjs'),
  `import esmDefault, { Client as EsmClient, ready } from 'fake-esm';
import cjsDefault, { Client as CjsClient, answer } from 'fake-cjs';
import { createRequire } from 'node:module';
import * as untouched from 'node:path';
const required = createRequire(import.meta.url)('fake-cjs');
const seen = (globalThis[Symbol.for('genai-usage.esm-loaded')] ?? []).sort((a, b) => (a[0] < b[0] ? -1 : 1));
const ns = Object.fromEntries(seen.map(([name, namespace]) => [name, namespace]));
console.log(JSON.stringify({
  seen: seen.map(([name, ns, url]) => ({ name, keys: Object.keys(ns).sort(), file: url.slice(url.lastIndexOf('/') + 1) })),
  esm: [esmDefault, new EsmClient().hello(), ready, ns['fake-esm']?.Client === EsmClient],
  cjs: [cjsDefault === required, new CjsClient().hello(), answer, ns['fake-cjs']?.Client === CjsClient, ns['fake-cjs']?.default === required],
  path: typeof untouched.join,
}));
`,
);

describe.each(['sync', 'thread'])('the hook in a real process (%s)', (mode) => {
  it('hands each SDK module over once evaluated; the app sees the same modules and values', () => {
    const out = execFileSync(process.execPath, ['--import', './preload.mjs', 'app.mjs'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, GENAI_USAGE_LOADER_HOOK: mode === 'thread' ? 'thread' : '' },
    }).trim().split('\n');
    expect(out[0]).toBe(syncHooksWork(process.versions.node) && mode === 'sync' ? 'sync' : 'thread');
    expect(JSON.parse(out[1]!)).toEqual({
      seen: [
        { name: 'fake-cjs', keys: ['Client', 'answer', 'default'], file: 'index.js' },
        { name: 'fake-esm', keys: ['Client', 'default', 'ready'], file: 'index.js' },
      ],
      esm: ['esm-default', 'esm hello', 'after top-level await', true],
      cjs: [true, 'cjs hello', 42, true, true],
      path: 'function',
    });
  });
});
