import { PassThrough } from 'node:stream';
import type { CliIo } from '../../src/cli/command.js';

/** A `CliIo` whose stdout and stderr are collected, for driving CLI commands in-process. */
export function captureIo(env: NodeJS.ProcessEnv = {}): CliIo & { out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d: Buffer) => (out += d.toString()));
  stderr.on('data', (d: Buffer) => (err += d.toString()));
  return { stdout, stderr, env, signal: new AbortController().signal, out: () => out, err: () => err };
}
