import { useMemo, useState } from 'react';
import { api } from '../api/endpoints';
import { STATUSES, type PackageSummary, type Status } from '../api/types';
import { Loading, PageHeader } from '../components/Feedback';
import { PackageTable } from '../components/PackageTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { usePageTitle } from '../lib/usePageTitle';
import { useResource } from '../lib/useResource';

export function filterPackages(items: PackageSummary[], text: string, status: Status | ''): PackageSummary[] {
  const needle = text.trim().toLowerCase();
  return items.filter(
    (item) =>
      (status === '' || item.status === status) &&
      (needle === '' ||
        item.title.toLowerCase().includes(needle) ||
        item.id.toLowerCase().includes(needle) ||
        item.counterparty.toLowerCase().includes(needle)),
  );
}

export function FilterBar({
  text,
  status,
  onText,
  onStatus,
  onRefresh,
  loading,
}: {
  text: string;
  status: Status | '';
  onText: (value: string) => void;
  onStatus: (value: Status | '') => void;
  onRefresh: () => void;
  loading: boolean;
}) {
  const { t } = useI18n();
  return (
    <div className="toolbar">
      <input
        type="search"
        className="toolbar-search"
        placeholder={t('filter.search')}
        aria-label={t('filter.search')}
        value={text}
        onChange={(e) => onText(e.target.value)}
        data-testid="filter-text"
      />
      <select
        aria-label={t('filter.status')}
        value={status}
        onChange={(e) => onStatus(e.target.value as Status | '')}
        data-testid="filter-status"
      >
        <option value="">{t('filter.allStatuses')}</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {t(`status.${s}`)}
          </option>
        ))}
      </select>
      <button type="button" className="btn" onClick={onRefresh} disabled={loading} data-testid="refresh">
        {t('common.refresh')}
      </button>
    </div>
  );
}

export function BoxPage({ box }: { box: 'inbox' | 'outbox' }) {
  const { t } = useI18n();
  const title = t(`nav.${box}`);
  usePageTitle(title);
  const packages = useResource(() => api.packages(box), [box]);
  const [text, setText] = useState('');
  const [status, setStatus] = useState<Status | ''>('');
  const items = useMemo(() => filterPackages(packages.data ?? [], text, status), [packages.data, text, status]);

  return (
    <section data-testid={`page-${box}`}>
      <PageHeader title={title} subtitle={t(`${box}.subtitle`)} />
      <FilterBar
        text={text}
        status={status}
        onText={setText}
        onStatus={setStatus}
        onRefresh={packages.reload}
        loading={packages.loading}
      />
      {packages.error && <ProblemAlert error={packages.error} onRetry={packages.reload} />}
      {packages.data ? (
        <PackageTable
          items={items}
          testId={`${box}-table`}
          empty={packages.data.length === 0 ? t(`${box}.empty`) : t('filter.noMatch')}
        />
      ) : (
        !packages.error && <Loading />
      )}
    </section>
  );
}
