import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal dialog on the native <dialog>: showModal() moves focus in and makes the page inert,
 * Escape closes it (the cancel event), and focus goes back to what opened it.
 */
export function Dialog({ title, onClose, children }: { title: string; onClose: () => void; children: ReactNode }) {
  const ref = useRef<HTMLDialogElement>(null);
  const close = useRef(onClose);
  useEffect(() => {
    close.current = onClose;
  });
  useEffect(() => {
    const d = ref.current!;
    const opener = document.activeElement as HTMLElement | null;
    d.showModal();
    const cancel = (e: Event) => {
      e.preventDefault();
      close.current();
    };
    d.addEventListener('cancel', cancel);
    return () => {
      d.removeEventListener('cancel', cancel);
      if (d.open) d.close();
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  const id = useId();
  return (
    <dialog ref={ref} aria-labelledby={id} className="dialog">
      <h2 id={id}>{title}</h2>
      {children}
    </dialog>
  );
}

/** The foot of a form in a dialog: Cancel, then the form's submit button in its own words. */
export function FormActions({ cancel, submit, onCancel, busy }: { cancel: string; submit: string; onCancel: () => void; busy?: boolean }) {
  return (
    <div className="actions">
      <button type="button" onClick={onCancel}>
        {cancel}
      </button>
      <button type="submit" className="primary" disabled={busy}>
        {submit}
      </button>
    </div>
  );
}

/** "Are you sure?" with the action's own words on the button. */
export function Confirm(props: {
  title: string;
  text: string;
  confirm: string;
  cancel: string;
  onConfirm: () => void;
  onClose: () => void;
  error?: string | null;
}) {
  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <p>{props.text}</p>
      {props.error ? (
        <p role="alert" className="error">
          {props.error}
        </p>
      ) : null}
      <div className="actions">
        <button type="button" onClick={props.onClose}>
          {props.cancel}
        </button>
        <button type="button" className="danger" onClick={props.onConfirm}>
          {props.confirm}
        </button>
      </div>
    </Dialog>
  );
}
