import { useState } from 'react';
import { toApiError, type ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Channel } from '../api/types';
import { Dialog } from '../components/Dialog';
import { Empty, Loading, Notice, PageHeader } from '../components/Feedback';
import { usePartyName } from '../components/Party';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { formatDateTime, formatNumber, partyName } from '../lib/format';
import { can } from '../lib/roles';
import { usePageTitle } from '../lib/usePageTitle';
import { useResource } from '../lib/useResource';
import { useMe, useSession } from '../session';

type Pending = { kind: 'suspend' | 'resume'; peer: string };

export function ChannelsPage() {
  const { t, lang } = useI18n();
  const me = useMe();
  const session = useSession();
  const nameOf = usePartyName();
  usePageTitle(t('nav.channels'));
  const channels = useResource(() => api.channels(), []);
  const [pending, setPending] = useState<Pending | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<ApiError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const mayManage = can(me.user, 'channel');
  const us = partyName(me.party.names, lang, me.party.code);

  const run = async (reason: string) => {
    if (!pending) return;
    setBusy(true);
    setActionError(null);
    try {
      const updated =
        pending.kind === 'suspend'
          ? await api.suspendChannel(pending.peer, reason)
          : await api.resumeChannel(pending.peer);
      channels.setData((channels.data ?? []).map((c) => (c.peer === updated.peer ? updated : c)));
      session.updateChannel(updated);
      session.reloadChannels();
      setNotice(
        t(pending.kind === 'suspend' ? 'channels.suspendedNotice' : 'channels.resumedNotice', {
          peer: nameOf(pending.peer),
        }),
      );
      setPending(null);
    } catch (err) {
      setActionError(toApiError(err));
    } finally {
      setBusy(false);
    }
  };

  const state = (c: Channel) => {
    if (c.suspendedByUs && c.suspendedByPeer) return { cls: 'badge badge-warn', label: t('channels.suspendedBoth') };
    if (c.suspendedByUs) return { cls: 'badge badge-warn', label: t('channels.suspendedByUs') };
    if (c.suspendedByPeer)
      return { cls: 'badge badge-warn', label: t('channels.suspendedByPeer', { peer: nameOf(c.peer) }) };
    return { cls: 'badge badge-ok', label: t('channels.active') };
  };

  return (
    <section data-testid="page-channels">
      <PageHeader
        title={t('nav.channels')}
        subtitle={t('channels.subtitle')}
        actions={
          <button
            type="button"
            className="btn"
            onClick={channels.reload}
            disabled={channels.loading}
            data-testid="refresh"
          >
            {t('common.refresh')}
          </button>
        }
      />
      {notice && <Notice onDismiss={() => setNotice(null)}>{notice}</Notice>}
      {channels.error && <ProblemAlert error={channels.error} onRetry={channels.reload} />}
      {!channels.data && !channels.error && <Loading />}
      {channels.data && channels.data.length === 0 && <Empty testId="channels-empty">{t('channels.empty')}</Empty>}
      <div className="cards">
        {channels.data?.map((c) => {
          const s = state(c);
          const suspended = c.suspendedByUs || c.suspendedByPeer;
          return (
            <article
              key={c.peer}
              className={suspended ? 'card channel is-suspended' : 'card channel'}
              data-testid={`channel-${c.peer}`}
            >
              <header className="card-header">
                <h2>
                  {us} ↔ {nameOf(c.peer)} <span className="party-code">{c.peer}</span>
                </h2>
                <span className={s.cls} data-testid={`channel-state-${c.peer}`}>
                  {s.label}
                </span>
              </header>
              {suspended && (
                <div className="channel-suspension" data-testid={`channel-reason-${c.peer}`}>
                  <div>
                    <span className="label">{t('channels.reason')}</span> {c.reason || '—'}
                  </div>
                  <div>
                    <span className="label">{t('channels.since')}</span> {formatDateTime(c.suspendedAt, lang)}
                  </div>
                </div>
              )}
              <dl className="stats">
                <div>
                  <dt>{t('channels.pendingOut')}</dt>
                  <dd data-testid={`channel-pending-${c.peer}`}>{formatNumber(c.pendingOut, lang)}</dd>
                </div>
                <div>
                  <dt>{t('channels.deliveredOut')}</dt>
                  <dd>{formatNumber(c.deliveredOut, lang)}</dd>
                </div>
                <div>
                  <dt>{t('channels.receivedIn')}</dt>
                  <dd>{formatNumber(c.receivedIn, lang)}</dd>
                </div>
                <div>
                  <dt>{t('channels.lastOutSeq')}</dt>
                  <dd>{c.lastOutSeq}</dd>
                </div>
                <div>
                  <dt>{t('channels.lastInSeq')}</dt>
                  <dd>{c.lastInSeq}</dd>
                </div>
                <div>
                  <dt>{t('channels.oldestPending')}</dt>
                  <dd>{formatDateTime(c.oldestPendingAt, lang)}</dd>
                </div>
              </dl>
              <div className="channel-error">
                <span className="label">{t('channels.lastError')}</span>{' '}
                {c.lastError ? (
                  <code className="error-text" data-testid={`channel-error-${c.peer}`}>
                    {c.lastError}
                  </code>
                ) : (
                  <span className="muted">{t('channels.noError')}</span>
                )}
              </div>
              {mayManage && (
                <div className="card-actions">
                  {c.suspendedByUs ? (
                    <button
                      type="button"
                      className="btn btn-primary"
                      onClick={() => {
                        setActionError(null);
                        setPending({ kind: 'resume', peer: c.peer });
                      }}
                      data-testid={`channel-resume-${c.peer}`}
                    >
                      {t('channels.resume')}
                    </button>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-danger"
                      onClick={() => {
                        setActionError(null);
                        setPending({ kind: 'suspend', peer: c.peer });
                      }}
                      data-testid={`channel-suspend-${c.peer}`}
                    >
                      {t('channels.suspend')}
                    </button>
                  )}
                </div>
              )}
            </article>
          );
        })}
      </div>
      {pending && (
        <Dialog
          title={t(pending.kind === 'suspend' ? 'channels.suspendTitle' : 'channels.resumeTitle', {
            peer: nameOf(pending.peer),
          })}
          message={t(pending.kind === 'suspend' ? 'channels.suspendMessage' : 'channels.resumeMessage', {
            peer: nameOf(pending.peer),
          })}
          confirmLabel={t(pending.kind === 'suspend' ? 'channels.suspend' : 'channels.resume')}
          {...(pending.kind === 'suspend'
            ? { reason: { label: t('channels.reasonLabel'), hint: t('channels.reasonHint') } }
            : {})}
          danger={pending.kind === 'suspend'}
          busy={busy}
          error={actionError && <ProblemAlert error={actionError} testId="dialog-error" />}
          onConfirm={(reason) => void run(reason)}
          onCancel={() => setPending(null)}
        />
      )}
    </section>
  );
}
