import { useState, type ReactNode } from 'react';
import { toApiError, type ApiError } from '../api/client';
import { api } from '../api/endpoints';
import {
  LIFECYCLE,
  type Entity,
  type HistoryEntry,
  type Marking,
  type Package,
  type PackageAction,
} from '../api/types';
import { GradeBadge, KindLabel, OverdueBadge, StatusBadge, TlpBadge } from '../components/Badges';
import { Dialog } from '../components/Dialog';
import { Empty, Loading, Notice } from '../components/Feedback';
import { PackageTable } from '../components/PackageTable';
import { Party } from '../components/Party';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { formatBytes, formatDateTime } from '../lib/format';
import { can } from '../lib/roles';
import { Link, packagePath } from '../lib/router';
import { entityCaption, resolveRef, SCHEMAS } from '../lib/schemas';
import { usePageTitle } from '../lib/usePageTitle';
import { useResource } from '../lib/useResource';
import { useMe } from '../session';

type DialogKind = 'send' | 'close' | 'retract';
const OPEN_STATUSES = new Set(['sent', 'delivered', 'acknowledged', 'answered']);

/** For an outgoing package not yet sent: the party each item must be releasable to. */
type ReleaseCheck = string | null;

function MarkingCell({ marking, mustReach = null }: { marking: Marking; mustReach?: ReleaseCheck }) {
  const { t } = useI18n();
  const blocked = mustReach !== null && !marking.releasableTo.includes(mustReach);
  return (
    <span className="marking">
      <TlpBadge tlp={marking.tlp} />
      <span className="releasable">
        {marking.releasableTo.map((p) => (
          <Party key={p} code={p} />
        ))}
      </span>
      {blocked && (
        <span className="badge badge-blocked" data-testid="not-releasable">
          {t('release.notTo', { party: mustReach })}
        </span>
      )}
    </span>
  );
}

function Section({
  title,
  children,
  testId,
  aside,
}: {
  title: string;
  children: ReactNode;
  testId: string;
  aside?: ReactNode;
}) {
  return (
    <section className="panel" data-testid={testId}>
      <header className="panel-header">
        <h2>{title}</h2>
        {aside}
      </header>
      <div className="panel-body">{children}</div>
    </section>
  );
}

function EntitiesTable({ entities, mustReach }: { entities: Entity[]; mustReach: ReleaseCheck }) {
  const { t } = useI18n();
  if (entities.length === 0) return <Empty testId="entities-empty">{t('package.noEntities')}</Empty>;
  return (
    <div className="table-wrap">
      <table className="table" data-testid="entities-table">
        <thead>
          <tr>
            <th scope="col">{t('entity.schema')}</th>
            <th scope="col">{t('entity.caption')}</th>
            <th scope="col">{t('entity.properties')}</th>
            <th scope="col">{t('entity.marking')}</th>
          </tr>
        </thead>
        <tbody>
          {entities.map((entity) => {
            const caption = entityCaption(entity, entities);
            const nameProp = SCHEMAS[entity.schema]?.nameProperty ?? 'name';
            const props = Object.entries(entity.properties).filter(
              ([key, values]) =>
                values.length > 0 &&
                !(key === nameProp && values[0] === caption) &&
                !(key === 'name' && values[0] === caption),
            );
            return (
              <tr
                key={entity.id}
                id={`entity-${entity.id}`}
                className={
                  mustReach !== null && !entity.marking.releasableTo.includes(mustReach) ? 'row-blocked' : undefined
                }
                data-testid={`entity-row-${entity.id}`}
              >
                <td>
                  <span className="schema">{t(`schema.${entity.schema}`, { defaultValue: entity.schema })}</span>
                </td>
                <td className="entity-caption">
                  <strong>{caption}</strong>
                  <div className="mono small muted">{entity.id}</div>
                </td>
                <td>
                  {props.length === 0 ? (
                    <span className="muted">—</span>
                  ) : (
                    <dl className="props">
                      {props.map(([key, values]) => (
                        <div key={key}>
                          <dt>{t(`prop.${key}`, { defaultValue: key })}</dt>
                          <dd>{values.map((v) => resolveRef(v, entities)).join(', ')}</dd>
                        </div>
                      ))}
                    </dl>
                  )}
                </td>
                <td>
                  <MarkingCell marking={entity.marking} mustReach={mustReach} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

function describeActor(actor: unknown): string {
  if (typeof actor === 'string') return actor;
  if (actor && typeof actor === 'object') {
    const a = actor as Record<string, unknown>;
    for (const key of ['displayName', 'username', 'label', 'party', 'kind']) {
      if (typeof a[key] === 'string') return key === 'party' ? `peer:${a[key]}` : (a[key] as string);
    }
  }
  return actor === null || actor === undefined ? '—' : JSON.stringify(actor);
}

function describeDetails(details: unknown): string {
  if (details === null || details === undefined) return '';
  if (typeof details === 'string') return details;
  if (typeof details !== 'object' || Array.isArray(details)) return JSON.stringify(details);
  return Object.entries(details)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join(' · ');
}

function HistoryTable({ entries }: { entries: HistoryEntry[] }) {
  const { t, lang } = useI18n();
  if (entries.length === 0) return <Empty testId="history-empty">{t('package.noHistory')}</Empty>;
  return (
    <div className="table-wrap">
      <table className="table history" data-testid="history-table">
        <thead>
          <tr>
            <th scope="col">{t('history.at')}</th>
            <th scope="col">{t('history.actor')}</th>
            <th scope="col">{t('history.action')}</th>
            <th scope="col">{t('history.details')}</th>
          </tr>
        </thead>
        <tbody>
          {entries.map((entry) => (
            <tr key={entry.id} data-testid={`history-row-${entry.id}`}>
              <td className="nowrap">
                <time dateTime={entry.at} title={entry.at}>
                  {formatDateTime(entry.at, lang)}
                </time>
              </td>
              <td>{describeActor(entry.actor)}</td>
              <td>
                <code>{entry.action}</code>
              </td>
              <td className="history-details">
                <code>{describeDetails(entry.details)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function PackagePage({ id }: { id: string }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const pkg = useResource(() => api.package(id), [id]);
  const history = useResource(() => api.history(id), [id]);
  const [busy, setBusy] = useState<PackageAction | 'retract' | null>(null);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [dialog, setDialog] = useState<DialogKind | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  usePageTitle(pkg.data?.title || t('package.title'));

  if (!pkg.data) {
    return (
      <section data-testid="page-package">
        {pkg.error ? (
          <>
            <ProblemAlert error={pkg.error} onRetry={pkg.reload} />
            <Link to="/inbox">{t('package.backToInbox')}</Link>
          </>
        ) : (
          <Loading />
        )}
      </section>
    );
  }
  const p: Package = pkg.data;
  const outgoing = p.direction === 'outgoing';
  const mayAct = can(me.user, 'act');
  const isAuthor = !!p.createdBy && p.createdBy.id === me.user.id;

  const run = async (action: PackageAction | 'retract', reason = '') => {
    setBusy(action);
    setActionError(null);
    setNotice(null);
    try {
      const updated = action === 'retract' ? await api.retract(p.id, reason) : await api.act(p.id, action);
      pkg.setData(updated);
      history.reload();
      setNotice(t(`package.done.${action}`));
      setDialog(null);
    } catch (err) {
      setActionError(toApiError(err));
    } finally {
      setBusy(null);
    }
  };

  const showApprove = outgoing && p.status === 'draft' && mayAct;
  const showSend = outgoing && p.status === 'approved' && mayAct;
  const showAck = !outgoing && p.status === 'delivered' && mayAct;
  const showReply = !outgoing && p.kind === 'request' && OPEN_STATUSES.has(p.status) && can(me.user, 'create');
  const showClose = outgoing && OPEN_STATUSES.has(p.status) && mayAct;
  const showRetract = outgoing && (OPEN_STATUSES.has(p.status) || p.status === 'closed') && mayAct;
  const anyAction = showApprove || showSend || showAck || showReply || showClose || showRetract;
  const replyTo = `/compose?kind=response&inReplyTo=${encodeURIComponent(p.id)}`;
  // Release check preview: the server refuses to approve or send what the recipient may not receive.
  const mustReach: ReleaseCheck = outgoing && (p.status === 'draft' || p.status === 'approved') ? p.counterparty : null;
  const blockedItems =
    mustReach === null
      ? 0
      : [
          { releasableTo: p.releasableTo },
          p.narrative.marking,
          ...p.entities.map((e) => e.marking),
          ...p.attachments.map((a) => a.marking),
        ].filter((m) => !m.releasableTo.includes(mustReach)).length;

  return (
    <section data-testid="page-package" data-package-id={p.id} data-status={p.status} data-direction={p.direction}>
      <div className="breadcrumb">
        <Link
          to={outgoing ? (p.status === 'draft' || p.status === 'approved' ? '/drafts' : '/outbox') : '/inbox'}
          data-testid="package-back"
        >
          ←{' '}
          {t(outgoing ? (p.status === 'draft' || p.status === 'approved' ? 'nav.drafts' : 'nav.outbox') : 'nav.inbox')}
        </Link>
        <span className="breadcrumb-tools">
          {p.status === 'sent' && outgoing && <span className="muted small">{t('package.awaitingDelivery')}</span>}
          <button
            type="button"
            className="btn btn-small"
            onClick={() => {
              pkg.reload();
              history.reload();
            }}
            disabled={pkg.loading}
            data-testid="package-refresh"
          >
            {t('common.refresh')}
          </button>
        </span>
      </div>

      <header className="package-header">
        <div className="package-kicker">
          <KindLabel kind={p.kind} />
          <span className={`direction direction-${p.direction}`}>
            {t(outgoing ? 'package.to' : 'package.from')} <Party code={p.counterparty} full />
          </span>
        </div>
        <h1 data-testid="package-title">{p.title || t('common.untitled')}</h1>
        <div className="package-meta">
          <StatusBadge status={p.status} testId="package-status" />
          <TlpBadge tlp={p.tlp} testId="package-tlp" />
          <span className="meta-item" data-testid="package-releasable">
            <span className="label">{t('package.releasableTo')}</span>
            {p.releasableTo.length ? p.releasableTo.map((code) => <Party key={code} code={code} />) : '—'}
          </span>
          <span className="meta-item">
            <span className="label">{t('package.grade')}</span>
            <GradeBadge grade={p.grade} testId="package-grade" />
          </span>
          {p.dueDate && (
            <span className="meta-item" data-testid="package-due">
              <span className="label">{t('package.due')}</span>
              <span className={p.overdue ? 'due-date is-overdue' : 'due-date'}>{p.dueDate}</span>
              {p.overdue && <OverdueBadge testId="package-overdue" />}
            </span>
          )}
        </div>
        {p.inReplyTo && (
          <p className="package-reply-to">
            {t('package.inReplyTo')}{' '}
            <Link to={packagePath(p.inReplyTo)} data-testid="package-in-reply-to">
              {p.inReplyTo}
            </Link>
          </p>
        )}
      </header>

      {p.status === 'retracted' && (
        <div className="alert alert-error" data-testid="package-retracted">
          <strong>{t('package.retractedBanner')}</strong>
          {p.retractionReason && <p className="alert-detail">{p.retractionReason}</p>}
        </div>
      )}

      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      {actionError && !dialog && <ProblemAlert error={actionError} testId="action-error" />}

      {blockedItems > 0 && (
        <div className="alert alert-warning" role="alert" data-testid="release-warning">
          <strong className="alert-title">{t('release.title', { party: p.counterparty })}</strong>
          <span>{t('release.body', { count: blockedItems, party: p.counterparty })}</span>
        </div>
      )}

      {(anyAction || (outgoing && p.status === 'draft')) && (
        <div className="action-bar" data-testid="package-actions">
          {showApprove && (
            <button
              type="button"
              className="btn btn-primary"
              disabled={isAuthor || busy !== null}
              aria-describedby={isAuthor ? 'four-eyes-note' : undefined}
              onClick={() => void run('approve')}
              data-testid="action-approve"
            >
              {busy === 'approve' ? t('common.working') : t('package.action.approve')}
            </button>
          )}
          {showSend && (
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy !== null}
              onClick={() => setDialog('send')}
              data-testid="action-send"
            >
              {t('package.action.send')}
            </button>
          )}
          {showAck && (
            <button
              type="button"
              className="btn btn-primary"
              disabled={busy !== null}
              onClick={() => void run('acknowledge')}
              data-testid="action-acknowledge"
            >
              {busy === 'acknowledge' ? t('common.working') : t('package.action.acknowledge')}
            </button>
          )}
          {showReply && (
            <Link to={replyTo} className="btn btn-primary" data-testid="action-reply">
              {t('package.action.reply')}
            </Link>
          )}
          {showClose && (
            <button
              type="button"
              className="btn"
              disabled={busy !== null}
              onClick={() => setDialog('close')}
              data-testid="action-close"
            >
              {t('package.action.close')}
            </button>
          )}
          {showRetract && (
            <button
              type="button"
              className="btn btn-danger"
              disabled={busy !== null}
              onClick={() => setDialog('retract')}
              data-testid="action-retract"
            >
              {t('package.action.retract')}
            </button>
          )}
          {outgoing && p.status === 'draft' && (
            <p
              id="four-eyes-note"
              className={isAuthor ? 'four-eyes-note is-author' : 'four-eyes-note'}
              data-testid="four-eyes-note"
            >
              {isAuthor
                ? t('fourEyes.authorNote')
                : mayAct
                  ? t('fourEyes.reviewNote')
                  : t('fourEyes.needsApproverNote')}
            </p>
          )}
        </div>
      )}

      <div className="package-grid">
        <div className="package-main">
          <Section
            title={t('package.narrative')}
            testId="package-narrative"
            aside={<MarkingCell marking={p.narrative.marking} mustReach={mustReach} />}
          >
            {p.narrative.text ? <div className="narrative">{p.narrative.text}</div> : <span className="muted">—</span>}
          </Section>

          <Section title={t('package.entities', { count: p.entities.length })} testId="package-entities">
            <EntitiesTable entities={p.entities} mustReach={mustReach} />
          </Section>

          <Section title={t('package.attachments', { count: p.attachments.length })} testId="package-attachments">
            {p.attachments.length === 0 ? (
              <Empty testId="attachments-empty">{t('package.noAttachments')}</Empty>
            ) : (
              <div className="table-wrap">
                <table className="table" data-testid="attachments-table">
                  <thead>
                    <tr>
                      <th scope="col">{t('attachment.name')}</th>
                      <th scope="col">{t('attachment.size')}</th>
                      <th scope="col">SHA-256</th>
                      <th scope="col">{t('entity.marking')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {p.attachments.map((a) => (
                      <tr key={a.id} data-testid={`attachment-row-${a.id}`}>
                        <td>
                          {a.name}
                          <div className="small muted">{a.mediaType}</div>
                        </td>
                        <td className="nowrap">{formatBytes(a.size, lang)}</td>
                        <td>
                          <code className="hash" title={a.sha256}>
                            {a.sha256}
                          </code>
                        </td>
                        <td>
                          <MarkingCell marking={a.marking} mustReach={mustReach} />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </Section>

          {outgoing && (
            <section className="panel panel-internal" data-testid="package-internal-notes">
              <header className="panel-header">
                <h2>{t('package.internalNotes')}</h2>
                <span className="badge badge-internal">{t('package.internalLabel')}</span>
              </header>
              <div className="panel-body">
                {p.internalNotes ? (
                  <div className="narrative">{p.internalNotes}</div>
                ) : (
                  <span className="muted">{t('package.noInternalNotes')}</span>
                )}
              </div>
            </section>
          )}

          {(p.responses.length > 0 || p.kind === 'request') && (
            <Section title={t('package.responses')} testId="package-responses">
              <PackageTable items={p.responses} testId="responses-table" empty={t('package.noResponses')} />
            </Section>
          )}
        </div>

        <aside className="package-side">
          <Section title={t('package.timeline')} testId="package-timeline">
            <ol className="timeline">
              {LIFECYCLE.map((step) => {
                const at = step === 'createdAt' ? (p.timestamps.createdAt ?? p.createdAt) : p.timestamps[step];
                if (step === 'retractedAt' && !at) return null;
                return (
                  <li key={step} className={at ? 'done' : 'todo'} data-testid={`timeline-${step}`}>
                    <span className="timeline-dot" aria-hidden="true" />
                    <span className="timeline-label">{t(`timeline.${step}`)}</span>
                    <span className="timeline-time">
                      {at ? (
                        <time dateTime={at} title={at}>
                          {formatDateTime(at, lang)}
                        </time>
                      ) : (
                        '—'
                      )}
                    </span>
                  </li>
                );
              })}
            </ol>
          </Section>
          <Section title={t('package.details')} testId="package-details">
            <dl className="details">
              <div>
                <dt>{t('package.id')}</dt>
                <dd className="mono" data-testid="package-id">
                  {p.id}
                </dd>
              </div>
              <div>
                <dt>{t('package.origin')}</dt>
                <dd>
                  <Party code={p.originParty} full />
                </dd>
              </div>
              <div>
                <dt>{t('package.createdBy')}</dt>
                <dd>{p.createdBy?.displayName ?? (outgoing ? '—' : t('package.peerAuthor'))}</dd>
              </div>
              <div>
                <dt>{t('package.approvedBy')}</dt>
                <dd data-testid="package-approved-by">{p.approvedBy?.displayName ?? '—'}</dd>
              </div>
              <div>
                <dt>{t('package.gradeMeaning')}</dt>
                <dd>
                  {t(`grade.source.${p.grade.source}`)} · {t(`grade.info.${p.grade.info}`)}
                </dd>
              </div>
              {p.contentHash && (
                <div>
                  <dt>{t('package.contentHash')}</dt>
                  <dd>
                    <code className="hash" title={p.contentHash} data-testid="package-content-hash">
                      {p.contentHash}
                    </code>
                  </dd>
                </div>
              )}
            </dl>
          </Section>
        </aside>
      </div>

      <Section title={t('package.history')} testId="package-history">
        {history.error ? (
          <ProblemAlert error={history.error} testId="history-error" />
        ) : history.data ? (
          <HistoryTable entries={history.data} />
        ) : (
          <Loading />
        )}
      </Section>

      {dialog && (
        <Dialog
          title={t(`package.confirm.${dialog}.title`)}
          message={t(`package.confirm.${dialog}.message`, { peer: p.counterparty })}
          confirmLabel={t(`package.action.${dialog}`)}
          {...(dialog === 'retract'
            ? { reason: { label: t('package.confirm.retract.reason'), hint: t('package.confirm.retract.hint') } }
            : {})}
          danger={dialog === 'retract'}
          busy={busy !== null}
          error={actionError && <ProblemAlert error={actionError} testId="dialog-error" />}
          onConfirm={(reason) => void run(dialog, reason)}
          onCancel={() => {
            setDialog(null);
            setActionError(null);
          }}
        />
      )}
    </section>
  );
}
