import { useEffect, useId, useMemo, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, toApiError } from '../api/client';
import { api } from '../api/endpoints';
import {
  INFO_GRADES,
  KINDS,
  SOURCE_GRADES,
  TLPS,
  type FieldIssue,
  type InfoGrade,
  type Kind,
  type Marking,
  type NewAttachment,
  type NewEntity,
  type NewPackage,
  type Package,
  type SourceGrade,
  type Tlp,
} from '../api/types';
import { TlpBadge } from '../components/Badges';
import { PageHeader } from '../components/Feedback';
import { usePartyName } from '../components/Party';
import { ProblemAlert } from '../components/ProblemAlert';
import { useI18n } from '../i18n';
import { PREFILL_PARAM, readComposePrefill } from '../lib/composePrefill';
import { formatBytes, todayIso } from '../lib/format';
import { can } from '../lib/roles';
import { Link, navigate, packagePath, useLocation } from '../lib/router';
import { SCHEMA_NAMES, SCHEMAS } from '../lib/schemas';
import { usePageTitle } from '../lib/usePageTitle';
import { useMe, useSession } from '../session';

interface EntityRow {
  key: number;
  id: string;
  schema: string;
  name: string;
  props: string;
  ownMarking: boolean;
  marking: Marking;
}

interface AttachmentRow {
  key: number;
  name: string;
  mediaType: string;
  size: number;
  contentBase64: string;
}

const isKind = (value: string | null): value is Kind => KINDS.some((k) => k === value);

/** Server issue paths may carry the "body." prefix of the request part they came from. */
const normalizePath = (path: string) => path.replace(/^body\.?/, '');

function issuesUnder(issues: FieldIssue[], prefix: string): FieldIssue[] {
  return issues.filter((issue) => {
    const path = normalizePath(issue.path);
    return path === prefix || path.startsWith(prefix + '.');
  });
}

/** Parses "property=value" lines; blank lines are skipped, repeated properties collect values. */
export function parseProperties(text: string): { properties: Record<string, string[]>; badLines: number[] } {
  const properties: Record<string, string[]> = {};
  const badLines: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const eq = line.indexOf('=');
    const key = eq > 0 ? line.slice(0, eq).trim() : '';
    const value = eq > 0 ? line.slice(eq + 1).trim() : '';
    if (!key || !value || !/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) {
      badLines.push(index + 1);
      return;
    }
    (properties[key] ??= []).push(value);
  });
  return { properties, badLines };
}

function readAsBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onerror = () => reject(reader.error ?? new Error('could not read file'));
    reader.onload = () => {
      const result = String(reader.result ?? '');
      resolve(result.slice(result.indexOf(',') + 1));
    };
    reader.readAsDataURL(file);
  });
}

function FieldErrors({ issues, testId }: { issues: FieldIssue[]; testId: string }) {
  if (issues.length === 0) return null;
  return (
    <ul className="field-error" data-testid={testId}>
      {issues.map((issue, i) => (
        <li key={i}>{issue.message}</li>
      ))}
    </ul>
  );
}

function Field({
  label,
  htmlFor,
  hint,
  issues,
  errorTestId,
  children,
  className,
}: {
  label: ReactNode;
  htmlFor?: string;
  hint?: ReactNode;
  issues: FieldIssue[];
  errorTestId: string;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div className={`field${issues.length ? ' has-error' : ''}${className ? ' ' + className : ''}`}>
      {htmlFor ? <label htmlFor={htmlFor}>{label}</label> : <span className="label-text">{label}</span>}
      {children}
      {hint && <p className="hint">{hint}</p>}
      <FieldErrors issues={issues} testId={errorTestId} />
    </div>
  );
}

function PartyCheckboxes({
  parties,
  selected,
  locked,
  onChange,
  testIdPrefix,
}: {
  parties: string[];
  selected: string[];
  /** Always included and not editable: this node's own party, and the recipient. */
  locked: string[];
  onChange: (next: string[]) => void;
  testIdPrefix: string;
}) {
  const nameOf = usePartyName();
  const { t } = useI18n();
  return (
    <div className="checkbox-row">
      {parties.map((code) => {
        const isLocked = locked.includes(code);
        return (
          <label key={code} className="checkbox" title={isLocked ? t('compose.partyLocked') : undefined}>
            <input
              type="checkbox"
              checked={isLocked || selected.includes(code)}
              disabled={isLocked}
              onChange={(e) => onChange(e.target.checked ? [...selected, code] : selected.filter((c) => c !== code))}
              data-testid={`${testIdPrefix}-${code}`}
            />
            <span className="party-code">{code}</span> {nameOf(code)}
          </label>
        );
      })}
    </div>
  );
}

export function ComposePage() {
  const { t, lang } = useI18n();
  const me = useMe();
  const { peers } = useSession();
  const { query } = useLocation();
  usePageTitle(t('compose.title'));
  const uid = useId();
  const nextKey = useRef(1);

  const initialKind = query.get('kind');
  const initialReplyTo = query.get('inReplyTo') ?? '';
  const initialRecipient = query.get('recipient') ?? '';
  // A draft handed over by another page (e.g. an emerging-threat alert from Substances).
  const [prefill] = useState(() => (query.has(PREFILL_PARAM) ? readComposePrefill() : null));

  const [kind, setKind] = useState<Kind>(
    isKind(initialKind) ? initialKind : initialReplyTo ? 'response' : 'intelligence',
  );
  const [recipient, setRecipient] = useState(initialRecipient);
  const [title, setTitle] = useState(prefill?.title ?? '');
  const [narrative, setNarrative] = useState(prefill?.narrative ?? '');
  const [tlp, setTlp] = useState<Tlp>('AMBER');
  const [releasableTo, setReleasableTo] = useState<string[]>(initialRecipient ? [initialRecipient] : []);
  const [source, setSource] = useState<SourceGrade>('F');
  const [info, setInfo] = useState<InfoGrade>('6');
  const [dueDate, setDueDate] = useState('');
  const [inReplyTo, setInReplyTo] = useState(initialReplyTo);
  const [entities, setEntities] = useState<EntityRow[]>(() =>
    (prefill?.entities ?? [])
      .filter((e) => e.schema in SCHEMAS)
      .map((e) => ({
        key: nextKey.current++,
        id: '',
        schema: e.schema,
        name: e.name,
        props: e.props,
        ownMarking: false,
        marking: { tlp: 'AMBER', releasableTo: [] },
      })),
  );
  const [attachments, setAttachments] = useState<AttachmentRow[]>([]);
  const [internalNotes, setInternalNotes] = useState('');
  const [original, setOriginal] = useState<Package | null>(null);
  const [originalError, setOriginalError] = useState<ApiError | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [clientIssues, setClientIssues] = useState<FieldIssue[]>([]);
  const errorRef = useRef<HTMLDivElement | null>(null);

  const peerCodes = useMemo(
    () => peers.map((p) => p.party).filter((code) => code !== me.party.code),
    [peers, me.party.code],
  );

  // One peer (the usual bilateral case): preselect it.
  useEffect(() => {
    if (!recipient && peerCodes.length === 1 && peerCodes[0]) chooseRecipient(peerCodes[0]);
  }, [peerCodes]);

  // Replying: load the request and prefill recipient, title and marking from it.
  useEffect(() => {
    if (!initialReplyTo) return;
    let live = true;
    api.package(initialReplyTo).then(
      (pkg) => {
        if (!live) return;
        setOriginal(pkg);
        chooseRecipient(pkg.counterparty);
        setTitle((current) => current || `${t('compose.rePrefix')} ${pkg.title}`);
        setTlp(pkg.tlp);
        setReleasableTo((current) => Array.from(new Set([...current, ...pkg.releasableTo])));
      },
      (err: unknown) => live && setOriginalError(toApiError(err)),
    );
    return () => {
      live = false;
    };
  }, [initialReplyTo]);

  function chooseRecipient(code: string) {
    setRecipient(code);
    if (code) setReleasableTo((current) => (current.includes(code) ? current : [...current, code]));
  }

  const own = me.party.code;
  const allParties = [own, ...peerCodes];
  /** The origin and the recipient are always releasable; the rest is the user's choice. */
  const withLocked = (codes: string[], locked: string[]) =>
    allParties.filter((code) => locked.includes(code) || codes.includes(code));
  const packageMarking: Marking = { tlp, releasableTo: withLocked(releasableTo, [own, recipient]) };

  const addEntity = () =>
    setEntities((rows) => [
      ...rows,
      {
        key: nextKey.current++,
        id: '',
        schema: 'Person',
        name: '',
        props: '',
        ownMarking: false,
        marking: packageMarking,
      },
    ]);
  const updateEntity = (key: number, patch: Partial<EntityRow>) =>
    setEntities((rows) => rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const removeEntity = (key: number) => setEntities((rows) => rows.filter((row) => row.key !== key));

  const addFiles = async (files: FileList | null) => {
    if (!files) return;
    const added: AttachmentRow[] = [];
    for (const file of Array.from(files)) {
      added.push({
        key: nextKey.current++,
        name: file.name,
        mediaType: file.type || 'application/octet-stream',
        size: file.size,
        contentBase64: await readAsBase64(file),
      });
    }
    setAttachments((rows) => [...rows, ...added]);
  };

  const serverIssues = error?.issues ?? [];
  const allIssues = [...clientIssues, ...serverIssues];
  const issuesFor = (prefix: string) => issuesUnder(allIssues, prefix);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const local: FieldIssue[] = [];
    const newEntities: NewEntity[] = entities.map((row, index) => {
      const { properties, badLines } = parseProperties(row.props);
      if (badLines.length) {
        local.push({
          path: `entities.${index}.properties`,
          message: t('compose.badLines', { count: badLines.length, lines: badLines.join(', ') }),
        });
      }
      const nameProp = SCHEMAS[row.schema]?.nameProperty;
      if (nameProp && row.name.trim())
        properties[nameProp] = [row.name.trim(), ...(properties[nameProp] ?? []).filter((v) => v !== row.name.trim())];
      const entity: NewEntity = { schema: row.schema, properties };
      if (row.id.trim()) entity.id = row.id.trim();
      if (row.ownMarking)
        entity.marking = { tlp: row.marking.tlp, releasableTo: withLocked(row.marking.releasableTo, [own]) };
      return entity;
    });
    setClientIssues(local);
    if (local.length) {
      setError(null);
      return;
    }
    const body: NewPackage = {
      kind,
      recipient,
      title: title.trim(),
      narrative: { text: narrative },
      marking: packageMarking,
      grade: { source, info },
    };
    if (kind === 'request' && dueDate) body.dueDate = dueDate;
    if (kind === 'response' && inReplyTo.trim()) body.inReplyTo = inReplyTo.trim();
    if (newEntities.length) body.entities = newEntities;
    if (attachments.length) {
      body.attachments = attachments.map((a): NewAttachment => ({
        name: a.name,
        mediaType: a.mediaType,
        contentBase64: a.contentBase64,
      }));
    }
    if (internalNotes.trim()) body.internalNotes = internalNotes;

    setBusy(true);
    setError(null);
    try {
      const created = await api.createPackage(body);
      navigate(packagePath(created.id));
    } catch (err) {
      setError(toApiError(err));
      setBusy(false);
      window.requestAnimationFrame(() => errorRef.current?.scrollIntoView({ behavior: 'smooth', block: 'start' }));
    }
  };

  if (!can(me.user, 'create')) {
    return (
      <section data-testid="page-compose">
        <PageHeader title={t('compose.title')} />
        <div className="alert alert-info" data-testid="compose-forbidden">
          {t('compose.forbidden')}
        </div>
      </section>
    );
  }

  const f = (name: string) => `${uid}-${name}`;
  const tlpHint = t(`tlp.${tlp}`);

  return (
    <section data-testid="page-compose">
      <PageHeader title={t('compose.title')} subtitle={t('compose.subtitle')} />
      <div ref={errorRef} className="compose-errors">
        {error && <ProblemAlert error={error} testId="compose-error" />}
        {clientIssues.length > 0 && (
          <div className="alert alert-error" role="alert" data-testid="compose-client-error">
            <strong className="alert-title">{t('compose.fixErrors')}</strong>
          </div>
        )}
      </div>
      <form className="compose" onSubmit={submit} noValidate data-testid="compose-form">
        <fieldset className="panel">
          <legend>{t('compose.section.basics')}</legend>
          <div className="grid-2">
            <Field label={t('compose.kind')} htmlFor={f('kind')} issues={issuesFor('kind')} errorTestId="error-kind">
              <select
                id={f('kind')}
                value={kind}
                onChange={(e) => setKind(e.target.value as Kind)}
                data-testid="compose-kind"
              >
                {KINDS.map((k) => (
                  <option key={k} value={k}>
                    {t(`kind.${k}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label={t('compose.recipient')}
              htmlFor={f('recipient')}
              issues={issuesFor('recipient')}
              errorTestId="error-recipient"
            >
              <select
                id={f('recipient')}
                value={recipient}
                onChange={(e) => chooseRecipient(e.target.value)}
                data-testid="compose-recipient"
              >
                <option value="">{t('compose.chooseRecipient')}</option>
                {peers.map((p) => (
                  <option key={p.party} value={p.party}>
                    {p.party} — {p.names[lang] || p.names.en}
                  </option>
                ))}
              </select>
            </Field>
          </div>
          {kind === 'response' && (
            <Field
              label={t('compose.inReplyTo')}
              htmlFor={f('inReplyTo')}
              issues={issuesFor('inReplyTo')}
              errorTestId="error-inReplyTo"
              hint={
                original ? (
                  <>
                    {t('compose.replyingTo')}{' '}
                    <Link to={packagePath(original.id)} data-testid="compose-original">
                      {original.title}
                    </Link>
                  </>
                ) : originalError ? (
                  originalError.problem.detail
                ) : undefined
              }
            >
              <input
                id={f('inReplyTo')}
                className="mono"
                value={inReplyTo}
                onChange={(e) => setInReplyTo(e.target.value)}
                data-testid="compose-in-reply-to"
              />
            </Field>
          )}
          <Field
            label={t('compose.titleField')}
            htmlFor={f('title')}
            issues={issuesFor('title')}
            errorTestId="error-title"
          >
            <input
              id={f('title')}
              value={title}
              maxLength={500}
              onChange={(e) => setTitle(e.target.value)}
              data-testid="compose-title"
            />
          </Field>
          <Field
            label={t('compose.narrative')}
            htmlFor={f('narrative')}
            issues={issuesFor('narrative')}
            errorTestId="error-narrative"
          >
            <textarea
              id={f('narrative')}
              rows={8}
              value={narrative}
              onChange={(e) => setNarrative(e.target.value)}
              data-testid="compose-narrative"
            />
          </Field>
          {kind === 'request' && (
            <Field
              label={t('compose.dueDate')}
              htmlFor={f('dueDate')}
              issues={issuesFor('dueDate')}
              errorTestId="error-dueDate"
              hint={t('compose.dueDateHint')}
              className="field-narrow"
            >
              <input
                id={f('dueDate')}
                type="date"
                min={todayIso()}
                value={dueDate}
                onChange={(e) => setDueDate(e.target.value)}
                data-testid="compose-due-date"
              />
            </Field>
          )}
        </fieldset>

        <fieldset className="panel">
          <legend>{t('compose.section.handling')}</legend>
          <div className="grid-2">
            <Field
              label={t('compose.tlp')}
              htmlFor={f('tlp')}
              issues={issuesUnder(allIssues, 'marking.tlp')}
              errorTestId="error-tlp"
              hint={tlpHint}
            >
              <div className="inline">
                <select
                  id={f('tlp')}
                  value={tlp}
                  onChange={(e) => setTlp(e.target.value as Tlp)}
                  data-testid="compose-tlp"
                >
                  {TLPS.map((v) => (
                    <option key={v} value={v}>
                      TLP:{v}
                    </option>
                  ))}
                </select>
                <TlpBadge tlp={tlp} />
              </div>
            </Field>
            <Field
              label={t('compose.releasableTo')}
              issues={issuesUnder(allIssues, 'marking.releasableTo')}
              errorTestId="error-releasableTo"
              hint={t('compose.releasableHint')}
            >
              {peerCodes.length ? (
                <PartyCheckboxes
                  parties={allParties}
                  selected={releasableTo}
                  locked={[own, recipient]}
                  onChange={setReleasableTo}
                  testIdPrefix="compose-releasable"
                />
              ) : (
                <span className="muted">{t('compose.noPeers')}</span>
              )}
            </Field>
          </div>
          <FieldErrors issues={allIssues.filter((i) => normalizePath(i.path) === 'marking')} testId="error-marking" />
          <div className="grid-2">
            <Field
              label={t('grade.sourceLabel')}
              htmlFor={f('source')}
              issues={issuesUnder(allIssues, 'grade.source')}
              errorTestId="error-grade-source"
            >
              <select
                id={f('source')}
                value={source}
                onChange={(e) => setSource(e.target.value as SourceGrade)}
                data-testid="compose-grade-source"
              >
                {SOURCE_GRADES.map((g) => (
                  <option key={g} value={g}>
                    {g} — {t(`grade.source.${g}`)}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              label={t('grade.infoLabel')}
              htmlFor={f('info')}
              issues={issuesUnder(allIssues, 'grade.info')}
              errorTestId="error-grade-info"
            >
              <select
                id={f('info')}
                value={info}
                onChange={(e) => setInfo(e.target.value as InfoGrade)}
                data-testid="compose-grade-info"
              >
                {INFO_GRADES.map((g) => (
                  <option key={g} value={g}>
                    {g} — {t(`grade.info.${g}`)}
                  </option>
                ))}
              </select>
            </Field>
          </div>
        </fieldset>

        <fieldset className="panel">
          <legend>{t('compose.section.entities')}</legend>
          <p className="hint">{t('compose.entitiesHint')}</p>
          {entities.map((row, index) => {
            const info = SCHEMAS[row.schema];
            const rowIssues = issuesFor(`entities.${index}`);
            return (
              <div
                className={rowIssues.length ? 'entity-row has-error' : 'entity-row'}
                key={row.key}
                data-testid={`entity-${index}`}
              >
                <div className="entity-row-head">
                  <span className="entity-index">#{index + 1}</span>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    onClick={() => removeEntity(row.key)}
                    data-testid={`entity-${index}-remove`}
                  >
                    {t('common.remove')}
                  </button>
                </div>
                <div className="grid-3">
                  <div className="field">
                    <label htmlFor={f(`e${row.key}-schema`)}>{t('entity.schema')}</label>
                    <select
                      id={f(`e${row.key}-schema`)}
                      value={row.schema}
                      onChange={(e) => updateEntity(row.key, { schema: e.target.value })}
                      data-testid={`entity-${index}-schema`}
                    >
                      {SCHEMA_NAMES.map((s) => (
                        <option key={s} value={s}>
                          {t(`schema.${s}`)}
                        </option>
                      ))}
                    </select>
                  </div>
                  <div className="field">
                    <label htmlFor={f(`e${row.key}-name`)}>{t('entity.name')}</label>
                    <input
                      id={f(`e${row.key}-name`)}
                      value={info?.nameProperty ? row.name : ''}
                      disabled={!info?.nameProperty}
                      placeholder={info?.nameProperty ? '' : t('compose.noNameForSchema')}
                      onChange={(e) => updateEntity(row.key, { name: e.target.value })}
                      data-testid={`entity-${index}-name`}
                    />
                  </div>
                  <div className="field">
                    <label htmlFor={f(`e${row.key}-id`)}>{t('entity.id')}</label>
                    <input
                      id={f(`e${row.key}-id`)}
                      className="mono"
                      value={row.id}
                      placeholder={t('compose.idPlaceholder', { id: `e${index + 1}` })}
                      onChange={(e) => updateEntity(row.key, { id: e.target.value })}
                      data-testid={`entity-${index}-id`}
                    />
                  </div>
                </div>
                <div className="field">
                  <label htmlFor={f(`e${row.key}-props`)}>{t('entity.propertiesField')}</label>
                  <textarea
                    id={f(`e${row.key}-props`)}
                    className="mono"
                    rows={Math.max(3, (info?.featured.length ?? 0) + 1)}
                    value={row.props}
                    placeholder={(info?.featured ?? []).map((p) => `${p}=`).join('\n')}
                    onChange={(e) => updateEntity(row.key, { props: e.target.value })}
                    data-testid={`entity-${index}-properties`}
                  />
                  {info?.edge && (
                    <p className="hint">
                      {t('compose.edgeHint', { source: info.edge.source, target: info.edge.target })}
                    </p>
                  )}
                </div>
                <label className="checkbox">
                  <input
                    type="checkbox"
                    checked={row.ownMarking}
                    onChange={(e) => updateEntity(row.key, { ownMarking: e.target.checked, marking: packageMarking })}
                    data-testid={`entity-${index}-own-marking`}
                  />
                  {t('compose.ownMarking')}
                </label>
                {row.ownMarking ? (
                  <div className="grid-2 entity-marking">
                    <div className="field">
                      <label htmlFor={f(`e${row.key}-tlp`)}>{t('compose.tlp')}</label>
                      <select
                        id={f(`e${row.key}-tlp`)}
                        value={row.marking.tlp}
                        onChange={(e) =>
                          updateEntity(row.key, { marking: { ...row.marking, tlp: e.target.value as Tlp } })
                        }
                        data-testid={`entity-${index}-tlp`}
                      >
                        {TLPS.map((v) => (
                          <option key={v} value={v}>
                            TLP:{v}
                          </option>
                        ))}
                      </select>
                    </div>
                    <div className="field">
                      <span className="label-text">{t('compose.releasableTo')}</span>
                      <PartyCheckboxes
                        parties={allParties}
                        selected={row.marking.releasableTo}
                        locked={[own]}
                        onChange={(next) => updateEntity(row.key, { marking: { ...row.marking, releasableTo: next } })}
                        testIdPrefix={`entity-${index}-releasable`}
                      />
                    </div>
                  </div>
                ) : (
                  <p className="hint">
                    {t('compose.inheritsMarking')} <TlpBadge tlp={tlp} />
                  </p>
                )}
                <FieldErrors issues={rowIssues} testId={`error-entity-${index}`} />
              </div>
            );
          })}
          <button type="button" className="btn" onClick={addEntity} data-testid="entity-add">
            + {t('compose.addEntity')}
          </button>
        </fieldset>

        <fieldset className="panel">
          <legend>{t('compose.section.attachments')}</legend>
          {attachments.length > 0 && (
            <ul className="file-list">
              {attachments.map((a, index) => (
                <li key={a.key} data-testid={`attachment-${index}`}>
                  <span>
                    {a.name} <span className="muted small">({formatBytes(a.size, lang)})</span>
                  </span>
                  <button
                    type="button"
                    className="btn btn-small btn-ghost"
                    onClick={() => setAttachments((rows) => rows.filter((r) => r.key !== a.key))}
                    data-testid={`attachment-${index}-remove`}
                  >
                    {t('common.remove')}
                  </button>
                  <FieldErrors issues={issuesFor(`attachments.${index}`)} testId={`error-attachment-${index}`} />
                </li>
              ))}
            </ul>
          )}
          <input
            type="file"
            multiple
            aria-label={t('compose.addAttachments')}
            onChange={(e) => {
              void addFiles(e.target.files);
              e.target.value = '';
            }}
            data-testid="compose-attachments"
          />
        </fieldset>

        <fieldset className="panel panel-internal">
          <legend>{t('package.internalNotes')}</legend>
          <Field
            label={<span className="badge badge-internal">{t('package.internalLabel')}</span>}
            htmlFor={f('notes')}
            issues={issuesFor('internalNotes')}
            errorTestId="error-internalNotes"
          >
            <textarea
              id={f('notes')}
              rows={3}
              value={internalNotes}
              onChange={(e) => setInternalNotes(e.target.value)}
              data-testid="compose-internal-notes"
            />
          </Field>
        </fieldset>

        <div className="form-actions">
          <Link to="/drafts" className="btn" data-testid="compose-cancel">
            {t('common.cancel')}
          </Link>
          <button type="submit" className="btn btn-primary" disabled={busy} data-testid="compose-submit">
            {busy ? t('common.working') : t('compose.saveDraft')}
          </button>
        </div>
        <p className="hint form-hint">{t('compose.afterSave')}</p>
      </form>
    </section>
  );
}
