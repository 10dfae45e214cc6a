// Loaded with `--import` before anything else: lists every module the process loads (ES modules
// through a load hook, CommonJS through Module.prototype._compile) and writes them, in order,
// to the file LOADED_MODULES_OUT names when the process exits. `globalThis.__markLoaded(label)`
// adds a marker line, so a test can tell what loaded at start from what loaded later.
import { writeFileSync } from 'node:fs';
import { createRequire, registerHooks } from 'node:module';
import { fileURLToPath } from 'node:url';

const loaded = [];
const path = (url) => (url.startsWith('file:') ? fileURLToPath(url.replace(/\?.*$/, '')) : url);
registerHooks({
  load(url, context, nextLoad) {
    loaded.push(path(url));
    return nextLoad(url, context);
  },
});
const Module = createRequire(import.meta.url)('node:module');
const compile = Module.prototype._compile;
Module.prototype._compile = function (content, filename, ...rest) {
  loaded.push(filename);
  return compile.call(this, content, filename, ...rest);
};
globalThis.__markLoaded = (label) => loaded.push(`--- ${label}`);
process.on('exit', () => writeFileSync(process.env.LOADED_MODULES_OUT, `${[...new Set(loaded)].join('\n')}\n`));
