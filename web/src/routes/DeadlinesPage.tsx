import { useMemo, useState } from 'react';
import { api } from '../api/endpoints';
import { Loading, PageHeader } from '../components/Feedback';
import { PackageTable } from '../components/PackageTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { usePageTitle } from '../lib/usePageTitle';
import { useResource } from '../lib/useResource';

const FINISHED = new Set(['answered', 'closed', 'retracted', 'rejected']);

export function DeadlinesPage() {
  const { t } = useI18n();
  usePageTitle(t('nav.deadlines'));
  const deadlines = useResource(() => api.deadlines(), []);
  const [direction, setDirection] = useState<'all' | 'incoming' | 'outgoing'>('all');
  const [showFinished, setShowFinished] = useState(false);

  const items = useMemo(
    () =>
      (deadlines.data ?? [])
        .filter((p) => direction === 'all' || p.direction === direction)
        .filter((p) => showFinished || !FINISHED.has(p.status))
        .sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueDate ?? '').localeCompare(b.dueDate ?? '')),
    [deadlines.data, direction, showFinished],
  );
  const overdue = items.filter((p) => p.overdue).length;

  return (
    <section data-testid="page-deadlines">
      <PageHeader title={t('nav.deadlines')} subtitle={t('deadlines.subtitle')} />
      <div className="toolbar">
        <div className="segmented" role="group" aria-label={t('table.direction')}>
          {(['all', 'incoming', 'outgoing'] as const).map((d) => (
            <button
              key={d}
              type="button"
              className={direction === d ? 'active' : undefined}
              aria-pressed={direction === d}
              onClick={() => setDirection(d)}
              data-testid={`deadlines-filter-${d}`}
            >
              {d === 'all' ? t('deadlines.both') : t(`deadlines.${d}`)}
            </button>
          ))}
        </div>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={showFinished}
            onChange={(e) => setShowFinished(e.target.checked)}
            data-testid="deadlines-show-finished"
          />
          {t('deadlines.showFinished')}
        </label>
        <button
          type="button"
          className="btn"
          onClick={deadlines.reload}
          disabled={deadlines.loading}
          data-testid="refresh"
        >
          {t('common.refresh')}
        </button>
      </div>
      {deadlines.data && overdue > 0 && (
        <div className="alert alert-error" data-testid="deadlines-overdue-count">
          {t('deadlines.overdueCount', { count: overdue })}
        </div>
      )}
      {deadlines.error && <ProblemAlert error={deadlines.error} onRetry={deadlines.reload} />}
      {deadlines.data ? (
        <PackageTable items={items} testId="deadlines-table" empty={t('deadlines.empty')} showDirection />
      ) : (
        !deadlines.error && <Loading />
      )}
    </section>
  );
}
