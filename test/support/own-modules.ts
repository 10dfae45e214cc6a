// Vitest runs the TypeScript sources through Vite's module runner, which the synchronous
// `require` behind lazyOwnModule cannot enter: import the public entry (which declares every
// lazily loaded module) and wait until those modules are imported, before any test runs.
import '../../src/index.js';
import { ownModulesLoaded } from '../../src/setup/load-own.js';

await ownModulesLoaded();
