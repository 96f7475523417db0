import { useState } from 'react';
import { api } from '../api';
import { Confirm, Dialog, FormActions } from '../dialog';
import { useI18n } from '../i18n';
import type { Session } from '../session';
import { DeleteButton, ErrorText, ListTable, RoleChecks, States, Toolbar, errorText, useDate, useLoad } from '../util';

interface User {
  id: string;
  username: string;
  email: string | null;
  roles: string[];
  createdAt: string;
  lastUsedAt: string | null;
}
interface Role {
  id: string;
  name: string;
}

export function Users({ session }: { session: Session }) {
  const { t } = useI18n();
  const date = useDate();
  const users = useLoad(() => api<{ value: User[] }>('GET', '/iam/users').then((r) => r.value), session.tenantId);
  const roles = useLoad(() => api<{ value: Role[] }>('GET', '/iam/roles').then((r) => r.value), session.tenantId);
  const [creating, setCreating] = useState(false);
  const [deleting, setDeleting] = useState<User | null>(null);
  const [rowError, setRowError] = useState<{ id: string; text: string } | null>(null);
  const [assign, setAssign] = useState<Record<string, string>>({});
  const act = (id: string, p: Promise<unknown>) =>
    p.then(
      () => {
        setRowError(null);
        users.reload();
      },
      (e: unknown) => setRowError({ id, text: errorText(e, t) }),
    );
  return (
    <>
      <Toolbar level={2} title={t('users.title')} action={t('users.create')} onAction={() => setCreating(true)} />
      <States r={users} empty={t('users.empty')}>
        {(items) => (
          <ListTable
            caption={t('users.title')}
            columns={[t('users.col.username'), t('users.col.email'), t('users.col.roles'), t('users.col.created'), t('common.actions')]}
          >
            {items.map((u) => {
              const free = (roles.data ?? []).filter((r) => !u.roles.includes(r.name));
              const choice = assign[u.id] ?? free[0]?.name ?? '';
              return (
                <tr key={u.id}>
                  <th scope="row">{u.username}</th>
                  <td>{u.email ?? t('common.none')}</td>
                  <td>
                    <ul className="chips">
                      {u.roles.map((r) => (
                        <li key={r}>
                          {r}{' '}
                          <button
                            type="button"
                            className="small"
                            aria-label={t('users.removeRole', { role: r, user: u.username })}
                            onClick={() => act(u.id, api('DELETE', `/iam/users/${u.id}/roles/${encodeURIComponent(r)}`))}
                          >
                            {t('common.remove')}
                          </button>
                        </li>
                      ))}
                    </ul>
                    {rowError?.id === u.id ? <ErrorText error={rowError.text} /> : null}
                  </td>
                  <td>{date(u.createdAt, t('common.never'))}</td>
                  <td className="row-actions">
                    {free.length ? (
                      <>
                        <select
                          aria-label={t('users.roleToAssign', { user: u.username })}
                          value={choice}
                          onChange={(e) => setAssign((a) => ({ ...a, [u.id]: e.target.value }))}
                        >
                          {free.map((r) => (
                            <option key={r.id} value={r.name}>
                              {r.name}
                            </option>
                          ))}
                        </select>
                        <button
                          type="button"
                          aria-label={t('users.assignTo', { user: u.username })}
                          onClick={() => act(u.id, api('PUT', `/iam/users/${u.id}/roles/${encodeURIComponent(choice)}`))}
                        >
                          {t('users.assign')}
                        </button>
                      </>
                    ) : null}
                    {u.id !== session.me.id ? <DeleteButton onClick={() => setDeleting(u)} /> : null}
                  </td>
                </tr>
              );
            })}
          </ListTable>
        )}
      </States>
      {creating ? (
        <CreateUser
          roles={roles.data ?? []}
          onClose={(changed) => {
            setCreating(false);
            if (changed) users.reload();
          }}
        />
      ) : null}
      {deleting ? (
        <Confirm
          title={t('users.delete.title')}
          text={t('users.delete.text', { name: deleting.username })}
          confirm={t('common.delete')}
          cancel={t('common.cancel')}
          error={rowError?.id === deleting.id ? rowError.text : null}
          onClose={() => setDeleting(null)}
          onConfirm={() =>
            void api('DELETE', `/iam/users/${deleting.id}`).then(
              () => {
                setDeleting(null);
                users.reload();
              },
              (e: unknown) => setRowError({ id: deleting.id, text: errorText(e, t) }),
            )
          }
        />
      ) : null}
    </>
  );
}

function CreateUser({ roles, onClose }: { roles: Role[]; onClose: (changed: boolean) => void }) {
  const { t } = useI18n();
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const submit = async (e: React.FormEvent<HTMLFormElement>) => {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const email = String(f.get('email') ?? '');
    try {
      await api('POST', '/iam/users', {
        username: String(f.get('username') ?? ''),
        password: String(f.get('password') ?? ''),
        ...(email ? { email } : {}),
        roles: picked,
      });
      onClose(true);
    } catch (err) {
      setError(errorText(err, t));
    }
  };
  return (
    <Dialog title={t('users.create')} onClose={() => onClose(false)}>
      <form onSubmit={(e) => void submit(e)}>
        <label>
          {t('signin.username')}
          <input name="username" required autoComplete="off" />
        </label>
        <label>
          {t('signin.password')}
          <input name="password" type="password" required autoComplete="new-password" />
        </label>
        <label>
          {t('users.col.email')}
          <input name="email" type="email" autoComplete="off" />
        </label>
        <fieldset>
          <legend>{t('keys.role')}</legend>
          <RoleChecks roles={roles} picked={picked} onChange={setPicked} />
        </fieldset>
        <ErrorText error={error} />
        <FormActions cancel={t('common.cancel')} submit={t('users.create.submit')} onCancel={() => onClose(false)} />
      </form>
    </Dialog>
  );
}
