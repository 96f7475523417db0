import type { Logger } from 'pino';
import type { Store } from '../store/port.js';

/**
 * Records when credentials were last used without touching the store on the request path:
 * mark() is a Map write; flush() (every `intervalMs`, and on close) writes each credential at
 * most once per interval.
 */
export class UsageRecorder {
  private pending = new Map<string, number>();
  private readonly lastWritten = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store, private readonly log: Logger, private readonly intervalMs = 60_000) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  mark(type: 'user' | 'api_key', id: string, at: number): void {
    const k = `${type}:${id}`;
    const last = this.lastWritten.get(k);
    if (last !== undefined && at - last < this.intervalMs) return;
    this.pending.set(k, at);
  }

  async flush(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    for (const [k, at] of batch) {
      const [type, id] = k.split(':') as ['user' | 'api_key', string];
      try {
        if (type === 'user') await this.store.users.touch(id, at);
        else await this.store.apiKeys.touch(id, at);
        this.lastWritten.set(k, at);
      } catch (err) {
        this.log.warn({ err }, 'could not record credential use');
      }
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}
