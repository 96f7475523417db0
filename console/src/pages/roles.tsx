import { useState } from 'react';
import { api } from '../api';
import { Confirm, Dialog, FormActions } from '../dialog';
import { useI18n } from '../i18n';
import type { Session } from '../session';
import { DeleteButton, ErrorText, States, Toolbar, errorText, useLoad } from '../util';

interface Role {
  id: string;
  name: string;
  description: string | null;
  builtIn: boolean;
  permissions: string[];
}
interface Permission {
  id: string;
  description: string;
}

export function Roles({ session }: { session: Session }) {
  const { t } = useI18n();
  const roles = useLoad(() => api<{ value: Role[] }>('GET', '/iam/roles').then((r) => r.value), session.tenantId);
  const perms = useLoad(() => api<{ value: Permission[] }>('GET', '/iam/permissions').then((r) => r.value), session.tenantId);
  const [creating, setCreating] = useState(false);
  return (
    <>
      <Toolbar level={2} title={t('roles.title')} action={t('roles.create')} onAction={() => setCreating(true)} />
      <States r={roles} empty={t('roles.empty')}>
        {(items) => (
          <div className="cards">
            {items.map((r) => (
              <RoleCard key={`${r.id}:${r.permissions.join(',')}`} role={r} all={perms.data ?? []} onChange={roles.reload} />
            ))}
          </div>
        )}
      </States>
      {creating ? (
        <RoleDialog
          all={perms.data ?? []}
          onClose={(changed) => {
            setCreating(false);
            if (changed) roles.reload();
          }}
        />
      ) : null}
    </>
  );
}

function PermissionBoxes(props: { all: Permission[]; picked: string[]; disabled?: boolean; onChange?: (p: string[]) => void }) {
  return (
    <>
      {props.all.map((p) => (
        <label key={p.id} className="check" title={p.description}>
          <input
            type="checkbox"
            disabled={props.disabled}
            checked={props.picked.includes(p.id)}
            onChange={(e) => props.onChange?.(e.target.checked ? [...props.picked, p.id] : props.picked.filter((x) => x !== p.id))}
          />
          {p.id}
        </label>
      ))}
    </>
  );
}

function RoleCard({ role, all, onChange }: { role: Role; all: Permission[]; onChange: () => void }) {
  const { t } = useI18n();
  const [picked, setPicked] = useState(role.permissions);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const dirty = picked.join('\n') !== role.permissions.join('\n');
  return (
    <fieldset className="card">
      <legend>
        {role.name} <span className="muted">{role.builtIn ? t('roles.builtIn') : t('roles.custom')}</span>
      </legend>
      {role.description ? <p className="muted">{role.description}</p> : null}
      <PermissionBoxes all={all} picked={picked} disabled={role.builtIn} onChange={setPicked} />
      <ErrorText error={error} />
      {role.builtIn ? null : (
        <div className="actions">
          <button
            type="button"
            disabled={!dirty}
            aria-label={t('roles.saveNamed', { name: role.name })}
            onClick={() =>
              void api('PATCH', `/iam/roles/${encodeURIComponent(role.id)}`, { permissions: picked }).then(onChange, (e: unknown) =>
                setError(errorText(e, t)),
              )
            }
          >
            {t('common.save')}
          </button>
          <DeleteButton label={t('roles.deleteNamed', { name: role.name })} onClick={() => setDeleting(true)} />
        </div>
      )}
      {deleting ? (
        <Confirm
          title={t('roles.delete.title')}
          text={t('roles.delete.text', { name: role.name })}
          confirm={t('common.delete')}
          cancel={t('common.cancel')}
          error={error}
          onClose={() => setDeleting(false)}
          onConfirm={() =>
            void api('DELETE', `/iam/roles/${encodeURIComponent(role.id)}`).then(onChange, (e: unknown) => setError(errorText(e, t)))
          }
        />
      ) : null}
    </fieldset>
  );
}

function RoleDialog({ all, onClose }: { all: Permission[]; onClose: (changed: boolean) => void }) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const submit = (e: React.FormEvent) => {
    e.preventDefault();
    api('POST', '/iam/roles', { name, permissions: picked }).then(
      () => onClose(true),
      (err: unknown) => setError(errorText(err, t)),
    );
  };
  return (
    <Dialog title={t('roles.create')} onClose={() => onClose(false)}>
      <form onSubmit={submit}>
        <label>
          {t('keys.name')}
          <input value={name} required onChange={(e) => setName(e.target.value)} />
        </label>
        <fieldset>
          <legend>{t('roles.permissions')}</legend>
          <PermissionBoxes all={all} picked={picked} onChange={setPicked} />
        </fieldset>
        <ErrorText error={error} />
        <FormActions cancel={t('common.cancel')} submit={t('roles.create.submit')} onCancel={() => onClose(false)} />
      </form>
    </Dialog>
  );
}
