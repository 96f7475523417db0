/**
 * knack's CLI logging: WARNING by default, INFO with --verbose, DEBUG with --debug, ERROR only with
 * --only-show-errors. Lines are `LEVEL: message`; with --debug `LEVEL: <logger>: message`
 * (spec/cli-conventions.md §4). Everything goes to stderr.
 */
export type LogLevel = 'error' | 'warning' | 'info' | 'debug';

const RANK: Record<LogLevel, number> = { error: 40, warning: 30, info: 20, debug: 10 };

export class Logger {
  constructor(
    private readonly write: (text: string) => void,
    readonly level: LogLevel,
  ) {}

  enabled(level: LogLevel): boolean {
    return RANK[level] >= RANK[this.level];
  }

  private line(level: LogLevel, name: string, message: string): void {
    if (!this.enabled(level)) return;
    const prefix = level.toUpperCase();
    this.write(this.level === 'debug' ? `${prefix}: ${name}: ${message}\n` : `${prefix}: ${message}\n`);
  }

  warning(message: string, name = 'cli.latch'): void {
    this.line('warning', name, message);
  }

  info(message: string, name = 'cli.latch'): void {
    this.line('info', name, message);
  }

  debug(message: string, name = 'cli.latch'): void {
    this.line('debug', name, message);
  }
}

export const ONLY_SHOW_ERRORS_CONFLICT = "--only-show-errors can't be used together with --debug or --verbose";

/** knack's raw-argv pre-scan (plain string equality, before parsing). Throws the conflict text. */
export function logLevelFromArgv(argv: readonly string[], env: Record<string, string | undefined>): LogLevel {
  const debug = argv.includes('--debug');
  const verbose = argv.includes('--verbose');
  const onlyErrors = argv.includes('--only-show-errors') || isTrue(env.LATCH_CORE_ONLY_SHOW_ERRORS);
  if (argv.includes('--only-show-errors') && (debug || verbose)) throw new Error(ONLY_SHOW_ERRORS_CONFLICT);
  if (debug) return 'debug';
  if (verbose) return 'info';
  return onlyErrors ? 'error' : 'warning';
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && ['1', 'true', 'yes', 'on'].includes(v.toLowerCase());
}
