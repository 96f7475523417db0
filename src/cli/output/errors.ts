/**
 * CLI errors, their az exit codes (1 generic, 2 usage, 3 not found) and the stderr lines they print.
 */

export interface CliErrorOptions {
  /** Extra lines printed (raw, without `ERROR: `) after the error line, e.g. `Did you mean 'table' ?`. */
  recommendations?: readonly string[];
  cause?: unknown;
}

/** A user-facing error. Printed as `ERROR: <message>` (+ recommendation lines); exit code 1. */
export class CliError extends Error {
  readonly exitCode: number = 1;
  readonly recommendations: readonly string[];

  constructor(message: string, options: CliErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.recommendations = [...(options.recommendations ?? [])];
  }

  /** Same error class, exit code and recommendations with another message (e.g. a `<prog>: ` prefix). */
  withMessage(message: string): this {
    const Ctor = this.constructor as new (message: string, options: CliErrorOptions) => this;
    return new Ctor(message, { recommendations: this.recommendations, cause: this.cause });
  }
}

/** Parser/usage error (argparse-style): exit code 2. */
export class CliUsageError extends CliError {
  override readonly exitCode: number = 2;
}

/** Resource not found (az `ResourceNotFoundError`, HTTP 404 on show/delete): exit code 3. */
export class CliNotFoundError extends CliError {
  override readonly exitCode: number = 3;
}

/** Exit code for any thrown value: a CliError's own code, 1 for everything else. */
export function exitCodeOf(err: unknown): number {
  return err instanceof CliError ? err.exitCode : 1;
}

/**
 * The stderr text for an error: `ERROR: <message>\n` followed by each recommendation line + `\n`.
 * Returns exactly the bytes to write to stderr (trailing newline included).
 */
export function formatErrorLine(err: unknown): string {
  let message: string;
  let extra: readonly string[] = [];
  if (err instanceof CliError) {
    message = err.message;
    extra = err.recommendations;
  } else if (err instanceof Error) {
    message = err.message;
  } else {
    message = String(err);
  }
  return [`ERROR: ${message}`, ...extra].map((line) => `${line}\n`).join('');
}

/**
 * Message for an error reported by the server (`{"error": {"code", "message"}}`): `(<code>) <message>`.
 * The CLI prints it as `ERROR: (<code>) <message>` (DESIGN decision; az core's HttpResponseError style).
 * Without a code only the message is returned.
 */
export function formatServerError(code: string | null | undefined, message: string): string {
  return code ? `(${code}) ${message}` : message;
}
