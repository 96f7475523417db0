import type pg from 'pg';
import type { Logger } from 'pino';

/**
 * What changed, so every node drops what it cached about it. Small on purpose: a node that
 * misses an event (reconnect) drops everything (`all`), then reloads from the store on demand.
 */
export type Invalidation =
  | { t: 'principal'; type: 'user' | 'api_key'; id: string }
  | { t: 'session'; id: string }
  | { t: 'access'; type: 'user' | 'api_key'; id: string }
  | { t: 'roles' }
  | { t: 'tenants' }
  | { t: 'signing_keys' }
  /** An IoT hub / DPS or its policies changed (SAS verifier cache); name lower-case. */
  | { t: 'iot_resource'; kind: 'hub' | 'dps'; name: string }
  /** An IoT Central app changed or was deleted (with all its tokens, organizations, roles); id lower-case. */
  | { t: 'central_app'; id: string }
  /** An API token of that app was created or deleted. */
  | { t: 'central_token'; appId: string; tokenId: string }
  /** Organizations or custom roles of that app changed. */
  | { t: 'central_directory'; appId: string }
  /** Agents or asset types of a tenant changed (EI list cache). */
  | { t: 'ei_objects'; tenantId: string }
  | { t: 'all' };

export interface Bus {
  publish(e: Invalidation): Promise<void>;
  subscribe(fn: (e: Invalidation) => void): void;
  close(): Promise<void>;
}

/** One process: handlers run synchronously, before publish() returns. */
export class LocalBus implements Bus {
  private readonly handlers: ((e: Invalidation) => void)[] = [];
  async publish(e: Invalidation): Promise<void> {
    for (const h of this.handlers) h(e);
  }
  subscribe(fn: (e: Invalidation) => void): void {
    this.handlers.push(fn);
  }
  async close(): Promise<void> {}
}

const CHANNEL = 'latch_invalidate';

/**
 * Across nodes sharing one PostgreSQL: LISTEN/NOTIFY. The local handlers run first (this node
 * is consistent at once); NOTIFY reaches the others within milliseconds. On a lost LISTEN
 * connection every handler gets `all`, and we reconnect.
 */
export class PgBus implements Bus {
  private readonly local = new LocalBus();
  private client: pg.Client | undefined;
  private closed = false;

  private constructor(
    private readonly opts: { url: string; schema?: string },
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly newClient: () => pg.Client,
  ) {}

  static async start(opts: { url: string; schema?: string }, log: Logger): Promise<PgBus> {
    // Loaded on use: a Latch on SQLite never loads the PostgreSQL driver.
    const [{ default: pgm }, { postgresPoolConfig }] = await Promise.all([import('pg'), import('../store/dialects/postgres.js')]);
    const pool = new pgm.Pool({ ...postgresPoolConfig({ ...opts, max: 2 }) });
    const bus = new PgBus(opts, pool, log, () => new pgm.Client(postgresPoolConfig(opts)));
    await bus.listen();
    return bus;
  }

  private channel(): string {
    return this.opts.schema ? `${CHANNEL}_${this.opts.schema}` : CHANNEL;
  }

  private async listen(): Promise<void> {
    const c = this.newClient();
    c.on('notification', (n) => {
      if (n.channel !== this.channel() || !n.payload) return;
      try {
        const { e } = JSON.parse(n.payload) as { e: Invalidation };
        void this.local.publish(e);
      } catch {
        void this.local.publish({ t: 'all' });
      }
    });
    c.on('error', (err) => {
      this.log.warn({ err }, 'invalidation listener lost; dropping caches and reconnecting');
      void this.local.publish({ t: 'all' });
      this.client = undefined;
      if (!this.closed) setTimeout(() => this.listen().catch(() => undefined), 500).unref();
    });
    await c.connect();
    await c.query(`LISTEN ${this.channel()}`);
    this.client = c;
  }

  async publish(e: Invalidation): Promise<void> {
    await this.local.publish(e);
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel(), JSON.stringify({ e })]);
  }

  subscribe(fn: (e: Invalidation) => void): void {
    this.local.subscribe(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.client?.end().catch(() => undefined);
    await this.pool.end();
  }
}
