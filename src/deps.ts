import type { Logger } from 'pino';
import type { Principal } from './domain/types.js';
import type { Config } from './config.js';
import type { Store } from './store/port.js';
import type { Bus } from './cache/bus.js';
import type { KeyRing } from './crypto/key-ring.js';
import type { Envelope } from './crypto/envelope.js';

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Everything the core needs from the outside world; real in main.ts, test doubles only for the clock. */
export interface Deps {
  config: Config;
  store: Store;
  bus: Bus;
  keys: KeyRing;
  envelope: Envelope;
  clock: Clock;
  log: Logger;
}

/** Who is acting, for authorisation and the audit trail. */
export interface Ctx {
  principal: Principal | null;
  requestId: string | null;
  clientAddress: string | null;
}
