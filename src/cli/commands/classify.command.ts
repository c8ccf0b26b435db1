import { createReadStream, createWriteStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { finished } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import type { Command } from 'commander';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { DomainError } from '../../common/errors.ts';
import { JURISDICTIONS } from '../../modules/substances/control-data.ts';
import {
  SubstanceClassifier,
  type Classification,
  type ClassifyOptions,
  type StructureQuery,
} from '../../modules/substances/classifier.service.ts';
import { CliError, jsonWanted, print } from '../output.ts';

interface ClassifyCliOptions {
  smiles?: string;
  inchi?: string;
  molfile?: string;
  query?: string;
  in?: string;
  out?: string;
  asOf?: string;
  carbamoylIsAcyl?: boolean;
}

/**
 * `countersign classify --smiles S [--json]` prints one substance's control status per jurisdiction;
 * `countersign classify --in rows.csv --out out.csv` classifies every row's `smiles` column, adding
 * `<JURISDICTION>_status` and `<JURISDICTION>_basis` columns, and reports bad rows without stopping.
 */
export function registerClassifyCommand(program: Command): void {
  program
    .command('classify')
    .description('control status of a substance in each jurisdiction (UN, US, CN), from its structure or name')
    .option('--smiles <smiles>', 'structure as SMILES (salts are stripped)')
    .option('--inchi <inchi>', 'structure as InChI (resolved against the control data)')
    .option('--molfile <file>', 'structure as a molfile')
    .option('--query <text>', 'structure, CAS number or name (English, Chinese, Spanish)')
    .option('--in <file>', 'CSV with a smiles column (optional id, name) to classify row by row')
    .option('--out <file>', 'where to write the classified CSV (with --in)')
    .option('--as-of <date>', 'the law as it stood on this date (YYYY-MM-DD); default today')
    .option('--carbamoyl-is-acyl', 'count a carbamoyl (urea) group as an acyl group in class definitions')
    .action(async (options: ClassifyCliOptions) => {
      const classifyOptions: ClassifyOptions = {
        ...(options.asOf ? { asOf: options.asOf } : {}),
        ...(options.carbamoylIsAcyl ? { interpretations: { carbamoylIsAcyl: true } } : {}),
      };
      if (options.in !== undefined || options.out !== undefined) {
        if (!options.in || !options.out) throw new CliError('--in and --out go together: give both files');
        await classifyCsv(options.in, options.out, classifyOptions);
        return;
      }
      const query: StructureQuery = {
        ...(options.smiles !== undefined ? { smiles: options.smiles } : {}),
        ...(options.inchi !== undefined ? { inchi: options.inchi } : {}),
        ...(options.query !== undefined ? { q: options.query } : {}),
      };
      if (options.molfile !== undefined) {
        query.molfile = await readFile(options.molfile, 'utf8').catch((error: NodeJS.ErrnoException) => {
          throw new CliError(
            `cannot read ${options.molfile}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`,
          );
        });
      }
      if (Object.keys(query).length === 0) {
        throw new CliError('give a structure: --smiles, --inchi, --molfile or --query (or --in and --out for a CSV)');
      }
      const classifier = await SubstanceClassifier.create();
      const result = await classifier.classify(query, classifyOptions);
      const summary = {
        inchikey: result.inchikey,
        canonicalSmiles: result.canonicalSmiles,
        formula: result.formula,
        mass: result.mass,
        removedFragments: result.removedFragments,
        matches: result.matches,
        verdicts: result.verdicts.map(({ jurisdiction, status, basis }) => ({ jurisdiction, status, basis })),
        classes: result.classes,
        asOf: result.asOf,
        dataVersion: result.dataVersion,
      };
      print(program, jsonWanted(program) ? summary : result, () => describe(result));
    });
}

function describe(result: Classification): string {
  const lines = [
    `${result.canonicalSmiles}  ${result.formula}  ${result.mass ?? '?'} g/mol`,
    `InChIKey ${result.inchikey}${result.removedFragments.length ? `  (removed: ${result.removedFragments.join(', ')})` : ''}`,
    ...result.verdicts.map((v) => `${v.jurisdiction}  ${v.status}\n    ${v.basis}`),
  ];
  return lines.join('\n');
}

const reasonOf = (error: unknown): string => {
  if (error instanceof DomainError) {
    const issues = error.details.issues ?? [];
    return issues.length ? issues.map((i) => `${i.path}: ${i.message}`).join('; ') : error.message;
  }
  return (error as Error).message;
};

async function classifyCsv(inPath: string, outPath: string, options: ClassifyOptions): Promise<void> {
  const text = await readFile(inPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new CliError(`cannot read ${inPath}: ${error.code === 'ENOENT' ? 'no such file' : error.message}`);
  });
  // Rows are counted first so the progress bar has a total; the file is then streamed through.
  const total = Math.max(0, text.split(/\r?\n/).filter((line) => line.trim() !== '').length - 1);
  const classifier = await SubstanceClassifier.create();
  await classifier.ready();

  const parser = createReadStream(inPath).pipe(
    parse({ columns: true, bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }),
  );
  let writer: ReturnType<typeof stringify> | undefined;
  let out: ReturnType<typeof createWriteStream> | undefined;
  const bar = new SingleBar(
    { format: 'classify [{bar}] {value}/{total} rows | {bad} bad', stream: process.stderr },
    Presets.shades_classic,
  );
  bar.start(total, 0, { bad: 0 });
  const bad: string[] = [];
  let good = 0;
  let row = 1; // the header is row 1, as a spreadsheet counts
  try {
    for await (const record of parser as AsyncIterable<Record<string, string>>) {
      row += 1;
      if (!writer) {
        const columns = Object.keys(record);
        if (!columns.includes('smiles'))
          throw new CliError(`${inPath} has no "smiles" column (columns: ${columns.join(', ')})`);
        const added = ['inchikey', ...JURISDICTIONS.flatMap((j) => [`${j}_status`, `${j}_basis`])];
        writer = stringify({ header: true, columns: [...columns.filter((c) => !added.includes(c)), ...added] });
        out = createWriteStream(outPath);
        writer.pipe(out);
      }
      try {
        const smiles = record.smiles ?? '';
        const result = classifier.classifyText('smiles', smiles, 'smiles', options);
        const added: Record<string, string> = { inchikey: result.inchikey };
        for (const v of result.verdicts) {
          added[`${v.jurisdiction}_status`] = v.status;
          added[`${v.jurisdiction}_basis`] = v.basis;
        }
        if (!writer.write({ ...record, ...added })) await new Promise((resolve) => writer?.once('drain', resolve));
        good += 1;
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const label = record.id ? ` (id ${record.id})` : record.name ? ` (${record.name})` : '';
        bad.push(`row ${row}${label}: ${reasonOf(error)}`);
      }
      bar.update(row - 1, { bad: bad.length });
    }
  } finally {
    bar.stop();
  }
  if (!writer || !out) throw new CliError(`${inPath} has no data rows`);
  writer.end();
  await finished(out);
  for (const line of bad) process.stderr.write(`skipped ${line}\n`);
  process.stderr.write(`classified ${good} row${good === 1 ? '' : 's'}, skipped ${bad.length} bad; wrote ${outPath}\n`);
}
