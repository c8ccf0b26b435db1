import type { Grade, Kind, Status, Tlp } from '../api/types';
import { useI18n } from '../i18n';

/** TLP 2.0 labels: the colour-on-black style FIRST specifies, so they read the same on screen and in print. */
export function TlpBadge({ tlp, testId }: { tlp: Tlp; testId?: string }) {
  const { t } = useI18n();
  const cls = 'tlp tlp-' + tlp.toLowerCase().replace('+', '-');
  return (
    <span className={cls} title={t(`tlp.${tlp}`)} data-testid={testId} data-tlp={tlp}>
      TLP:{tlp}
    </span>
  );
}

export function StatusBadge({ status, testId }: { status: Status; testId?: string }) {
  const { t } = useI18n();
  return (
    <span className={`badge status status-${status}`} data-testid={testId} data-status={status}>
      {t(`status.${status}`)}
    </span>
  );
}

export function OverdueBadge({ testId }: { testId?: string }) {
  const { t } = useI18n();
  return (
    <span className="badge overdue" data-testid={testId}>
      {t('common.overdue')}
    </span>
  );
}

/** Admiralty grade, e.g. "B2", with its meaning in a tooltip. */
export function GradeBadge({ grade, testId }: { grade: Grade; testId?: string }) {
  const { t } = useI18n();
  const title = `${t('grade.sourceLabel')}: ${t(`grade.source.${grade.source}`)} · ${t('grade.infoLabel')}: ${t(`grade.info.${grade.info}`)}`;
  return (
    <span className="badge grade" title={title} data-testid={testId}>
      {grade.source}
      {grade.info}
    </span>
  );
}

export function KindLabel({ kind }: { kind: Kind }) {
  const { t } = useI18n();
  return <span className={`kind kind-${kind}`}>{t(`kind.${kind}`)}</span>;
}

export function DueDate({ dueDate, overdue, testId }: { dueDate: string | null; overdue: boolean; testId?: string }) {
  if (!dueDate) return <span className="muted">—</span>;
  return (
    <span className="due" data-testid={testId}>
      <span className={overdue ? 'due-date is-overdue' : 'due-date'}>{dueDate}</span>
      {overdue && <OverdueBadge />}
    </span>
  );
}
