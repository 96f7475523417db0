import type { Ctx, Deps } from '../deps.js';
import { AUDIT } from '../domain/audit-events.js';
import { auditEvent } from './audit.js';

/** The JWT signing keys as the faces see them: JWKS, issuer, rotation. */
export function signingKeyService(deps: Deps) {
  const { keys, config, bus } = deps;
  return {
    /** LATCH_ISSUER, else the URL the server printed on start. */
    get issuer(): string {
      return keys.issuer;
    },
    jwks: () => keys.jwks(),
    /** Algorithms of the keys that sign or verify now. */
    algorithms: () => keys.algorithms(),

    /**
     * A new key signs from now on; the previous ones verify until the tokens they signed have
     * expired (access-token lifetime plus a minute). Audited in the rotation's transaction; every
     * node reloads its keys.
     */
    async rotate(ctx: Ctx): Promise<{ kid: string; retired: string[] }> {
      const tenantId = ctx.principal!.tenantId;
      const r = await keys.rotate((config.accessTokenTtl + 60) * 1000, (tx, done) =>
        tx.audit.append(
          auditEvent(deps, ctx, tenantId, AUDIT.SIGNING_KEY_ROTATED, { type: 'signing_key', id: done.kid }, { retired: done.retired }),
        ),
      );
      await bus.publish({ t: 'signing_keys' });
      return r;
    },
  };
}

export type SigningKeyService = ReturnType<typeof signingKeyService>;
