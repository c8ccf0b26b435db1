import { useState } from 'react';
import { toApiError, type ApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { InclusionProof, LedgerHead, LedgerLeaf, LedgerVerifyReport } from '../api/types';
import { Empty, Loading, PageHeader } from '../components/Feedback';
import { usePartyName } from '../components/Party';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { formatDateTime, formatNumber } from '../lib/format';
import { browserCanVerify, verifyInclusion } from '../lib/merkle';
import { usePageTitle } from '../lib/usePageTitle';
import { useResource } from '../lib/useResource';

/** How many of the newest leaves the page lists. */
const LEAF_PAGE = 25;

const field = (leaf: LedgerLeaf, name: string): string => {
  const value = leaf.event[name];
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '—';
};

interface ProofState {
  index: number;
  proof?: InclusionProof;
  error?: ApiError;
  /** true / false: checked in this browser; undefined: WebCrypto unavailable, the server's word only. */
  browserOk?: boolean;
  /** The proof's root is the root of the latest head listed on this page. */
  matchesHead?: boolean;
}

export function AuditorPage() {
  const { t, lang } = useI18n();
  const nameOf = usePartyName();
  usePageTitle(t('nav.auditor'));
  const record = useResource(async () => {
    const heads = await api.ledgerHeads();
    const from = Math.max(0, heads.size - LEAF_PAGE);
    const leaves = heads.size > 0 ? await api.ledgerLeaves(from, LEAF_PAGE) : { size: 0, leaves: [] };
    return { heads, leaves: [...leaves.leaves].reverse() };
  }, []);
  const [report, setReport] = useState<LedgerVerifyReport | null>(null);
  const [verifyError, setVerifyError] = useState<ApiError | null>(null);
  const [verifying, setVerifying] = useState(false);
  const [proof, setProof] = useState<ProofState | null>(null);

  const latest: LedgerHead | undefined = record.data?.heads.heads[0];

  const verify = async () => {
    setVerifying(true);
    setVerifyError(null);
    try {
      setReport(await api.verifyLedger());
    } catch (err) {
      setReport(null);
      setVerifyError(toApiError(err));
    } finally {
      setVerifying(false);
    }
  };

  const showProof = async (index: number) => {
    setProof({ index });
    try {
      const p = await api.inclusionProof(index);
      const browserOk = await verifyInclusion(p.index, p.treeSize, p.leafHash, p.proof, p.rootHash);
      const head = record.data?.heads.heads.find((h) => h.treeSize === p.treeSize);
      setProof({
        index,
        proof: p,
        ...(browserOk === undefined ? {} : { browserOk }),
        ...(head ? { matchesHead: head.rootHash === p.rootHash } : {}),
      });
    } catch (err) {
      setProof({ index, error: toApiError(err) });
    }
  };

  return (
    <section data-testid="page-auditor">
      <PageHeader
        title={t('auditor.title')}
        subtitle={t('auditor.subtitle')}
        actions={
          <>
            <button
              type="button"
              className="btn btn-primary"
              onClick={() => void verify()}
              disabled={verifying}
              data-testid="auditor-verify"
            >
              {verifying ? t('auditor.verifying') : t('auditor.verify')}
            </button>
            <button
              type="button"
              className="btn"
              onClick={record.reload}
              disabled={record.loading}
              data-testid="refresh"
            >
              {t('common.refresh')}
            </button>
          </>
        }
      />

      {verifyError && <ProblemAlert error={verifyError} testId="auditor-verify-error" />}
      {report && (
        <div
          className={report.ok ? 'alert alert-success' : 'alert alert-error'}
          role="status"
          data-testid="auditor-verify-result"
          data-ok={String(report.ok)}
        >
          <div>
            <strong className="alert-title" data-testid="auditor-verify-verdict">
              {report.ok ? t('auditor.intact') : t('auditor.broken')}
            </strong>
            <div className="alert-detail" data-testid="auditor-verify-counts">
              {t('auditor.checked', {
                leaves: formatNumber(report.leaves, lang),
                heads: formatNumber(report.heads, lang),
                countersignatures: formatNumber(report.countersignatures, lang),
                peerHeads: formatNumber(report.peerHeads, lang),
              })}
            </div>
            {report.firstBroken && (
              <div className="alert-detail" data-testid="auditor-first-broken" data-kind={report.firstBroken.kind}>
                {t('auditor.firstBroken')}: <strong>{report.firstBroken.entry}</strong> — {report.firstBroken.problem}
              </div>
            )}
          </div>
        </div>
      )}

      {record.error && <ProblemAlert error={record.error} onRetry={record.reload} />}
      {!record.data && !record.error && <Loading />}

      {record.data && (
        <>
          <article className="panel" data-testid="auditor-heads">
            <header className="panel-header">
              <h2>{t('auditor.heads')}</h2>
              <span className="muted" data-testid="auditor-size">
                {t('auditor.size', { size: formatNumber(record.data.heads.size, lang) })}
              </span>
            </header>
            <div className="panel-body">
              {record.data.heads.heads.length === 0 ? (
                <Empty testId="auditor-heads-empty">{t('auditor.noHeads')}</Empty>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="auditor-heads-table">
                    <thead>
                      <tr>
                        <th>{t('auditor.treeSize')}</th>
                        <th>{t('auditor.rootHash')}</th>
                        <th>{t('auditor.signedAt')}</th>
                        <th>{t('auditor.countersignature')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {record.data.heads.heads.map((h) => (
                        <tr key={h.treeSize} data-testid={`head-row-${h.treeSize}`}>
                          <td>{formatNumber(h.treeSize, lang)}</td>
                          <td>
                            <code className="hash" title={h.rootHash} data-testid={`head-root-${h.treeSize}`}>
                              {h.rootHash}
                            </code>
                          </td>
                          <td className="nowrap">{formatDateTime(h.timestamp, lang)}</td>
                          <td
                            data-testid={`head-countersigned-${h.treeSize}`}
                            data-countersigned={String(h.countersignatures.length > 0)}
                          >
                            {h.countersignatures.length === 0 ? (
                              <span className="badge badge-warn">{t('auditor.awaiting')}</span>
                            ) : (
                              h.countersignatures.map((c) => (
                                <span
                                  key={`${c.party}-${c.kid}`}
                                  className="badge badge-ok"
                                  title={`${c.kid} · ${formatDateTime(c.receivedAt, lang)}`}
                                  data-testid={`head-countersignature-${h.treeSize}-${c.party}`}
                                >
                                  {t('auditor.countersignedBy', { peer: `${nameOf(c.party)} (${c.party})` })}
                                </span>
                              ))
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </article>

          {record.data.heads.peerHeads.length > 0 && (
            <article className="panel" data-testid="auditor-peer-heads">
              <header className="panel-header">
                <h2>{t('auditor.peerHeads')}</h2>
              </header>
              <div className="panel-body">
                <div className="table-wrap">
                  <table className="table" data-testid="auditor-peer-heads-table">
                    <thead>
                      <tr>
                        <th>{t('auditor.party')}</th>
                        <th>{t('auditor.treeSize')}</th>
                        <th>{t('auditor.rootHash')}</th>
                        <th>{t('auditor.signedAt')}</th>
                        <th>{t('auditor.consistency')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {record.data.heads.peerHeads.map((p) => (
                        <tr key={`${p.party}-${p.treeSize}`} data-testid={`peer-head-row-${p.party}-${p.treeSize}`}>
                          <td>
                            {nameOf(p.party)} <span className="party-code">{p.party}</span>
                          </td>
                          <td>{formatNumber(p.treeSize, lang)}</td>
                          <td>
                            <code className="hash" title={p.rootHash}>
                              {p.rootHash}
                            </code>
                          </td>
                          <td className="nowrap">{formatDateTime(p.timestamp, lang)}</td>
                          <td>
                            {p.consistencyFrom === null
                              ? t('auditor.firstHead')
                              : t('auditor.consistentFrom', { size: formatNumber(p.consistencyFrom, lang) })}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
              </div>
            </article>
          )}

          <article className="panel" data-testid="auditor-leaves">
            <header className="panel-header">
              <h2>{t('auditor.leaves')}</h2>
            </header>
            <div className="panel-body">
              {record.data.leaves.length === 0 ? (
                <Empty testId="auditor-leaves-empty">{t('auditor.noLeaves')}</Empty>
              ) : (
                <div className="table-wrap">
                  <table className="table" data-testid="auditor-leaves-table">
                    <thead>
                      <tr>
                        <th>{t('auditor.index')}</th>
                        <th>{t('auditor.time')}</th>
                        <th>{t('auditor.eventType')}</th>
                        <th>{t('auditor.peer')}</th>
                        <th>{t('auditor.seq')}</th>
                        <th>{t('auditor.proof')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {record.data.leaves.map((leaf) => {
                        const signed = !!latest && leaf.index < latest.treeSize;
                        return (
                          <tr
                            key={leaf.index}
                            data-testid={`leaf-row-${leaf.index}`}
                            data-event-type={leaf.eventType}
                            className={proof?.index === leaf.index ? 'row-selected' : undefined}
                          >
                            <td>{leaf.index}</td>
                            <td className="nowrap">{formatDateTime(leaf.at, lang)}</td>
                            <td>
                              <code>{leaf.eventType}</code>
                              {typeof leaf.event.messageType === 'string' && (
                                <span className="muted small"> · {leaf.event.messageType}</span>
                              )}
                            </td>
                            <td>{field(leaf, 'peer')}</td>
                            <td>{field(leaf, 'seq')}</td>
                            <td>
                              {signed ? (
                                <button
                                  type="button"
                                  className="btn btn-small"
                                  onClick={() => void showProof(leaf.index)}
                                  data-testid={`leaf-proof-${leaf.index}`}
                                >
                                  {t('auditor.showProof')}
                                </button>
                              ) : (
                                <span className="muted small" data-testid={`leaf-unsigned-${leaf.index}`}>
                                  {t('auditor.notYetSigned')}
                                </span>
                              )}
                            </td>
                          </tr>
                        );
                      })}
                    </tbody>
                  </table>
                </div>
              )}
            </div>
          </article>

          {proof && <ProofPanel state={proof} />}
        </>
      )}
    </section>
  );
}

function ProofPanel({ state }: { state: ProofState }) {
  const { t, lang } = useI18n();
  const { proof, error } = state;
  return (
    <article className="panel" data-testid="auditor-proof" data-index={state.index}>
      <header className="panel-header">
        <h2>{t('auditor.proofTitle', { index: state.index })}</h2>
      </header>
      <div className="panel-body">
        {error && <ProblemAlert error={error} testId="auditor-proof-error" />}
        {!proof && !error && <Loading />}
        {proof && (
          <>
            <dl className="stats">
              <div>
                <dt>{t('auditor.treeSize')}</dt>
                <dd data-testid="auditor-proof-tree-size">{formatNumber(proof.treeSize, lang)}</dd>
              </div>
            </dl>
            <p>
              <span className="label">{t('auditor.leafHash')}</span>{' '}
              <code data-testid="auditor-proof-leaf">{proof.leafHash}</code>
            </p>
            <p>
              <span className="label">{t('auditor.rootHash')}</span>{' '}
              <code data-testid="auditor-proof-root">{proof.rootHash}</code>
            </p>
            <p className="label">{t('auditor.auditPath')}</p>
            {proof.proof.length === 0 ? (
              <p className="muted" data-testid="auditor-proof-path-empty">
                {t('auditor.emptyPath')}
              </p>
            ) : (
              <ol className="mono small" data-testid="auditor-proof-path">
                {proof.proof.map((hash, i) => (
                  <li key={i} data-testid={`auditor-proof-hash-${i}`}>
                    {hash}
                  </li>
                ))}
              </ol>
            )}
            <div
              className={
                state.browserOk === false || state.matchesHead === false
                  ? 'alert alert-error'
                  : state.browserOk
                    ? 'alert alert-success'
                    : 'alert alert-info'
              }
              data-testid="auditor-proof-check"
              data-browser={state.browserOk === undefined ? 'unavailable' : String(state.browserOk)}
              data-matches-head={state.matchesHead === undefined ? 'unknown' : String(state.matchesHead)}
            >
              <span>
                {state.browserOk === undefined
                  ? browserCanVerify()
                    ? t('auditor.serverOnly')
                    : t('auditor.noWebCrypto')
                  : state.browserOk
                    ? t('auditor.browserVerified')
                    : t('auditor.browserFailed')}
                {state.matchesHead === false && ` ${t('auditor.rootMismatch')}`}
              </span>
            </div>
          </>
        )}
      </div>
    </article>
  );
}
