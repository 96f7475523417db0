import { timeOrderedId } from '../domain/ids.js';
import type { AuditEvent, Page } from '../domain/types.js';
import { pageOf, pageWindow, type Paging } from '../domain/paging.js';
import type { AuditQuery } from '../schemas/iam.js';
import type { AuditAction } from '../domain/audit-events.js';
import type { Ctx, Deps } from '../deps.js';
import type { Store } from '../store/port.js';
import { AppError } from '../errors/app-error.js';

export interface AuditTarget {
  type: string;
  id: string;
}

/** Builds an audit record; services append it in the same transaction as the change it describes. */
export function auditEvent(
  deps: Pick<Deps, 'clock'>,
  ctx: Ctx,
  tenantId: string,
  action: AuditAction,
  target: AuditTarget | null,
  detail?: Record<string, unknown>,
): AuditEvent {
  return {
    id: timeOrderedId(),
    tenantId,
    at: deps.clock.now(),
    action,
    actorType: ctx.principal?.type ?? null,
    actorId: ctx.principal?.id ?? null,
    targetType: target?.type ?? null,
    targetId: target?.id ?? null,
    requestId: ctx.requestId,
    clientAddress: ctx.clientAddress,
    detail: detail ?? null,
  };
}

export async function record(
  deps: Pick<Deps, 'clock'>,
  store: Store,
  ctx: Ctx,
  tenantId: string,
  action: AuditAction,
  target: AuditTarget | null,
  detail?: Record<string, unknown>,
): Promise<void> {
  await store.audit.append(auditEvent(deps, ctx, tenantId, action, target, detail));
}

export function auditService(deps: Deps) {
  const parseTime = (name: string, v: string | undefined): number | undefined => {
    if (v === undefined) return undefined;
    const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
    if (!Number.isFinite(t))
      throw new AppError('AUDIT_QUERY_INVALID', { detail: `${name} must be an ISO 8601 time or epoch milliseconds` });
    return t;
  };
  return {
    /** One page of the tenant's audit trail, newest first. */
    async list(tenantId: string, q: AuditQuery): Promise<Page<AuditEvent> & Paging> {
      const from = parseTime('from', q.from);
      const to = parseTime('to', q.to);
      if (from !== undefined && to !== undefined && from > to)
        throw new AppError('AUDIT_QUERY_INVALID', { detail: 'from must not be after to' });
      const paging = pageOf(q);
      const r = await deps.store.audit.query(tenantId, { from, to, actorId: q.actor, action: q.action, ...pageWindow(paging) });
      return { ...r, ...paging };
    },
  };
}
