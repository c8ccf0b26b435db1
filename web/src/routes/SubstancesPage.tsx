import { useEffect, useId, useState, type FormEvent } from 'react';
import { ApiError, toApiError } from '../api/client';
import { api } from '../api/endpoints';
import type { Classification, SubstanceVerdict } from '../api/types';
import { Loading, PageHeader } from '../components/Feedback';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { PREFILL_PARAM, storeComposePrefill } from '../lib/composePrefill';
import { localeOf } from '../i18n';
import { can } from '../lib/roles';
import { navigate, useLocation } from '../lib/router';
import { usePageTitle } from '../lib/usePageTitle';
import { useMe } from '../session';

/** Inputs worth trying: a Chinese name, a code name, an English synonym, a CAS number, a SMILES. */
const EXAMPLES = ['芬太尼', '4-ANPP', 'despropionyl fentanyl', '437-38-7', 'CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)C1'];

export const substancesPath = (q: string, asOf?: string) => {
  const params = new URLSearchParams({ q });
  if (asOf) params.set('asOf', asOf);
  return `/substances?${params.toString()}`;
};

const svgDataUrl = (svg: string) => `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;

type T = ReturnType<typeof useI18n>['t'];

const substanceName = (result: Classification, t: T) =>
  result.matches.map((m) => m.name).join(', ') || t('substances.unnamed');

/** What the alert is about: the nearest controlled neighbour, or the class whose scaffold it shares. */
function analogueOf(result: Classification): string | null {
  const analogues = result.verdicts.filter((v) => v.status === 'uncontrolled-analogue');
  const withNeighbour = analogues.find((v) => v.neighbour);
  if (withNeighbour?.neighbour) return withNeighbour.neighbour.name;
  const withClass = analogues.find((v) => v.classDefinition);
  return withClass?.classDefinition?.title ?? null;
}

function alertDraft(result: Classification, query: string, t: T) {
  const name = substanceName(result, t);
  const analogue = analogueOf(result);
  const title = analogue
    ? t('substances.alert.title', { name: analogue })
    : t('substances.alert.titlePlain', { name: result.matches.length ? name : result.canonicalSmiles });
  const narrative = [
    t('substances.alert.intro'),
    '',
    `${t('substances.name')}: ${name}`,
    `${t('substances.query')}: ${query}`,
    `SMILES: ${result.canonicalSmiles}`,
    `InChIKey: ${result.inchikey}`,
    `${t('substances.formula')}: ${result.formula}`,
    '',
    t('substances.alert.verdicts', { asOf: result.asOf, data: result.dataVersion }),
    ...result.verdicts.map(
      (v) =>
        `- ${v.jurisdiction} (${t(`substances.status.${v.status}`)}): ${v.basis}` +
        (v.neighbour
          ? ` [${t('substances.neighbour', { name: v.neighbour.name, similarity: v.neighbour.similarity.toFixed(2) })}]`
          : ''),
    ),
  ].join('\n');
  const props = [
    `smiles=${result.canonicalSmiles}`,
    `inchiKey=${result.inchikey}`,
    `formula=${result.formula}`,
    `controlStatus=${result.verdicts.map((v) => `${v.jurisdiction}: ${v.status}`).join('; ')}`,
  ].join('\n');
  return {
    title,
    narrative,
    entities: [{ schema: 'Substance', name: result.matches.length ? name : result.inchikey, props }],
  };
}

/** C22H28N2O with subscript atom counts; a charge ("+2") stays on the line. */
function Formula({ formula }: { formula: string }) {
  const parts = formula.split(/(\d+)/);
  return (
    <>
      {parts.map((part, i) =>
        i % 2 === 1 && /[A-Za-z)\]]$/.test(parts[i - 1] ?? '') ? <sub key={i}>{part}</sub> : part,
      )}
    </>
  );
}

function VerdictCard({ verdict }: { verdict: SubstanceVerdict }) {
  const { t } = useI18n();
  const j = verdict.jurisdiction;
  const id = `verdict-${j}`;
  return (
    <article className={`card verdict verdict-${verdict.status}`} data-testid={id} data-status={verdict.status}>
      <header className="card-header">
        <h2>
          {t(`substances.jurisdiction.${j}`, { defaultValue: j })} <span className="party-code">{j}</span>
        </h2>
        <span
          className={`badge substance-status substance-${verdict.status}`}
          data-testid={`${id}-status`}
          data-status={verdict.status}
        >
          {t(`substances.status.${verdict.status}`)}
        </span>
      </header>
      <p className="verdict-basis" data-testid={`${id}-basis`}>
        {verdict.basis}
      </p>
      {verdict.neighbour && (
        <p className="verdict-neighbour" data-testid={`${id}-neighbour`}>
          {t('substances.neighbour', {
            name: verdict.neighbour.name,
            similarity: verdict.neighbour.similarity.toFixed(2),
          })}
        </p>
      )}
      {verdict.classDefinition && (
        <div className="verdict-class" data-testid={`${id}-class`}>
          <div>
            <span className="label">{t('substances.classDefinition')}</span> {verdict.classDefinition.title}{' '}
            <span className="muted">({verdict.classDefinition.citation})</span>
          </div>
          {verdict.classDefinition.modifications.length > 0 && (
            <div>
              <span className="label">{t('substances.modifications')}</span>
              <ul>
                {verdict.classDefinition.modifications.map((m, i) => (
                  <li key={i}>{m}</li>
                ))}
              </ul>
            </div>
          )}
          {verdict.classDefinition.failures.length > 0 && (
            <div>
              <span className="label">{t('substances.failures')}</span>
              <ul>
                {verdict.classDefinition.failures.map((m, i) => (
                  <li key={i}>{m}</li>
                ))}
              </ul>
            </div>
          )}
        </div>
      )}
      {verdict.entries && verdict.entries.length > 0 && (
        <div className="table-wrap verdict-citations">
          <table className="table" data-testid={`${id}-citations`}>
            <thead>
              <tr>
                <th>{t('substances.list')}</th>
                <th>{t('substances.schedule')}</th>
                <th>{t('substances.citation')}</th>
                <th>{t('substances.since')}</th>
              </tr>
            </thead>
            <tbody>
              {verdict.entries.map((e, i) => (
                <tr key={i}>
                  <td className="nowrap">
                    {e.list}
                    {e.form !== 'same' && <div className="muted small">{t(`substances.form.${e.form}`)}</div>}
                  </td>
                  <td>{e.schedule}</td>
                  <td>
                    {e.citation}
                    {!e.verified && <div className="muted small">{t('substances.unverified')}</div>}
                  </td>
                  <td className="nowrap">{e.effective}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </article>
  );
}

export function SubstancesPage() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { query } = useLocation();
  usePageTitle(t('substances.title'));
  const uid = useId();
  const q = query.get('q') ?? '';
  const asOf = query.get('asOf') ?? '';

  const [text, setText] = useState(q);
  const [date, setDate] = useState(asOf);
  const [result, setResult] = useState<Classification | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [picture, setPicture] = useState<string | null>(null);
  const [pictureError, setPictureError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(false);

  // The query lives in the URL (a deep link, and Back returns to the previous lookup).
  useEffect(() => {
    if (!q) return;
    let live = true;
    setLoading(true);
    api.classify(q, asOf || undefined).then(
      (classification) => {
        if (!live) return;
        setResult(classification);
        setLoading(false);
        // Draw the parent structure (salts stripped), the same one the verdicts are about.
        api.depict(classification.canonicalSmiles).then(
          (svg) => live && setPicture(svgDataUrl(svg)),
          (err: unknown) => live && setPictureError(toApiError(err)),
        );
      },
      (err: unknown) => {
        if (!live) return;
        setError(toApiError(err));
        setLoading(false);
      },
    );
    return () => {
      live = false;
    };
  }, [q, asOf]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (text.trim()) navigate(substancesPath(text.trim(), date || undefined));
  };

  const raiseAlert = () => {
    if (!result) return;
    storeComposePrefill(alertDraft(result, q, t));
    navigate(`/compose?kind=alert&${PREFILL_PARAM}=substance`);
  };

  const hasAnalogue = result?.verdicts.some((v) => v.status === 'uncontrolled-analogue') ?? false;
  const f = (name: string) => `${uid}-${name}`;

  return (
    <section data-testid="page-substances">
      <PageHeader title={t('substances.title')} subtitle={t('substances.subtitle')} />
      <form className="panel substance-search" onSubmit={submit} data-testid="substance-form">
        <div className="panel-body">
          <div className="substance-search-row">
            <div className={`field substance-query${error?.issues.some((i) => i.path === 'q') ? ' has-error' : ''}`}>
              <label htmlFor={f('q')}>{t('substances.queryLabel')}</label>
              <input
                id={f('q')}
                type="search"
                value={text}
                onChange={(e) => setText(e.target.value)}
                placeholder={t('substances.queryPlaceholder')}
                autoComplete="off"
                spellCheck={false}
                data-testid="substance-query"
              />
            </div>
            <div className="field field-narrow">
              <label htmlFor={f('asOf')}>{t('substances.asOf')}</label>
              <input
                id={f('asOf')}
                type="date"
                value={date}
                onChange={(e) => setDate(e.target.value)}
                data-testid="substance-as-of"
              />
            </div>
            <button type="submit" className="btn btn-primary" disabled={!text.trim()} data-testid="substance-submit">
              {t('substances.search')}
            </button>
          </div>
          <p className="hint">
            {t('substances.examples')}{' '}
            {EXAMPLES.map((example, i) => (
              <button
                key={example}
                type="button"
                className="link-button substance-example"
                onClick={() => {
                  setText(example);
                  navigate(substancesPath(example, date || undefined));
                }}
                data-testid={`substance-example-${i}`}
              >
                {example}
              </button>
            ))}
          </p>
        </div>
      </form>

      {loading && <Loading label={t('substances.classifying')} />}
      {error && !loading && <ProblemAlert error={error} testId="substance-error" />}

      {result && !loading && !error && (
        <div className="substance-result" data-testid="substance-result" data-inchikey={result.inchikey}>
          <div className="substance-top">
            <section className="panel substance-identity" data-testid="substance-identity">
              <header className="panel-header">
                <h2 data-testid="substance-name">{substanceName(result, t)}</h2>
                {can(me.user, 'create') && (
                  <button
                    type="button"
                    className={hasAnalogue ? 'btn btn-primary' : 'btn'}
                    onClick={raiseAlert}
                    data-testid="substance-raise-alert"
                  >
                    {t('substances.raiseAlert')}
                  </button>
                )}
              </header>
              <div className="panel-body">
                <dl className="details">
                  <div>
                    <dt>{t('substances.smiles')}</dt>
                    <dd className="mono" data-testid="substance-smiles">
                      {result.canonicalSmiles}
                    </dd>
                  </div>
                  <div>
                    <dt>InChIKey</dt>
                    <dd className="mono" data-testid="substance-inchikey">
                      {result.inchikey}
                    </dd>
                  </div>
                  <div>
                    <dt>{t('substances.formula')}</dt>
                    <dd data-testid="substance-formula">
                      <Formula formula={result.formula} />
                    </dd>
                  </div>
                  <div>
                    <dt>{t('substances.mass')}</dt>
                    <dd data-testid="substance-mass">
                      {result.mass === null
                        ? '—'
                        : `${result.mass.toLocaleString(localeOf(lang), { maximumFractionDigits: 3 })} g/mol`}
                    </dd>
                  </div>
                  {result.removedFragments.length > 0 && (
                    <div>
                      <dt>{t('substances.removed')}</dt>
                      <dd className="mono" data-testid="substance-removed">
                        {result.removedFragments.join(' · ')}
                      </dd>
                    </div>
                  )}
                  <div>
                    <dt>{t('substances.asOfData')}</dt>
                    <dd className="small" data-testid="substance-as-of-data">
                      {result.asOf} · {result.dataVersion}
                    </dd>
                  </div>
                </dl>
              </div>
            </section>
            <figure className="panel substance-picture" data-testid="substance-picture">
              {picture && (
                <img
                  src={picture}
                  alt={t('substances.pictureAlt', { name: substanceName(result, t) })}
                  data-testid="substance-structure"
                />
              )}
              {!picture && !pictureError && <Loading />}
              {pictureError && <ProblemAlert error={pictureError} testId="substance-picture-error" />}
              <figcaption className="hint">{t('substances.pictureCaption')}</figcaption>
            </figure>
          </div>
          <h2 className="section-title">{t('substances.verdicts')}</h2>
          <div className="cards verdicts" data-testid="substance-verdicts">
            {result.verdicts.map((v) => (
              <VerdictCard key={v.jurisdiction} verdict={v} />
            ))}
          </div>
        </div>
      )}
    </section>
  );
}
