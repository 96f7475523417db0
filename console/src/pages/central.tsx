import { useId, useState } from 'react';
import { api } from '../api';
import { Confirm, Dialog, FormActions } from '../dialog';
import { useI18n } from '../i18n';
import type { Session } from '../session';
import { CopyButton, DeleteButton, ErrorText, ListTable, States, Toolbar, errorText, useDate, useLoad } from '../util';

const ARM_VERSION = 'api-version=2021-06-01';
const VERSION = 'api-version=2022-07-31';

interface App {
  name: string;
  resourcegroup?: string;
  location: string;
  properties: { applicationId: string; displayName: string; subdomain: string };
}
interface Token {
  id: string;
  roles: { role: string; organization?: string }[];
  expiry: string;
}
interface Named {
  id: string;
  displayName: string;
}

const base = (appId: string) => `/central/${encodeURIComponent(appId)}/api`;

export function CentralApps({ session }: { session: Session }) {
  const { t } = useI18n();
  const apps = useLoad(
    () =>
      api<{ value: App[] }>(
        'GET',
        `/subscriptions/${encodeURIComponent(session.tenantId)}/providers/Microsoft.IoTCentral/iotApps?${ARM_VERSION}`,
      ).then((r) => r.value),
    session.tenantId,
  );
  return (
    <>
      <h1>{t('central.title')}</h1>
      <States r={apps} empty={t('central.empty')}>
        {(items) => (
          <ListTable
            caption={t('central.title')}
            columns={[t('res.col.name'), t('central.displayName'), t('central.subdomain'), t('res.col.location')]}
          >
            {items.map((a) => (
              <tr key={a.properties.applicationId}>
                <th scope="row">
                  <a
                    href={`/console/central/${a.properties.applicationId}`}
                    onClick={(e) => {
                      e.preventDefault();
                      session.go(`central/${a.properties.applicationId}`);
                    }}
                  >
                    {a.name}
                  </a>
                </th>
                <td>{a.properties.displayName}</td>
                <td>{a.properties.subdomain}</td>
                <td>{a.location}</td>
              </tr>
            ))}
          </ListTable>
        )}
      </States>
    </>
  );
}

export function CentralApp({ session, appId }: { session: Session; appId: string }) {
  const { t } = useI18n();
  const date = useDate();
  const tokens = useLoad(
    () => api<{ value: Token[] }>('GET', `${base(appId)}/apiTokens?${VERSION}`).then((r) => r.value),
    `${appId}#tokens`,
  );
  const roles = useLoad(() => api<{ value: Named[] }>('GET', `${base(appId)}/roles?${VERSION}`).then((r) => r.value), `${appId}#roles`);
  const orgs = useLoad(
    () => api<{ value: Named[] }>('GET', `${base(appId)}/organizations?${VERSION}`).then((r) => r.value),
    `${appId}#orgs`,
  );
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<Token | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const roleName = (id: string) => roles.data?.find((r) => r.id === id)?.displayName ?? id;
  const orgName = (id?: string) => (id ? (orgs.data?.find((o) => o.id === id)?.displayName ?? id) : t('common.none'));
  return (
    <>
      <p>
        <a
          href="/console/central"
          onClick={(e) => {
            e.preventDefault();
            session.go('central');
          }}
        >
          {t('central.back')}
        </a>
      </p>
      <Toolbar level={1} title={t('central.tokens')} action={t('central.create')} onAction={() => setCreating(true)} />
      <States r={tokens} empty={t('central.tokens.empty')}>
        {(items) => (
          <ListTable
            caption={t('central.tokens')}
            columns={[t('central.tokenId'), t('keys.role'), t('central.organization'), t('keys.col.expires'), t('common.actions')]}
          >
            {items.map((x) => (
              <tr key={x.id}>
                <th scope="row">{x.id}</th>
                <td>{x.roles.map((r) => roleName(r.role)).join(', ')}</td>
                <td>{x.roles.map((r) => orgName(r.organization)).join(', ')}</td>
                <td>{date(x.expiry, t('common.never'))}</td>
                <td>
                  <DeleteButton
                    onClick={() => {
                      setDeleteError(null);
                      setDeleting(x);
                    }}
                  />
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </States>
      {creating ? (
        <CreateToken
          appId={appId}
          roles={roles.data ?? []}
          orgs={orgs.data ?? []}
          onClose={() => {
            setCreating(false);
            tokens.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <Confirm
          title={t('central.delete.title')}
          text={t('central.delete.text', { name: deleting.id })}
          confirm={t('common.delete')}
          cancel={t('common.cancel')}
          error={deleteError}
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            void api('DELETE', `${base(appId)}/apiTokens/${encodeURIComponent(deleting.id)}?${VERSION}`).then(
              () => {
                setDeleting(null);
                tokens.reload();
              },
              (e: unknown) => setDeleteError(errorText(e, t)),
            )
          }
        />
      ) : null}
    </>
  );
}

function CreateToken({ appId, roles, orgs, onClose }: { appId: string; roles: Named[]; orgs: Named[]; onClose: () => void }) {
  const { t } = useI18n();
  const [id, setId] = useState('');
  const [role, setRole] = useState(roles[0]?.id ?? '');
  const [org, setOrg] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const ids = { role: useId(), org: useId() };
  if (token)
    return (
      <Dialog title={t('central.created.title')} onClose={onClose}>
        <p role="alert" className="warning">
          {t('central.created.warning')}
        </p>
        <div role="group" aria-label={t('central.token')} className="secret">
          <span className="label">{t('central.token')}</span>
          <code>{token}</code>
          <CopyButton text={token} />
        </div>
        <div className="actions">
          <button type="button" className="primary" onClick={onClose}>
            {t('common.done')}
          </button>
        </div>
      </Dialog>
    );
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    api<{ token: string }>('PUT', `${base(appId)}/apiTokens/${encodeURIComponent(id)}?${VERSION}`, {
      roles: [org ? { role, organization: org } : { role }],
    }).then(
      (r) => setToken(r.token),
      (err: unknown) => setError(errorText(err, t)),
    );
  };
  return (
    <Dialog title={t('central.create')} onClose={onClose}>
      <form onSubmit={submit}>
        <label>
          {t('central.tokenId')}
          <input value={id} required autoComplete="off" onChange={(e) => setId(e.target.value)} />
        </label>
        <label htmlFor={ids.role}>{t('keys.role')}</label>
        <select id={ids.role} value={role} onChange={(e) => setRole(e.target.value)}>
          {roles.map((r) => (
            <option key={r.id} value={r.id}>
              {r.displayName}
            </option>
          ))}
        </select>
        <label htmlFor={ids.org}>{t('central.organization')}</label>
        <select id={ids.org} value={org} onChange={(e) => setOrg(e.target.value)}>
          <option value="">{t('common.none')}</option>
          {orgs.map((o) => (
            <option key={o.id} value={o.id}>
              {o.displayName}
            </option>
          ))}
        </select>
        <ErrorText error={error} />
        <FormActions cancel={t('common.cancel')} submit={t('central.create.submit')} onCancel={onClose} />
      </form>
    </Dialog>
  );
}
