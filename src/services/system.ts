import type { Deps } from '../deps.js';
import { AppError } from '../errors/app-error.js';

/** Process-level facts the faces need: the clock, and readiness (store reachable, signing key loaded). */
export function systemService(deps: Deps) {
  return {
    clock: deps.clock,

    async ready(): Promise<{ store: string }> {
      try {
        await deps.store.ping();
      } catch (cause) {
        throw new AppError('UNAVAILABLE', {}, { cause });
      }
      if (!deps.keys.currentKid) throw new AppError('UNAVAILABLE');
      return { store: deps.store.dialect };
    },
  };
}

export type SystemService = ReturnType<typeof systemService>;
