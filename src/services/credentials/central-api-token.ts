import type { Ctx } from '../../deps.js';
import type { AuditBuffer } from '../audit-buffer.js';
import type { CentralCaller, CentralTokenRefusal, CentralTokenService } from '../central-tokens.js';
import type { OpenedCentralApp } from '../central-state.js';
import type { CentralTokenRef, UsageRecorder } from '../usage.js';

/**
 * IoT Central API tokens (`SharedAccessSignature sr=<appId>&sig=…&skn=<tokenId>&se=<ms>`) of the
 * app the path or host names. HMAC-SHA256 under the token's key derived from the app's key
 * (constant-time), once; then from memory while the token entry and the app's directory are the
 * cached ones. Revoked by deleting the token (a `central_token` invalidation on every node).
 * Yields the token as actor with the grants of its Central roles in that app; a refusal is
 * audited as `central_api_token.rejected`.
 */
export function centralApiTokenKind(centralTokens: CentralTokenService, auditBuffer: AuditBuffer, usage: UsageRecorder) {
  // One ref per verified caller's actor (a hot caller keeps its actor object): no allocation per request.
  const refs = new WeakMap<CentralCaller['actor'], CentralTokenRef>();
  const refOf = (c: CentralCaller): CentralTokenRef => {
    let r = refs.get(c.actor);
    if (!r) refs.set(c.actor, (r = { tenantId: c.app.tenantId, appId: c.app.id, tokenId: c.actor.id }));
    return r;
  };
  return {
    kind: 'central_api_token' as const,
    /** The token deleted, its app changed or deleted, or the app's roles or organizations changed. */
    invalidatedBy: ['central_token', 'central_app', 'central_directory', 'all'] as const,
    recognise: (authorization: string): boolean => authorization.startsWith('SharedAccessSignature '),
    /** From memory without a promise: the caller, or undefined when not verified before (then `verify`). */
    verifyCached: (a: OpenedCentralApp, ctx: Ctx, header: string): CentralCaller | undefined =>
      centralTokens.verifyTokenCached(a, ctx, header),
    verify: (a: OpenedCentralApp, ctx: Ctx, header: string): Promise<CentralCaller | CentralTokenRefusal> =>
      centralTokens.verifyToken(a, ctx, header),
    refused: (a: OpenedCentralApp, ctx: Ctx, r: CentralTokenRefusal): void => auditBuffer.push(centralTokens.rejectedEvent(a.app, ctx, r)),
    /** Last use: per token (`central_api_tokens.last_used_at`), a Map write; the recorder flushes. */
    markUse: (c: CentralCaller, now: number): void => usage.mark('central_api_token', refOf(c), now),
  };
}

export type CentralApiTokenKind = ReturnType<typeof centralApiTokenKind>;
