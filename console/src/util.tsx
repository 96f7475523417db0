import { useCallback, useEffect, useState } from 'react';
import { ApiError } from './api';
import { useI18n } from './i18n';

export interface Loaded<T> {
  data: T | undefined;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Loads once per change of `key` (and on reload); the error in plain words. */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const { t } = useI18n();
  const [n, setN] = useState(0);
  const [state, setState] = useState<{ data?: T; error: string | null; done: string }>({ error: null, done: '' });
  const want = `${n}#${key}`;
  useEffect(() => {
    let live = true;
    load().then(
      (data) => live && setState({ data, error: null, done: want }),
      (e: unknown) => live && setState((s) => ({ data: s.data, error: errorText(e, t), done: want })),
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [want]);
  const reload = useCallback(() => setN((x) => x + 1), []);
  return { data: state.data, error: state.done === want ? state.error : null, loading: state.done !== want, reload };
}

export function errorText(e: unknown, t: ReturnType<typeof useI18n>['t']): string {
  if (e instanceof ApiError) return e.status === 403 ? t('error.forbidden', { detail: e.message }) : e.message;
  return t('error.network');
}

export function ErrorText({ error, id }: { error: string | null | undefined; id?: string }) {
  if (!error) return null;
  return (
    <p role="alert" className="error" id={id}>
      {error}
    </p>
  );
}

/** Loading, error and empty states around a list. */
export function States<T>({ r, empty, children }: { r: Loaded<T[]>; empty: string; children: (items: T[]) => React.ReactNode }) {
  const { t } = useI18n();
  if (r.error) return <ErrorText error={r.error} />;
  if (r.loading && !r.data)
    return (
      <p role="status" className="muted">
        {t('common.loading')}
      </p>
    );
  if (!r.data || r.data.length === 0) return <p className="muted">{empty}</p>;
  return <>{children(r.data)}</>;
}

export function useDate() {
  const { lang } = useI18n();
  return (iso: string | null | undefined, dash: string) => (iso ? new Date(iso).toLocaleString(lang) : dash);
}

/** Copies text; true when the clipboard took it. */
export async function copy(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}

export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [done, setDone] = useState<null | boolean>(null);
  return (
    <>
      <button type="button" onClick={() => void copy(text).then(setDone)}>
        {label ?? t('common.copy')}
      </button>
      <span role="status" className="muted">
        {done === true ? t('common.copied') : done === false ? t('common.copyFailed') : ''}
      </span>
    </>
  );
}

/** A page or tab heading with its primary action at the far end. */
export function Toolbar({ level, title, action, onAction }: { level: 1 | 2; title: string; action: string; onAction: () => void }) {
  const Heading = level === 1 ? 'h1' : 'h2';
  return (
    <div className="toolbar">
      <Heading>{title}</Heading>
      <button type="button" className="primary" onClick={onAction}>
        {action}
      </button>
    </div>
  );
}

/** A list as a table: a caption for screen readers, column headers, and the rows given as children. */
export function ListTable({ caption, columns, children }: { caption: string; columns: string[]; children: React.ReactNode }) {
  return (
    <table>
      <caption className="sr-only">{caption}</caption>
      <thead>
        <tr>
          {columns.map((c, i) => (
            <th scope="col" key={i}>
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** The Delete button of a row or card (it opens a confirmation; `label` names what it deletes, for a screen reader). */
export function DeleteButton({ onClick, label }: { onClick: () => void; label?: string }) {
  const { t } = useI18n();
  return (
    <button type="button" className="danger" aria-label={label} onClick={onClick}>
      {t('common.delete')}
    </button>
  );
}

/** A checkbox per role; `picked` holds the names checked. */
export function RoleChecks({
  roles,
  picked,
  onChange,
}: {
  roles: { id: string; name: string }[];
  picked: string[];
  onChange: (p: string[]) => void;
}) {
  return (
    <>
      {roles.map((r) => (
        <label key={r.id} className="check">
          <input
            type="checkbox"
            checked={picked.includes(r.name)}
            onChange={(e) => onChange(e.target.checked ? [...picked, r.name] : picked.filter((x) => x !== r.name))}
          />
          {r.name}
        </label>
      ))}
    </>
  );
}
