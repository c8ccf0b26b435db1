import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { SubstanceClassifier, type Classification, type Status } from './classifier.service.ts';
import type { Jurisdiction } from './control-data.ts';

/**
 * Every row of the reference data (copied from shared/data/substances.csv into data/reference/, see its
 * `source` column), classified as its `controls` and `us_frs_structural` columns say. Where a row records
 * nothing about a jurisdiction nothing is asserted for it: the data files decide, flagged as unverified.
 */
interface Row {
  name: string;
  smiles: string;
  category: string;
  controls: string;
  us_frs_structural: string;
}
const rows = parse(readFileSync(new URL('./data/reference/substances.csv', import.meta.url)), {
  columns: true,
}) as Row[];

const NOT: Status[] = ['not-controlled', 'uncontrolled-analogue'];
const FRS_YES = ['yes', 'parent', 'yes-but-separately-listed', 'yes-but-separately-listed?'];

/** What the row's columns say, per jurisdiction; undefined where they say nothing. */
function expectedStatus(row: Row): Partial<Record<Jurisdiction, Status[]>> {
  const c = row.controls;
  const frs = row.us_frs_structural;
  const out: Partial<Record<Jurisdiction, Status[]>> = {};
  // US
  if (frs === 'parent' || frs === 'yes-but-separately-listed') out.US = ['controlled'];
  else if (/US (CSA )?Sched (I|II|III|IV|V)\b/.test(c)) out.US = ['controlled'];
  else if (/US List I\b(?!\?)/.test(c)) out.US = ['precursor'];
  else if (frs === 'yes' && /not checked individually/.test(c)) out.US = ['controlled-by-class'];
  // A structural member whose US listing the row leaves unverified is controlled either way.
  else if (frs === 'yes') out.US = ['controlled', 'controlled-by-class'];
  else if (frs === 'edge') out.US = ['uncontrolled-analogue'];
  else if (frs === 'yes-but-separately-listed?') out.US = ['controlled', 'controlled-by-class'];
  else if (/not (federally scheduled|controlled)|not an FRS/.test(c)) out.US = NOT;
  // UN
  if (/UN 1988 Table I\b/.test(c)) out.UN = ['precursor'];
  else if (/UN 1961 Sched I recommended|recommended UN 1961|WHO .*recommended/.test(c))
    out.UN = ['controlled', 'uncontrolled-analogue'];
  else if (/UN 1961/.test(c)) out.UN = ['controlled'];
  else if (/^not controlled/.test(c)) out.UN = NOT;
  // CN
  if (/CN controlled since 2018-02-01|CN Category II/.test(c)) out.CN = ['precursor'];
  else if (/CN class text (would cover|covers|arguably covers)/.test(c)) out.CN = ['controlled-by-class'];
  else if (row.category === 'nitazene' || FRS_YES.includes(frs)) out.CN = ['controlled', 'controlled-by-class'];
  else if (frs === 'edge') out.CN = ['uncontrolled-analogue'];
  else if (/^not controlled/.test(c)) out.CN = NOT;
  return out;
}

describe('the reference substances (shared/data/substances.csv)', () => {
  let classifier: SubstanceClassifier;
  const results = new Map<string, Classification>();

  beforeAll(async () => {
    classifier = await SubstanceClassifier.create();
    for (const row of rows)
      results.set(row.name, await classifier.classify({ smiles: row.smiles }, { asOf: '2026-01-15' }));
  });

  it('has all 107 rows', () => {
    expect(rows).toHaveLength(107);
  });

  it.each(rows.map((r) => [r.name, r] as const))('classifies %s as its recorded controls say', (_name, row) => {
    const result = results.get(row.name) as Classification;
    expect(result.inchikey).toMatch(/^[A-Z]{14}-[A-Z]{10}-[A-Z]$/);
    expect(result.verdicts.map((v) => v.jurisdiction)).toEqual(['UN', 'US', 'CN']);
    for (const verdict of result.verdicts) expect(verdict.basis.length).toBeGreaterThan(20);
    const expected = expectedStatus(row);
    for (const [jurisdiction, allowed] of Object.entries(expected)) {
      const verdict = result.verdicts.find((v) => v.jurisdiction === jurisdiction);
      expect(allowed, `${jurisdiction}: ${verdict?.basis}`).toContain(verdict?.status);
    }
  });

  it.each(rows.map((r) => [r.name, r] as const))(
    'applies the US class definition to %s as us_frs_structural says',
    (_name, row) => {
      const result = results.get(row.name) as Classification;
      const frs = result.classes.find((c) => c.definition === 'US-FRS');
      switch (row.us_frs_structural) {
        case 'parent':
          // The parent matches with no modification at all: not a member of its own class.
          expect(frs).toMatchObject({ meets: false, modifications: [], failures: [] });
          break;
        case 'yes':
        case 'yes-but-separately-listed':
        case 'yes-but-separately-listed?':
          expect(frs?.meets, JSON.stringify(frs)).toBe(true);
          break;
        case 'edge':
          expect(frs?.meets).toBe(false);
          break;
        default:
          expect(row.us_frs_structural).toBe('no');
          expect(frs?.meets ?? false, JSON.stringify(frs)).toBe(false);
      }
    },
  );

  it('counts the urea as an acyl group only when so configured, and says which setting decided', async () => {
    const urea = rows.find((r) => r.us_frs_structural === 'edge') as Row;
    const strict = results.get(urea.name) as Classification;
    expect(strict.verdicts.find((v) => v.jurisdiction === 'US')?.basis).toContain('carbamoylIsAcyl = false');
    const broad = await classifier.classify({ smiles: urea.smiles }, { interpretations: { carbamoylIsAcyl: true } });
    expect(broad.verdicts.find((v) => v.jurisdiction === 'US')).toMatchObject({ status: 'controlled-by-class' });
  });

  const basis = (name: string, j: Jurisdiction) =>
    results.get(name)?.verdicts.find((v) => v.jurisdiction === j)?.basis ?? '';
  const classOf = (name: string, id: string) => results.get(name)?.classes.find((c) => c.definition === id);

  it('names the modifications that make a substance a fentanyl-related substance', () => {
    expect(classOf('ocfentanil', 'US-FRS')?.modifications).toEqual([
      { code: 'D', detail: '2-fluoro on the phenyl ring' },
      { code: 'E', detail: 'methoxyacetyl instead of propionyl' },
    ]);
    expect(basis("4'-methylfentanyl", 'US')).toMatch(/\(B\) 4-methyl on the phenyl ring/);
    expect(basis('thiofentanyl', 'US')).toMatch(
      /It also meets US-FRS by \(A\), but that class excludes substances listed elsewhere/,
    );
    expect(basis('mirfentanil', 'US')).toMatch(/\(D\) diazine.*\(E\) furan-2-carbonyl/);
    expect(basis('fentanyl carbamate', 'US')).toMatch(/Schedule I/);
    expect(classOf('fentanyl methyl carbamate', 'US-FRS')?.modifications[0]?.detail).toMatch(
      /methoxycarbonyl .*carbamate/,
    );
    expect(classOf('alfentanil', 'US-FRS')?.modifications.map((m) => m.code)).toEqual(['A', 'C']);
    expect(basis('alfentanil', 'US')).toMatch(/^Listed: .*Schedule II.*also meets US-FRS by \(A\)\+\(C\)/);
  });

  it('says why a near miss is not a fentanyl-related substance', () => {
    expect(basis('benzofuranyl fentanyl', 'US')).toMatch(/\(A\) not met: .*fused ring system of 2 rings/);
    expect(basis('N-benzoxazolyl fentanyl', 'US')).toMatch(/\(D\) not met: an aromatic monocycle is required/);
    expect(basis('4-phenylfentanyl', 'US')).toMatch(/\(C\) not met: phenyl is not among alkyl/);
    expect(basis('phenylpropyl norfentanyl', 'US')).toMatch(/no ring two carbons from the nitrogen/);
    expect(classOf('remifentanil', 'US-FRS')?.failures.join(' ')).toMatch(/no ring two carbons from the nitrogen/);
    expect(basis('despropionyl para-fluorofentanyl (p-F-ANPP)', 'US')).toMatch(/nearest controlled substance: ANPP/);
  });

  it('applies the wider Chinese wording to the phenethyl group', () => {
    expect(basis('phenylpropyl norfentanyl', 'CN')).toMatch(
      /\(4\) phenethyl replaced by C9H11 \(benzene 3 carbons from N\)/,
    );
    expect(basis('N-methyl norcyclopropylfentanyl', 'CN')).toMatch(
      /\(4\) phenethyl replaced by methyl; \(1\) cyclopropanecarbonyl/,
    );
    expect(basis('norfentanyl', 'CN')).toMatch(/Listed precursor: .*第二类/);
  });

  it('matches a stereoisomer of a listed substance and says so', () => {
    expect(basis('cis-3-methylthiofentanyl', 'US')).toMatch(/^Listed: a stereoisomer of 3-methylthiofentanyl/);
  });

  it('covers precursor derivatives named in the rules: carbamates and halides of 4-AP', () => {
    expect(basis('para-fluoro 1-boc-4-AP', 'US')).toMatch(/halides of 4-anilinopiperidine.*tert-butoxycarbonyl/);
    expect(basis('N-benzyl-4-piperidone', 'US')).toMatch(/shares the scaffold of US-4-PIPERIDONE-DERIVATIVES/);
  });
});
