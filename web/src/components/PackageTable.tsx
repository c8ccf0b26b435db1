import type { ReactNode } from 'react';
import type { PackageSummary } from '../api/types';
import { useI18n } from '../i18n';
import { formatDateTime } from '../lib/format';
import { Link, packagePath } from '../lib/router';
import { DueDate, KindLabel, StatusBadge, TlpBadge } from './Badges';
import { Empty } from './Feedback';
import { Party } from './Party';

export interface PackageTableProps {
  items: PackageSummary[];
  testId: string;
  empty: ReactNode;
  /** Show incoming/outgoing (deadlines mix both). */
  showDirection?: boolean;
  /** Show who wrote the package (drafts and approvals). */
  showAuthor?: boolean;
  /** Extra cell at the end of each row (e.g. the four-eyes state). */
  extra?: { header: string; cell: (item: PackageSummary) => ReactNode };
  /** Which time to show: when it was sent (boxes) or when it was created (drafts). */
  time?: 'sent' | 'created';
}

export function PackageTable({
  items,
  testId,
  empty,
  showDirection,
  showAuthor,
  extra,
  time = 'sent',
}: PackageTableProps) {
  const { t, lang } = useI18n();
  if (items.length === 0) return <Empty testId={`${testId}-empty`}>{empty}</Empty>;
  return (
    <div className="table-wrap">
      <table className="table packages" data-testid={testId}>
        <thead>
          <tr>
            {showDirection && <th scope="col">{t('table.direction')}</th>}
            <th scope="col">{t('table.kind')}</th>
            <th scope="col" className="col-title">
              {t('table.title')}
            </th>
            <th scope="col">{t('table.counterparty')}</th>
            <th scope="col">{t('table.status')}</th>
            <th scope="col">{t('table.tlp')}</th>
            <th scope="col">{t('table.due')}</th>
            {showAuthor && <th scope="col">{t('table.author')}</th>}
            <th scope="col">{time === 'sent' ? t('table.sent') : t('table.created')}</th>
            {extra && <th scope="col">{extra.header}</th>}
          </tr>
        </thead>
        <tbody>
          {items.map((item) => {
            const when = time === 'sent' ? (item.sentAt ?? item.createdAt) : item.createdAt;
            return (
              <tr
                key={item.id}
                className={item.overdue ? 'row-overdue' : undefined}
                data-testid={`package-row-${item.id}`}
                data-status={item.status}
              >
                {showDirection && (
                  <td>
                    <span className={`direction direction-${item.direction}`}>{t(`direction.${item.direction}`)}</span>
                  </td>
                )}
                <td>
                  <KindLabel kind={item.kind} />
                </td>
                <td className="col-title">
                  <Link to={packagePath(item.id)} data-testid={`package-link-${item.id}`}>
                    {item.title || t('common.untitled')}
                  </Link>
                </td>
                <td>
                  <Party code={item.counterparty} />
                </td>
                <td>
                  <StatusBadge status={item.status} />
                </td>
                <td>
                  <TlpBadge tlp={item.tlp} />
                </td>
                <td>
                  <DueDate dueDate={item.dueDate} overdue={item.overdue} />
                </td>
                {showAuthor && <td>{item.createdBy?.displayName ?? '—'}</td>}
                <td className="nowrap">
                  <time dateTime={when} title={when}>
                    {formatDateTime(when, lang)}
                  </time>
                  {time === 'sent' && !item.sentAt && <span className="muted small"> ({t('table.notSent')})</span>}
                </td>
                {extra && <td>{extra.cell(item)}</td>}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
