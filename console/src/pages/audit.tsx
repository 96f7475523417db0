import { useState } from 'react';
import { api } from '../api';
import { useI18n } from '../i18n';
import type { Session } from '../session';
import { ListTable, States, useDate, useLoad } from '../util';

interface AuditEvent {
  id: string;
  at: string;
  action: string;
  actorType: string | null;
  actorId: string | null;
  targetType: string | null;
  targetId: string | null;
}
interface Filter {
  actor: string;
  action: string;
  target: string;
  from: string;
  to: string;
}
const EMPTY: Filter = { actor: '', action: '', target: '', from: '', to: '' };

/** GET /iam/audit filters by actor, action and time on the server; the target filter applies to the page it answered. */
export function Audit({ session }: { session: Session }) {
  const { t } = useI18n();
  const date = useDate();
  const [draft, setDraft] = useState<Filter>(EMPTY);
  const [filter, setFilter] = useState<Filter>(EMPTY);
  const query = new URLSearchParams({ size: '200' });
  if (filter.actor) query.set('actor', filter.actor);
  if (filter.action) query.set('action', filter.action);
  if (filter.from) query.set('from', new Date(filter.from).toISOString());
  if (filter.to) query.set('to', new Date(filter.to).toISOString());
  const events = useLoad(
    () => api<{ value: AuditEvent[] }>('GET', `/iam/audit?${query}`).then((r) => r.value),
    `${session.tenantId}?${query}`,
  );
  const target = filter.target.toLowerCase();
  const shown = {
    ...events,
    data: events.data?.filter((e) => !target || `${e.targetType ?? ''} ${e.targetId ?? ''}`.toLowerCase().includes(target)),
  };
  const field = (k: keyof Filter, label: string, type = 'text') => (
    <label>
      {label}
      <input type={type} value={draft[k]} onChange={(e) => setDraft((d) => ({ ...d, [k]: e.target.value }))} />
    </label>
  );
  return (
    <>
      <h2>{t('audit.title')}</h2>
      <form
        className="filters"
        aria-label={t('audit.filters')}
        onSubmit={(e) => {
          e.preventDefault();
          setFilter(draft);
        }}
      >
        {field('actor', t('audit.actor'))}
        {field('action', t('audit.action'))}
        {field('target', t('audit.target'))}
        {field('from', t('audit.from'), 'datetime-local')}
        {field('to', t('audit.to'), 'datetime-local')}
        <button type="submit">{t('audit.apply')}</button>
      </form>
      <States r={shown} empty={t('audit.empty')}>
        {(items) => (
          <ListTable caption={t('audit.title')} columns={[t('audit.time'), t('audit.actor'), t('audit.action'), t('audit.target')]}>
            {items.map((e) => (
              <tr key={e.id}>
                <td>{date(e.at, t('common.none'))}</td>
                <td>{e.actorId ? `${e.actorType ?? ''} ${e.actorId}` : t('common.none')}</td>
                <td>{e.action}</td>
                <td>{e.targetId ? `${e.targetType ?? ''} ${e.targetId}` : t('common.none')}</td>
              </tr>
            ))}
          </ListTable>
        )}
      </States>
    </>
  );
}
