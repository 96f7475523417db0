import { useId, useState } from 'react';
import { API_KEY_EXPIRY_DAYS, API_KEY_NAME_MAX, isApiKeyName } from '../../../src/domain/api-keys';
import { api } from '../api';
import { Confirm, Dialog, FormActions } from '../dialog';
import { useI18n } from '../i18n';
import type { Session } from '../session';
import { CopyButton, DeleteButton, ErrorText, ListTable, RoleChecks, States, Toolbar, errorText, useDate, useLoad } from '../util';

interface ApiKey {
  id: string;
  name: string;
  roles: string[];
  clientId: string;
  createdAt: string;
  expiry: string;
  lastUsedAt: string | null;
  /** expiry still ahead when the list was loaded */
  active?: boolean;
}
interface Role {
  id: string;
  name: string;
}
type Created = ApiKey & { secret: string };

export function ApiKeys({ session }: { session: Session }) {
  const { t } = useI18n();
  const date = useDate();
  const keys = useLoad(
    () =>
      api<{ value: ApiKey[] }>('GET', '/iam/api-keys').then((r) =>
        r.value.map((k) => ({ ...k, active: Date.parse(k.expiry) > Date.now() })),
      ),
    session.tenantId,
  );
  const [generating, setGenerating] = useState(false);
  const [deleting, setDeleting] = useState<ApiKey | null>(null);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  return (
    <>
      <Toolbar level={2} title={t('keys.title')} action={t('keys.generate')} onAction={() => setGenerating(true)} />
      <States r={keys} empty={t('keys.empty')}>
        {(items) => (
          <ListTable
            caption={t('keys.title')}
            columns={[
              t('keys.col.name'),
              t('keys.col.roles'),
              t('keys.col.created'),
              t('keys.col.expires'),
              t('keys.col.status'),
              t('keys.col.lastUsed'),
              t('common.actions'),
            ]}
          >
            {items.map((k) => (
              <tr key={k.id}>
                <th scope="row">{k.name}</th>
                <td>{k.roles.join(', ')}</td>
                <td>{date(k.createdAt, t('common.never'))}</td>
                <td>{date(k.expiry, t('common.never'))}</td>
                <td>{k.active ? t('keys.status.active') : t('keys.status.expired')}</td>
                <td>{date(k.lastUsedAt, t('common.never'))}</td>
                <td>
                  <DeleteButton
                    onClick={() => {
                      setDeleteError(null);
                      setDeleting(k);
                    }}
                  />
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </States>
      {generating ? (
        <GenerateDialog
          onClose={() => {
            setGenerating(false);
            keys.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <Confirm
          title={t('keys.delete.title')}
          text={t('keys.delete.text', { name: deleting.name })}
          confirm={t('common.delete')}
          cancel={t('common.cancel')}
          error={deleteError}
          onClose={() => setDeleting(null)}
          onConfirm={() => {
            api('DELETE', `/iam/api-keys/${encodeURIComponent(deleting.id)}`).then(
              () => {
                setDeleting(null);
                keys.reload();
              },
              (e: unknown) => setDeleteError(errorText(e, t)),
            );
          }}
        />
      ) : null}
    </>
  );
}

/** Generate API Key: name (the server's own rule, live), roles, expiration; then the secret, once. */
function GenerateDialog({ onClose }: { onClose: () => void }) {
  const { t } = useI18n();
  const roles = useLoad(() => api<{ value: Role[] }>('GET', '/iam/roles').then((r) => r.value), 'roles');
  const [name, setName] = useState('');
  const [touched, setTouched] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const [expiry, setExpiry] = useState<string>('90');
  const [date, setDate] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [tried, setTried] = useState(false);
  const [created, setCreated] = useState<Created | null>(null);
  const [busy, setBusy] = useState(false);
  const ids = { name: useId(), nameHelp: useId(), role: useId(), date: useId(), expiry: useId(), dateInput: useId() };
  const nameError = name === '' ? t('keys.name.required') : isApiKeyName(name) ? null : t('keys.name.invalid', { max: API_KEY_NAME_MAX });
  const roleError = picked.length === 0 ? t('keys.role.required') : null;
  const dateError = expiry === 'date' && !date ? t('keys.expiry.dateRequired') : null;
  const showName = (touched || tried) && nameError;

  if (created)
    return (
      <Dialog title={t('keys.created.title')} onClose={onClose}>
        <p role="alert" className="warning">
          {t('keys.created.warning')}
        </p>
        <div role="group" aria-label={t('keys.created.clientId')} className="secret">
          <span className="label">{t('keys.created.clientId')}</span>
          <code>{created.clientId}</code>
          <CopyButton text={created.clientId} />
        </div>
        <div role="group" aria-label={t('keys.created.secret')} className="secret">
          <span className="label">{t('keys.created.secret')}</span>
          <code data-testid="api-key-secret">{created.secret}</code>
          <CopyButton text={created.secret} />
        </div>
        <div className="actions">
          <button type="button" className="primary" onClick={onClose}>
            {t('common.done')}
          </button>
        </div>
      </Dialog>
    );

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (nameError || roleError || dateError) return;
    setBusy(true);
    setError(null);
    try {
      const body =
        expiry === 'date'
          ? { name, roles: picked, expiry: new Date(`${date}T23:59:59`).toISOString() }
          : { name, roles: picked, expiresInDays: Number(expiry) };
      setCreated(await api<Created>('POST', '/iam/api-keys', body));
    } catch (err) {
      setError(errorText(err, t));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Dialog title={t('keys.generate')} onClose={onClose}>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label htmlFor={ids.name}>{t('keys.name')}</label>
        <input
          id={ids.name}
          value={name}
          maxLength={API_KEY_NAME_MAX * 2}
          autoComplete="off"
          aria-invalid={showName ? true : undefined}
          aria-describedby={ids.nameHelp}
          onChange={(e) => {
            setName(e.target.value);
            setTouched(true);
          }}
        />
        <p id={ids.nameHelp} className={showName ? 'error' : 'muted'}>
          {showName ? nameError : t('keys.name.help', { max: API_KEY_NAME_MAX })}
        </p>
        <fieldset aria-describedby={tried && roleError ? ids.role : undefined}>
          <legend>{t('keys.role')}</legend>
          <States r={roles} empty={t('roles.empty')}>
            {(items) => <RoleChecks roles={items} picked={picked} onChange={setPicked} />}
          </States>
          {tried && roleError ? (
            <p id={ids.role} className="error">
              {roleError}
            </p>
          ) : null}
        </fieldset>
        <label htmlFor={ids.expiry}>{t('keys.expiry')}</label>
        <select id={ids.expiry} value={expiry} onChange={(e) => setExpiry(e.target.value)}>
          {API_KEY_EXPIRY_DAYS.map((d) => (
            <option key={d} value={String(d)}>
              {t('keys.expiry.days', { days: d })}
            </option>
          ))}
          <option value="date">{t('keys.expiry.custom')}</option>
        </select>
        {expiry === 'date' ? (
          <>
            <label htmlFor={ids.dateInput}>{t('keys.expiry.date')}</label>
            <input id={ids.dateInput} type="date" value={date} aria-describedby={ids.date} onChange={(e) => setDate(e.target.value)} />
            {tried && dateError ? (
              <p id={ids.date} className="error">
                {dateError}
              </p>
            ) : null}
          </>
        ) : null}
        <ErrorText error={error} />
        <FormActions cancel={t('common.cancel')} submit={t('keys.generate.submit')} onCancel={onClose} busy={busy} />
      </form>
    </Dialog>
  );
}
