import { useMemo } from 'react';
import { api } from '../api/endpoints';
import type { PackageSummary, User } from '../api/types';
import { Loading, PageHeader } from '../components/Feedback';
import { PackageTable } from '../components/PackageTable';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { can } from '../lib/roles';
import { Link } from '../lib/router';
import { usePageTitle } from '../lib/usePageTitle';
import { useResource } from '../lib/useResource';
import { useMe } from '../session';

export type FourEyesState = 'own' | 'canApprove' | 'needsApprover' | 'approved';

/** Four-eyes: whoever wrote a package may not approve it; another liaison or administrator must. */
export function fourEyesState(item: PackageSummary, user: User): FourEyesState {
  if (item.status !== 'draft') return 'approved';
  if (item.createdBy?.id === user.id) return 'own';
  return can(user, 'act') ? 'canApprove' : 'needsApprover';
}

export function FourEyesBadge({ item, user }: { item: PackageSummary; user: User }) {
  const { t } = useI18n();
  const state = fourEyesState(item, user);
  const cls = {
    own: 'badge badge-warn',
    canApprove: 'badge badge-ok',
    needsApprover: 'badge',
    approved: 'badge badge-ok',
  }[state];
  return (
    <span className={cls} data-testid={`four-eyes-${item.id}`} data-state={state}>
      {t(`fourEyes.${state}`, { name: item.approvedBy?.displayName ?? '—' })}
    </span>
  );
}

export function DraftsPage() {
  const { t } = useI18n();
  const me = useMe();
  usePageTitle(t('nav.drafts'));
  const data = useResource(async () => {
    const [approvals, drafts] = await Promise.all([api.packages('approvals'), api.packages('drafts')]);
    return { approvals, drafts };
  }, []);

  const otherDrafts = useMemo(() => {
    if (!data.data) return [];
    const awaiting = new Set(data.data.approvals.map((p) => p.id));
    return data.data.drafts.filter((p) => !awaiting.has(p.id));
  }, [data.data]);

  const fourEyes = {
    header: t('fourEyes.header'),
    cell: (item: PackageSummary) => <FourEyesBadge item={item} user={me.user} />,
  };

  return (
    <section data-testid="page-drafts">
      <PageHeader
        title={t('nav.drafts')}
        subtitle={t('drafts.subtitle')}
        actions={
          <>
            <button type="button" className="btn" onClick={data.reload} disabled={data.loading} data-testid="refresh">
              {t('common.refresh')}
            </button>
            {can(me.user, 'create') && (
              <Link to="/compose" className="btn btn-primary" data-testid="drafts-compose">
                {t('nav.compose')}
              </Link>
            )}
          </>
        }
      />
      <div className="callout" data-testid="four-eyes-rule">
        <strong>{t('fourEyes.title')}</strong> {t('fourEyes.rule')}
      </div>
      {data.error && <ProblemAlert error={data.error} onRetry={data.reload} />}
      {data.data ? (
        <>
          <h2 className="section-title">{t('drafts.awaiting')}</h2>
          <p className="section-hint">{t('drafts.awaitingHint')}</p>
          <PackageTable
            items={data.data.approvals}
            testId="approvals-table"
            empty={t('drafts.awaitingEmpty')}
            showAuthor
            time="created"
            extra={fourEyes}
          />
          <h2 className="section-title">{t('drafts.drafts')}</h2>
          <p className="section-hint">{t('drafts.draftsHint')}</p>
          <PackageTable
            items={otherDrafts}
            testId="drafts-table"
            empty={t('drafts.draftsEmpty')}
            showAuthor
            time="created"
            extra={fourEyes}
          />
        </>
      ) : (
        !data.error && <Loading />
      )}
    </section>
  );
}
