import type { Ctx } from '../../deps.js';
import type { AuditBuffer } from '../audit-buffer.js';
import type { CentralCaller, CentralTokenRefusal, CentralTokenService } from '../central-tokens.js';
import type { OpenedCentralApp } from '../central-state.js';

/**
 * IoT Central API tokens (`SharedAccessSignature sr=<appId>&sig=…&skn=<tokenId>&se=<ms>`) of the
 * app the path or host names. HMAC-SHA256 under the token's key derived from the app's key
 * (constant-time), once; then from memory while the token entry and the app's directory are the
 * cached ones. Revoked by deleting the token (a `central_token` invalidation on every node).
 * Yields the token as actor with the grants of its Central roles in that app; a refusal is
 * audited as `central_api_token.rejected`.
 */
export function centralApiTokenKind(centralTokens: CentralTokenService, auditBuffer: AuditBuffer) {
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
    /**
     * Last use. Not recorded yet: `central_api_tokens` has no `last_used_at` column, and adding one
     * (migration 0007) moves the schema name test/ops/backup.test.ts pins. The call site is here,
     * so the column and a `store.central.touchToken` are all that is missing.
     */
    markUse: (_c: CentralCaller, _now: number): void => undefined,
  };
}

export type CentralApiTokenKind = ReturnType<typeof centralApiTokenKind>;
