import { ERRORS, type ErrorCode } from './catalog.js';
import { fill } from './messages.js';

export type ErrorParams = Record<string, string | number | undefined>;

/** A catalogued error. `expose` is false for 5xx: their message never reaches a client. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly params: ErrorParams;
  readonly expose: boolean;
  /** Extra response headers (Retry-After, WWW-Authenticate …) the face should send. */
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, params: ErrorParams = {}, opts: { cause?: unknown; headers?: Record<string, string> } = {}) {
    const entry = ERRORS[code];
    super(fill(entry.message, params), opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = entry.status;
    this.params = params;
    this.expose = entry.status < 500;
    this.headers = opts.headers ?? {};
  }
}

export function isAppError(e: unknown): e is AppError {
  return e instanceof AppError;
}
