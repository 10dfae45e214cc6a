import { fileURLToPath } from 'node:url';

/** This package's own source folders, as stack frames spell them (URL or path). */
const OWN = ['dist/', 'src/'].flatMap((folder) => {
  const url = new URL(`../../${folder}`, import.meta.url);
  return [url.href, fileURLToPath(url)];
});

/**
 * Bad configuration: the message names the option, the bad value and the valid ones, on one
 * line. Its stack keeps only the caller's frames: the mistake is in their call or environment,
 * not in the code that found it.
 */
export class ConfigError extends Error {
  override readonly name: string = 'ConfigError';

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    const [head, ...frames] = (this.stack ?? '').split('\n');
    const own = (frame: string) => OWN.some((prefix) => frame.includes(prefix)) || frame.includes('node:internal/');
    this.stack = [head, ...frames.filter((frame) => !own(frame))].join('\n');
  }
}

/** The first line of a parser's message (YAML's carries a multi-line code frame), without its closing colon. */
export function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').replace(/:\s*$/, '');
}
