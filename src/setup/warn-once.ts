const warned = new Set<string>();

/**
 * Says something the user must act on, once per process and `key` (default: the code), on
 * stderr: a Node process warning, `(node:PID) [CODE] Warning: genai-usage: ...`, which
 * `process.on('warning')` also sees and `--no-warnings` silences.
 */
export function warnOnce(code: string, message: string, key = code): void {
  if (warned.has(key)) return;
  warned.add(key);
  process.emitWarning(message, { code });
}
