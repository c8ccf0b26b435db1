import type { Queryable } from '../../store/db.ts';
import type { Classification, Status, SubstanceClassifier, Verdict } from './classifier.service.ts';
import type { Jurisdiction, Substance } from './control-data.ts';

/** Statuses that mean a jurisdiction controls the substance (as a drug, by class, or as a precursor). */
const CONTROLLING: ReadonlySet<Status> = new Set(['controlled', 'controlled-by-class', 'precursor']);

export interface GapSide {
  status: Status;
  /** Since when it is controlled there: the earliest effective date of the entries or class definition; null when not. */
  since: string | null;
  basis: string;
}

export interface GapRow {
  substance: string;
  name: string;
  inchikey: string;
  smiles: string;
  /** Which party controls it: `a` controls and `b` does not, or the other way round. */
  controlledBy: 'a' | 'b';
  a: GapSide;
  b: GapSide;
  /** Packages in this node's store whose content mentions the substance (a name, its InChIKey or SMILES). */
  seen: number;
}

export interface GapReport {
  a: Jurisdiction;
  b: Jurisdiction;
  asOf: string;
  dataVersion: string;
  rows: GapRow[];
}

const escapeLike = (text: string): string => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Substances in the control data that one party controls and the other does not. Each substance is
 * classified with the same engine as any query, so class-wide definitions count as well as listings;
 * verdicts depend only on the data and the date, so they are kept per date.
 */
export class SchedulingGapService {
  private readonly byDate = new Map<string, Map<string, Classification>>();

  constructor(
    private readonly db: Queryable,
    private readonly classifier: SubstanceClassifier,
  ) {}

  async report(a: Jurisdiction, b: Jurisdiction, asOf = new Date().toISOString().slice(0, 10)): Promise<GapReport> {
    const verdicts = await this.classifyAll(asOf);
    const rows: GapRow[] = [];
    for (const substance of this.classifier.data.substances) {
      const c = verdicts.get(substance.id) as Classification;
      const va = c.verdicts.find((v) => v.jurisdiction === a) as Verdict;
      const vb = c.verdicts.find((v) => v.jurisdiction === b) as Verdict;
      const inA = CONTROLLING.has(va.status);
      if (inA === CONTROLLING.has(vb.status)) continue;
      rows.push({
        substance: substance.id,
        name: substance.names.en[0] as string,
        inchikey: c.inchikey,
        smiles: c.canonicalSmiles,
        controlledBy: inA ? 'a' : 'b',
        a: this.side(va),
        b: this.side(vb),
        seen: await this.seen(substance, c),
      });
    }
    rows.sort((x, y) => y.seen - x.seen || x.name.localeCompare(y.name));
    return { a, b, asOf, dataVersion: this.classifier.dataVersion, rows };
  }

  private async classifyAll(asOf: string): Promise<Map<string, Classification>> {
    const known = this.byDate.get(asOf);
    if (known) return known;
    await this.classifier.ready();
    const out = new Map<string, Classification>();
    for (const s of this.classifier.data.substances) {
      out.set(s.id, this.classifier.classifyText('smiles', s.smiles, 'smiles', { asOf }));
    }
    // A handful of dates at most are asked for; the bound keeps a caller cycling dates from growing memory.
    if (this.byDate.size > 16) this.byDate.clear();
    this.byDate.set(asOf, out);
    return out;
  }

  private side(v: Verdict): GapSide {
    let since: string | null = null;
    if (CONTROLLING.has(v.status)) {
      const dates = (v.entries ?? []).map((e) => e.effective);
      const definition = v.classDefinition
        ? this.classifier.data.definitions.find((d) => d.id === v.classDefinition?.id)
        : undefined;
      if (definition && v.status !== 'controlled') dates.push(...definition.versions.map((x) => x.effective));
      since = dates.sort()[0] ?? null;
    }
    return { status: v.status, since, basis: v.basis };
  }

  /** A plain text search over package content: names in every language, InChIKey and SMILES. */
  private async seen(substance: Substance, c: Classification): Promise<number> {
    const terms = [
      ...substance.names.en,
      ...(substance.names.zh ?? []),
      ...(substance.names.es ?? []),
      c.inchikey,
      substance.smiles,
      ...(c.canonicalSmiles !== substance.smiles ? [c.canonicalSmiles] : []),
    ].filter((t) => t.length >= 3);
    const { rows } = await this.db.query<{ n: string | number }>(
      `SELECT count(*) AS n FROM packages WHERE content::text ILIKE ANY($1::text[])`,
      [terms.map((t) => `%${escapeLike(t)}%`)],
    );
    return Number(rows[0]?.n ?? 0);
  }
}
