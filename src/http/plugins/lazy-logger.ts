import type { FastifyBaseLogger } from 'fastify';
import type { Bindings, ChildLoggerOptions, LevelWithSilentOrString } from 'pino';

type Parent = FastifyBaseLogger & { isLevelEnabled?: (level: string) => boolean };

/**
 * A request logger made on first use. A pino child costs an allocation and, with our wildcard
 * redaction paths, a redaction pass over its bindings; most requests never log (the access line
 * is written by the parent logger with `reqId`), so most never pay for it. A call below the
 * level creates nothing either. One small object of fixed shape per request.
 */
class LazyChildLogger {
  private real: FastifyBaseLogger | undefined;
  constructor(
    private readonly parent: Parent,
    private readonly bindings: Bindings,
    private readonly opts: ChildLoggerOptions,
  ) {}

  private on(level: string): FastifyBaseLogger | undefined {
    if (this.real) return this.real;
    if (this.parent.isLevelEnabled && !this.parent.isLevelEnabled(level)) return undefined;
    return (this.real = this.parent.child(this.bindings, this.opts));
  }
  get level(): LevelWithSilentOrString {
    return this.real?.level ?? this.parent.level;
  }
  set level(v: LevelWithSilentOrString) {
    (this.real ??= this.parent.child(this.bindings, this.opts)).level = v;
  }
  fatal(...a: unknown[]) {
    (this.on('fatal')?.fatal as ((...x: unknown[]) => void) | undefined)?.(...a);
  }
  error(...a: unknown[]) {
    (this.on('error')?.error as ((...x: unknown[]) => void) | undefined)?.(...a);
  }
  warn(...a: unknown[]) {
    (this.on('warn')?.warn as ((...x: unknown[]) => void) | undefined)?.(...a);
  }
  info(...a: unknown[]) {
    (this.on('info')?.info as ((...x: unknown[]) => void) | undefined)?.(...a);
  }
  debug(...a: unknown[]) {
    (this.on('debug')?.debug as ((...x: unknown[]) => void) | undefined)?.(...a);
  }
  trace(...a: unknown[]) {
    (this.on('trace')?.trace as ((...x: unknown[]) => void) | undefined)?.(...a);
  }
  silent() {}
  child(b: Bindings, o?: ChildLoggerOptions): FastifyBaseLogger {
    return (this.real ??= this.parent.child(this.bindings, this.opts)).child(b, o);
  }
}

export const lazyChildLogger = (parent: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger =>
  new LazyChildLogger(parent, bindings, opts) as unknown as FastifyBaseLogger;
