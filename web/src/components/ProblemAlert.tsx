import type { ApiError } from '../api/client';
import { useI18n } from '../i18n';

/** Shows a failed call: a translated heading for the error code and the server's own detail. */
export function ProblemAlert({
  error,
  testId = 'error',
  onRetry,
}: {
  error: ApiError;
  testId?: string;
  onRetry?: () => void;
}) {
  const { t } = useI18n();
  const heading = t(`problem.${error.code}`, { defaultValue: t('problem.generic') });
  const detail = error.code === 'network' ? t('problem.networkDetail') : error.problem.detail;
  const issues = error.issues;
  return (
    <div className="alert alert-error" role="alert" data-testid={testId} data-code={error.code}>
      <strong className="alert-title">{heading}</strong>
      {detail && issues.length === 0 && (
        <p className="alert-detail" data-testid={`${testId}-detail`}>
          {detail}
        </p>
      )}
      {issues.length > 0 && (
        <ul className="issue-list" data-testid={`${testId}-issues`}>
          {issues.map((issue, i) => (
            <li key={i}>
              {issue.path && <code>{issue.path}</code>} {issue.message}
            </li>
          ))}
        </ul>
      )}
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry} data-testid={`${testId}-retry`}>
          {t('common.retry')}
        </button>
      )}
    </div>
  );
}
