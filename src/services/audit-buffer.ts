import type { Logger } from 'pino';
import type { AuditEvent } from '../domain/types.js';
import type { Store } from '../store/port.js';

/** How many held events `hold` keeps: about a second of failed logins at a high rate. */
const HELD = 1024;

/**
 * Audit events that are not part of a change (denied requests) are written in batches: one
 * multi-row insert per interval instead of a commit per request.
 */
export class AuditBuffer {
  private pending: AuditEvent[] = [];
  private readonly held: (AuditEvent | undefined)[] = new Array<AuditEvent | undefined>(HELD);
  private nextHeld = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: Store,
    private readonly log: Logger,
    private readonly intervalMs = 1000,
    private readonly max = 10_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  push(e: AuditEvent): void {
    if (this.pending.length < this.max) this.pending.push(e);
  }

  /**
   * The failure event of a login for a principal that does not exist, which no tenant files:
   * built and held like a pushed one (in a ring, overwritten, never written) so that a failed
   * login does the same work whether or not its principal exists. Security: measured, the
   * event alone told the two apart (docs/reliability.md, "Constant work on the failure path").
   */
  hold(e: AuditEvent): void {
    this.held[this.nextHeld] = e;
    this.nextHeld = (this.nextHeld + 1) % HELD;
  }

  async flush(): Promise<void> {
    if (!this.pending.length) return;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.store.audit.appendMany(batch);
    } catch (err) {
      this.log.warn({ err, count: batch.length }, 'could not write audit batch');
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
