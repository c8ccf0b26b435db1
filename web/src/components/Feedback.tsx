import type { ReactNode } from 'react';
import { useI18n } from '../i18n';

export function Loading({ label }: { label?: string }) {
  const { t } = useI18n();
  return (
    <div className="loading" role="status" aria-live="polite" data-testid="loading">
      <span className="spinner" aria-hidden="true" />
      {label ?? t('common.loading')}
    </div>
  );
}

export function Empty({ children, testId }: { children: ReactNode; testId?: string }) {
  return (
    <div className="empty" data-testid={testId}>
      {children}
    </div>
  );
}

export function Notice({
  children,
  testId = 'notice',
  onDismiss,
}: {
  children: ReactNode;
  testId?: string;
  onDismiss?: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="alert alert-success" role="status" data-testid={testId}>
      <span>{children}</span>
      {onDismiss && (
        <button
          type="button"
          className="link-button"
          onClick={onDismiss}
          data-testid={`${testId}-dismiss`}
          aria-label={t('common.dismiss')}
        >
          ×
        </button>
      )}
    </div>
  );
}

export function PageHeader({
  title,
  subtitle,
  actions,
}: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <div className="page-header">
      <div>
        <h1>{title}</h1>
        {subtitle && <p className="page-subtitle">{subtitle}</p>}
      </div>
      {actions && <div className="page-actions">{actions}</div>}
    </div>
  );
}
