/** One CLI command: `src/cli/commands/<name>.ts` exports `command` of this shape. */
export interface CliCommand {
  meta: {
    name: string;
    /** One line for `genai-usage --help`. */
    summary: string;
    /** The full text of `genai-usage <name> --help`. */
    help: string;
  };
  /** Returns the exit code. Data goes to `io.stdout`, messages to `io.stderr`. */
  handler(argv: string[], io: CliIo): Promise<number>;
}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  /** Resolves when SIGINT/SIGTERM arrive; long-running commands stop on it. */
  signal: AbortSignal;
}

/** An error the CLI prints as one line and exits with `exitCode`. */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}
