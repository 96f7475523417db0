import type { Logger } from 'pino';
import type { AuditEvent } from '../domain/types.js';
import type { Store } from '../store/port.js';

/**
 * Audit events that are not part of a change (denied requests) are written in batches: one
 * multi-row insert per interval instead of a commit per request.
 */
export class AuditBuffer {
  private pending: AuditEvent[] = [];
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
