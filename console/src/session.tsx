import { useId } from 'react';
import { LANGUAGES, useI18n, type Language } from './i18n';

/** GET /iam/users/me */
export interface Me {
  id: string;
  type: string;
  username: string;
  tenant_id: string;
  platform_admin: boolean;
  roles: { tenant_id: string; tenant_name: string; role_id: string; role_name: string; permissions: string[] }[];
}

export interface Session {
  me: Me;
  tenantId: string;
  /** What the signed-in user may do in the chosen tenant (their roles there). */
  permissions: ReadonlySet<string>;
  go: (path: string) => void;
}

/** The permission that shows Access Control (the API answers 403 without it). */
export const ACCESS_CONTROL = 'Access Control';

function PeopleIcon() {
  return (
    <svg viewBox="0 0 24 24" width="22" height="22" aria-hidden="true" focusable="false">
      <path
        fill="currentColor"
        d="M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8Zm0 2c-3.3 0-7 1.7-7 4.5V20h14v-2.5C16 14.7 12.3 13 9 13Zm7.5-2a3.5 3.5 0 1 0-1.6-6.6 5.9 5.9 0 0 1 0 6.2c.5.3 1 .4 1.6.4Zm1.3 2.1c1.6 1 2.7 2.5 2.7 4.4V20H22v-2.5c0-2.1-1.8-3.6-4.2-4.4Z"
      />
    </svg>
  );
}

export function Nav(props: {
  session: Session;
  tenants: { id: string; name: string }[];
  path: string;
  onTenant: (id: string) => void;
  onSignOut: () => void;
}) {
  const { t } = useI18n();
  const { session } = props;
  const tenantId = useId();
  const link = (to: string, label: string, current: boolean) => (
    <a
      href={`/console/${to}`}
      aria-current={current ? 'page' : undefined}
      onClick={(e) => {
        e.preventDefault();
        session.go(to);
      }}
    >
      {label}
    </a>
  );
  return (
    <header className="bar">
      <span className="brand">{t('app.name')}</span>
      <nav aria-label={t('nav.main')}>
        {link('', t('nav.resources'), props.path === '' || props.path === 'hubs' || props.path === 'dps')}
        {link('central', t('nav.central'), props.path === 'central')}
      </nav>
      <span className="spacer" />
      <span className="inline">
        <label htmlFor={tenantId}>{t('nav.tenant')}</label>
        <select id={tenantId} value={session.tenantId} onChange={(e) => props.onTenant(e.target.value)}>
          {props.tenants.map((x) => (
            <option key={x.id} value={x.id}>
              {x.name}
            </option>
          ))}
        </select>
      </span>
      <LanguageSwitcher />
      <span className="muted">{session.me.username}</span>
      <button type="button" onClick={props.onSignOut}>
        {t('nav.signOut')}
      </button>
      {session.permissions.has(ACCESS_CONTROL) ? (
        <button
          type="button"
          className="icon"
          aria-label={t('nav.accessControl')}
          title={t('nav.accessControl')}
          aria-current={props.path === 'access-control' ? 'page' : undefined}
          onClick={() => session.go('access-control/api-keys')}
        >
          <PeopleIcon />
        </button>
      ) : null}
    </header>
  );
}

export function LanguageSwitcher() {
  const { lang, setLang, t } = useI18n();
  const id = useId();
  return (
    <span className="inline">
      <label htmlFor={id}>{t('nav.language')}</label>
      <select id={id} value={lang} onChange={(e) => setLang(e.target.value as Language)}>
        {(Object.keys(LANGUAGES) as Language[]).map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGES[l]['language.name']}
          </option>
        ))}
      </select>
    </span>
  );
}
