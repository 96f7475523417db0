import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, onSessionEnd, setLanguage, setTenant, signIn, signOut } from './api';
import { I18nContext, languageFrom, translator, useI18n, type Language } from './i18n';
import { ErrorText, errorText } from './util';
import { LanguageSwitcher, Nav, type Me, type Session } from './session';
import { AccessControl } from './pages/access-control';
import { Resources, ResourcePage } from './pages/resources';
import { CentralApps, CentralApp } from './pages/central';

const BASE = '/console/';

function usePath(): [string, (to: string) => void] {
  const read = () => (location.pathname.startsWith(BASE) ? location.pathname.slice(BASE.length) : '');
  const [path, setPath] = useState(read);
  useEffect(() => {
    const pop = () => setPath(read());
    addEventListener('popstate', pop);
    return () => removeEventListener('popstate', pop);
  }, []);
  const go = useCallback((to: string) => {
    history.pushState(null, '', BASE + to);
    setPath(to);
    scrollTo(0, 0);
  }, []);
  return [path, go];
}

export function App() {
  const [lang, setLangState] = useState<Language>(() =>
    languageFrom(navigator.languages?.length ? navigator.languages : [navigator.language]),
  );
  const t = useMemo(() => translator(lang), [lang]);
  setLanguage(lang);
  useEffect(() => {
    document.documentElement.lang = lang;
    document.title = t('app.title');
  }, [lang, t]);
  const i18n = useMemo(() => ({ lang, setLang: setLangState, t }), [lang, t]);
  const [me, setMe] = useState<Me | null>(null);
  const [ended, setEnded] = useState(false);
  useEffect(() => {
    onSessionEnd(() => {
      setMe(null);
      setEnded(true);
    });
  }, []);
  return (
    <I18nContext.Provider value={i18n}>
      {me ? (
        <Shell
          me={me}
          onSignOut={() => {
            void signOut().finally(() => setMe(null));
          }}
        />
      ) : (
        <SignIn
          ended={ended}
          onSignedIn={(m) => {
            setEnded(false);
            setMe(m);
          }}
        />
      )}
    </I18nContext.Provider>
  );
}

function SignIn({ onSignedIn, ended }: { onSignedIn: (me: Me) => void; ended: boolean }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setBusy(true);
    setError(null);
    try {
      await signIn(String(f.get('username') ?? ''), String(f.get('password') ?? ''));
      onSignedIn(await api<Me>('GET', '/iam/users/me'));
    } catch (err) {
      setError(errorText(err, t));
      await signOut().catch(() => undefined);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="signin">
      <header className="bar">
        <span className="brand">{t('app.name')}</span>
        <span className="spacer" />
        <LanguageSwitcher />
      </header>
      <main>
        <form onSubmit={(e) => void submit(e)} className="card narrow" aria-labelledby="signin-title">
          <h1 id="signin-title">{t('signin.title')}</h1>
          {ended ? <p role="status">{t('signin.ended')}</p> : null}
          <label>
            {t('signin.username')}
            <input name="username" autoComplete="username" required />
          </label>
          <label>
            {t('signin.password')}
            <input name="password" type="password" autoComplete="current-password" required />
          </label>
          <ErrorText error={error} />
          <button type="submit" className="primary" disabled={busy}>
            {t('signin.submit')}
          </button>
        </form>
      </main>
    </div>
  );
}

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const [path, go] = usePath();
  const tenants = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of me.roles) m.set(r.tenant_id, r.tenant_name);
    return [...m].map(([id, name]) => ({ id, name }));
  }, [me]);
  const [tenantId, setTenantId] = useState(() =>
    tenants.some((x) => x.id === me.tenant_id) ? me.tenant_id : (tenants[0]?.id ?? me.tenant_id),
  );
  setTenant(tenantId);
  const permissions = useMemo(
    () => new Set(me.roles.filter((r) => r.tenant_id === tenantId).flatMap((r) => r.permissions)),
    [me, tenantId],
  );
  const session: Session = { me, tenantId, permissions, go };
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  let page: React.ReactNode;
  if (parts[0] === 'access-control') page = <AccessControl session={session} tab={parts[1] ?? 'users'} />;
  else if (parts[0] === 'central' && parts[1]) page = <CentralApp session={session} appId={parts[1]} />;
  else if (parts[0] === 'central') page = <CentralApps session={session} />;
  else if ((parts[0] === 'hubs' || parts[0] === 'dps') && parts[2])
    page = <ResourcePage session={session} kind={parts[0] === 'hubs' ? 'hub' : 'dps'} group={parts[1]!} name={parts[2]} />;
  else page = <Resources session={session} />;
  return (
    <>
      <Nav session={session} tenants={tenants} path={parts[0] ?? ''} onTenant={(id) => setTenantId(id)} onSignOut={onSignOut} />
      <main key={tenantId}>{page}</main>
    </>
  );
}
