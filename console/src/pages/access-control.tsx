import { useRef } from 'react';
import { useI18n } from '../i18n';
import type { MessageKey } from '../i18n/en';
import { ACCESS_CONTROL, type Session } from '../session';
import { ApiKeys } from './api-keys';
import { Users } from './users';
import { Roles } from './roles';
import { Audit } from './audit';

const TABS: { id: string; label: MessageKey }[] = [
  { id: 'users', label: 'ac.tab.users' },
  { id: 'roles', label: 'ac.tab.roles' },
  { id: 'api-keys', label: 'ac.tab.apiKeys' },
  { id: 'audit', label: 'ac.tab.audit' },
];

/** Access Control: tabs Users, Roles, API Keys, Audit (WAI-ARIA tabs: arrow keys move between them). */
export function AccessControl({ session, tab }: { session: Session; tab: string }) {
  const { t } = useI18n();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  if (!session.permissions.has(ACCESS_CONTROL))
    return (
      <section>
        <h1>{t('ac.title')}</h1>
        <p role="alert" className="error">
          {t('ac.denied')}
        </p>
      </section>
    );
  const current = TABS.findIndex((x) => x.id === tab) < 0 ? 0 : TABS.findIndex((x) => x.id === tab);
  const select = (i: number) => {
    session.go(`access-control/${TABS[i]!.id}`);
    refs.current[i]?.focus();
  };
  const onKey = (e: React.KeyboardEvent) => {
    const n = TABS.length;
    if (e.key === 'ArrowRight') select((current + 1) % n);
    else if (e.key === 'ArrowLeft') select((current + n - 1) % n);
    else if (e.key === 'Home') select(0);
    else if (e.key === 'End') select(n - 1);
    else return;
    e.preventDefault();
  };
  const id = TABS[current]!.id;
  return (
    <section>
      <h1>{t('ac.title')}</h1>
      <div role="tablist" aria-label={t('ac.title')} className="tabs" onKeyDown={onKey}>
        {TABS.map((x, i) => (
          <button
            key={x.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${x.id}`}
            aria-selected={i === current}
            aria-controls={`panel-${x.id}`}
            tabIndex={i === current ? 0 : -1}
            onClick={() => select(i)}
          >
            {t(x.label)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${id}`} aria-labelledby={`tab-${id}`} className="panel">
        {id === 'users' ? <Users session={session} /> : null}
        {id === 'roles' ? <Roles session={session} /> : null}
        {id === 'api-keys' ? <ApiKeys session={session} /> : null}
        {id === 'audit' ? <Audit session={session} /> : null}
      </div>
    </section>
  );
}
