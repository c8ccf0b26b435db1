import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countersign, STACK_LINE, tempDir } from '../../../test/cli/cli-harness.ts';

const FENTANYL = 'CCC(=O)N(c1ccccc1)C1CCN(CCc2ccccc2)CC1';

describe('countersign classify', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    await dir.remove();
  });

  it('prints one JSON object with the InChIKey and a verdict per jurisdiction', async () => {
    const result = await countersign(['classify', '--smiles', `${FENTANYL}.Cl`, '--json']);
    expect(result.code).toBe(0);
    const body = JSON.parse(result.stdout);
    expect(body.inchikey).toBe('PJMPHNIQZUBGLI-UHFFFAOYSA-N');
    expect(body.verdicts.map((v: { jurisdiction: string; status: string }) => [v.jurisdiction, v.status])).toEqual([
      ['UN', 'controlled'],
      ['US', 'controlled'],
      ['CN', 'controlled'],
    ]);
    for (const verdict of body.verdicts)
      expect(Object.keys(verdict).sort()).toEqual(['basis', 'jurisdiction', 'status']);
  });

  it('explains a class verdict in text, looked up by its Chinese name', async () => {
    const result = await countersign(['classify', '--smiles', 'CC1=CC=C(C=C1)CCN1CCC(CC1)N(C(CC)=O)C1=CC=CC=C1']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /US {2}controlled-by-class\n {4}Meets fentanyl-related substances .*\(B\) 4-methyl on the phenyl ring/,
    );
    const byName = await countersign(['classify', '--query', '卡芬太尼', '--json']);
    expect(JSON.parse(byName.stdout).matches[0].id).toBe('carfentanil');
  });

  it('rejects an invalid SMILES with the field named and no stack', async () => {
    const result = await countersign(['classify', '--smiles', 'C1CC(', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stderr)).toMatchObject({ error: 'validation_failed', issues: [{ path: 'smiles' }] });
    expect(result.stderr).not.toMatch(STACK_LINE);
  });

  it('classifies a CSV, adding status and basis columns, and reports bad rows without stopping', async () => {
    const input = join(dir.path, 'seizures.csv');
    const output = join(dir.path, 'classified.csv');
    await writeFile(
      input,
      [
        'id,name,smiles',
        `S1,fentanyl HCl,"${FENTANYL}.Cl"`,
        'S2,garbage,C1CC(',
        'S3,urea analogue,O=C(N(C1=CC=CC=C1)C2CCN(CCC3=CC=CC=C3)CC2)N(C)C',
        `S4,too long,${'C'.repeat(900)}`,
        'S5,caffeine,Cn1c(=O)c2c(ncn2C)n(C)c1=O',
      ].join('\n'),
    );
    const result = await countersign(['classify', '--in', input, '--out', output]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('skipped row 3 (id S2): smiles: is not a valid SMILES');
    expect(result.stderr).toContain('skipped row 5 (id S4): smiles: has a chain of 900 atoms');
    expect(result.stderr).toContain('classified 3 rows, skipped 2 bad');
    const rows = parse(await readFile(output), { columns: true }) as Record<string, string>[];
    expect(rows.map((r) => r.id)).toEqual(['S1', 'S3', 'S5']);
    expect(Object.keys(rows[0] as object)).toEqual([
      'id',
      'name',
      'smiles',
      'inchikey',
      'UN_status',
      'UN_basis',
      'US_status',
      'US_basis',
      'CN_status',
      'CN_basis',
    ]);
    expect(rows[0]).toMatchObject({ US_status: 'controlled', CN_status: 'controlled' });
    expect(rows[1]).toMatchObject({ US_status: 'uncontrolled-analogue' });
    expect(rows[1]?.US_basis).toContain('carbamoylIsAcyl = false');
    expect(rows[2]).toMatchObject({ UN_status: 'not-controlled', US_status: 'not-controlled' });
  });

  it('refuses a CSV without a smiles column, saying which columns it has', async () => {
    const input = join(dir.path, 'wrong.csv');
    await writeFile(input, 'id,structure\n1,CCO\n');
    const result = await countersign(['classify', '--in', input, '--out', join(dir.path, 'x.csv')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('has no "smiles" column (columns: id, structure)');
  });
});
