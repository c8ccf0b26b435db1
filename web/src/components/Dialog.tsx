import { useEffect, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n';

export interface DialogProps {
  title: string;
  message?: ReactNode;
  confirmLabel: string;
  /** Ask for a reason (required, recorded and, for retractions, sent to the peer). */
  reason?: { label: string; hint?: string };
  danger?: boolean;
  busy?: boolean;
  error?: ReactNode;
  onConfirm: (reason: string) => void;
  onCancel: () => void;
}

/** A modal confirmation, optionally asking for a reason. Escape or Cancel closes it. */
export function Dialog({
  title,
  message,
  confirmLabel,
  reason,
  danger,
  busy,
  error,
  onConfirm,
  onCancel,
}: DialogProps) {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [touched, setTouched] = useState(false);
  const titleId = useId();
  const reasonId = useId();
  const firstField = useRef<HTMLTextAreaElement | null>(null);
  const confirmButton = useRef<HTMLButtonElement | null>(null);

  const cancelRef = useRef(onCancel);
  cancelRef.current = busy ? () => undefined : onCancel;

  useEffect(() => {
    (firstField.current ?? confirmButton.current)?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') cancelRef.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const missingReason = !!reason && text.trim() === '';
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setTouched(true);
    if (missingReason || busy) return;
    onConfirm(text.trim());
  };

  return (
    <div className="dialog-backdrop" onMouseDown={(e) => e.target === e.currentTarget && !busy && onCancel()}>
      <form
        className="dialog"
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        onSubmit={submit}
        data-testid="dialog"
      >
        <h2 id={titleId}>{title}</h2>
        {message && <div className="dialog-message">{message}</div>}
        {reason && (
          <div className="field">
            <label htmlFor={reasonId}>{reason.label}</label>
            <textarea
              id={reasonId}
              ref={firstField}
              rows={3}
              value={text}
              maxLength={1000}
              onChange={(e) => setText(e.target.value)}
              aria-invalid={touched && missingReason}
              data-testid="dialog-reason"
            />
            {reason.hint && <p className="hint">{reason.hint}</p>}
            {touched && missingReason && <p className="field-error">{t('dialog.reasonRequired')}</p>}
          </div>
        )}
        {error}
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={onCancel} disabled={busy} data-testid="dialog-cancel">
            {t('common.cancel')}
          </button>
          <button
            type="submit"
            ref={confirmButton}
            className={danger ? 'btn btn-danger' : 'btn btn-primary'}
            disabled={busy}
            data-testid="dialog-confirm"
          >
            {busy ? t('common.working') : confirmLabel}
          </button>
        </div>
      </form>
    </div>
  );
}
