import { beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../common/errors.ts';
import { SubstanceClassifier, bitCount, tanimoto, tanimotoWithCounts } from './classifier.service.ts';
import { loadControlData } from './control-data.ts';
import { computeKeys } from './data-keys.build.ts';
import { guard, loadRDKit, rdkitGeneration } from './rdkit.runtime.ts';

const FENTANYL = 'CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1';
const FENTANYL_KEY = 'PJMPHNIQZUBGLI-UHFFFAOYSA-N';

/** The validation error `work` throws, or a failure when it throws nothing or something else. */
async function rejection(work: () => Promise<unknown>): Promise<{ path: string; message: string }> {
  const error = await work().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe('validation_failed');
  const issue = (error as DomainError).details.issues?.[0];
  expect(issue).toBeDefined();
  return issue as { path: string; message: string };
}

describe('SubstanceClassifier: identity and input', () => {
  let classifier: SubstanceClassifier;
  beforeAll(async () => {
    classifier = await SubstanceClassifier.create();
  });

  it('gives canonical SMILES, InChIKey, formula and mass, with the counter-ion stripped', async () => {
    const result = await classifier.classify({ smiles: `Cl.${FENTANYL}` });
    expect(result).toMatchObject({
      canonicalSmiles: FENTANYL,
      inchikey: FENTANYL_KEY,
      formula: 'C22H28N2O',
      removedFragments: ['Cl'],
    });
    expect(result.mass).toBeCloseTo(336.48, 1);
  });

  it('reads the same substance from a molfile, an InChI, a CAS number and names in three languages', async () => {
    const rdkit = await loadRDKit();
    const mol = rdkit.get_mol(FENTANYL);
    const molfile = mol?.get_molblock() as string;
    const inchi = mol?.get_inchi() as string;
    mol?.delete();
    for (const query of [
      { molfile },
      { inchi },
      { q: '437-38-7' },
      { q: '芬太尼' },
      { q: 'fentanilo' },
      { q: 'Fentanyl' },
    ]) {
      expect((await classifier.classify(query)).inchikey, JSON.stringify(query).slice(0, 60)).toBe(FENTANYL_KEY);
    }
  });

  it('finds names despite spelling slips and synonyms', async () => {
    expect((await classifier.classify({ q: 'despropionyl fentanyl' })).matches[0]?.id).toBe('anpp');
    expect((await classifier.classify({ q: '4-ANPP' })).matches[0]?.id).toBe('anpp');
    expect((await classifier.classify({ q: 'carfentanyll' })).matches[0]?.id).toBe('carfentanil');
  });

  it('recognises a salt given as ions through its neutral parent', async () => {
    const result = await classifier.classify({ smiles: '[Na+].[O-]C(=O)Cc1ccccc1' });
    expect(result.matches).toEqual([{ id: 'phenylacetic-acid', name: 'phenylacetic acid', form: 'other-form' }]);
    expect(result.verdicts.find((v) => v.jurisdiction === 'UN')?.status).toBe('precursor');
  });

  it('applies the law as it stood on the given date', async () => {
    const fourAp = 'c1ccc(NC2CCNCC2)cc1';
    const cn = async (asOf: string) =>
      (await classifier.classify({ smiles: fourAp }, { asOf })).verdicts.find((v) => v.jurisdiction === 'CN')?.status;
    expect(await cn('2024-08-31')).toBe('uncontrolled-analogue');
    expect(await cn('2024-09-01')).toBe('precursor');
    const methylFentanyl = 'CC1=CC=C(C=C1)CCN1CCC(CC1)N(C(CC)=O)C1=CC=CC=C1';
    const us = async (asOf: string) =>
      (await classifier.classify({ smiles: methylFentanyl }, { asOf })).verdicts.find((v) => v.jurisdiction === 'US');
    expect((await us('2018-02-05'))?.status).toBe('uncontrolled-analogue');
    expect((await us('2018-02-06'))?.basis).toMatch(/83 FR 5188/);
    expect((await us('2025-08-01'))?.basis).toMatch(/HALT Fentanyl Act/);
  });

  it('draws the structure with the matched scaffold highlighted', async () => {
    const svg = await classifier.depict({ smiles: FENTANYL });
    expect(svg).toMatch(/^<\?xml|^<svg/);
    expect(svg).toContain('</svg>');
    // Highlighted atoms are drawn as filled ellipses in the highlight colour.
    expect(svg).toMatch(/ellipse/);
  });

  it.each([
    ['an invalid SMILES', { smiles: 'C1CC(' }, 'smiles', /not a valid SMILES/],
    ['a valence error', { smiles: 'C(C)(C)(C)(C)C' }, 'smiles', /not a valid SMILES/],
    ['binary junk', { smiles: '\u0000\u0001\u00ff' }, 'smiles', /control or replacement character/],
    ['text that is not SMILES', { smiles: 'fentanyl hydrochloride' }, 'smiles', /character " " at position 9/],
    ['an empty string', { smiles: '  ' }, 'smiles', /is empty/],
    ['over 1,000 atoms', { smiles: 'CC(C)'.repeat(400) }, 'smiles', /1200 atoms; at most 1000/],
    ['a chain long enough to overrun RDKit', { smiles: 'C'.repeat(900) }, 'smiles', /chain of 900 atoms/],
    ['an absurd ring system', { smiles: `C1${'C2CC2'.repeat(70)}C1` }, 'smiles', /ring closures; at most 64/],
    [
      'a molfile without an end',
      { molfile: 'junk\n\n\n  1  0  0  0  0  0  0  0  0  0999 V2000\n' },
      'molfile',
      /no "M {2}END"/,
    ],
    [
      'a molfile with too many atoms',
      { molfile: 'x\n\n\n  0  0  0  0  0  0999 V3000\nM  V30 COUNTS 1200 1199 0 0 0\nM  END' },
      'molfile',
      /1200 atoms/,
    ],
    ['an unknown InChI', { inchi: 'InChI=1S/C2H6O/c1-2-3/h3H,2H2,1H3' }, 'inchi', /not in the control data/],
    ['a name nobody knows', { q: 'unobtainium' }, 'q', /neither a structure nor a known name/],
    ['two structures at once', { smiles: 'C', q: 'fentanyl' }, 'q', /give only one of smiles, q/],
  ])('rejects %s, naming the field', async (_label, query, field, message) => {
    const started = Date.now();
    const issue = await rejection(() => classifier.classify(query));
    expect(issue.path).toBe(field);
    expect(issue.message).toMatch(message);
    expect(Date.now() - started).toBeLessThan(30_000); // bounded, however slow the machine
  });

  it('rejects a molecule whose chains through ring systems are too long, found after parsing', async () => {
    // Written from the middle, each half is 200 atoms deep in the SMILES text; the chain is 401 atoms long.
    const issue = await rejection(() => classifier.classify({ smiles: `C(${'C'.repeat(200)})${'C'.repeat(200)}` }));
    expect(issue.message).toMatch(/paths of up to \d+ atoms/);
    expect((await classifier.classify({ smiles: FENTANYL })).inchikey).toBe(FENTANYL_KEY);
  });

  it('turns a WebAssembly trap into a validation error and loads a fresh RDKit', async () => {
    class RuntimeError extends Error {}
    const before = rdkitGeneration();
    expect(() =>
      guard('smiles', () => {
        throw new RuntimeError('memory access out of bounds');
      }),
    ).toThrow(DomainError);
    expect(rdkitGeneration()).toBe(before + 1);
    // The classifier notices and rebuilds its RDKit objects before the next molecule.
    expect((await classifier.classify({ smiles: FENTANYL })).inchikey).toBe(FENTANYL_KEY);
  });
});

describe('control data files', () => {
  it('hold the InChIKeys RDKit computes from their SMILES', async () => {
    const { substances } = loadControlData();
    const keys = await computeKeys(substances);
    const stale = substances.filter((s) => s.inchikey !== keys.get(s.id)).map((s) => s.id);
    expect(stale, 'run: node --import tsx src/modules/substances/data-keys.build.ts').toEqual([]);
  });

  it('give every entry a citation and a date, and every class a version in force', () => {
    const data = loadControlData();
    for (const entry of data.entries) expect(entry.citation.length, entry.substance).toBeGreaterThan(5);
    for (const def of data.definitions) expect(def.versions[0]?.effective).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    const table = (t: string) => data.entries.filter((e) => e.list === 'UN-1988' && e.schedule === t).length;
    expect(table('Table I')).toBeGreaterThanOrEqual(25);
    expect(table('Table II')).toBe(9);
  });
});

describe('fingerprint similarity', () => {
  it('gives the same Tanimoto value from precomputed bit counts as from two popcounts per word', () => {
    // Deterministic pseudo-random fingerprints, including an empty one (similarity 0 by convention).
    let seed = 7;
    const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0);
    const fps = Array.from({ length: 12 }, (_, k) =>
      Uint32Array.from({ length: 64 }, () => (k === 0 ? 0 : next() & next())),
    );
    for (const a of fps) {
      for (const b of fps) {
        expect(tanimotoWithCounts(a, bitCount(a), b, bitCount(b))).toBe(tanimoto(a, b));
      }
    }
  });
});
