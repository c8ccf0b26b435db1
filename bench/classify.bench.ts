import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parse } from 'csv-parse/sync';
import { SubstanceClassifier } from '../src/modules/substances/classifier.service.ts';
import { loadRDKit } from '../src/modules/substances/rdkit.runtime.ts';
import { commandLine, formatRate, intFromEnv, loadAverage, machine, perSecond, printTable } from './support/report.ts';

/**
 * Molecules per second through the substance control engine, against the bare RDKit parse in the same run:
 * - parse: RDKit get_mol + delete, nothing else (the floor every decision pays once);
 * - decision: parse, salt stripping, exact listing lookup, class-definition scaffolds and position checks,
 *   derivative rules and the nearest-neighbour search, for UN, US and CN (what a CSV batch needs per row);
 * - full record: the decision plus canonical SMILES, InChI, InChIKey, formula and mass (what the API returns).
 * Input: the 107 reference structures, cycled; nothing about an input is cached between molecules. 69 of them
 * are listed substances: the engine evaluates the class definitions of each listed substance once (a property of
 * the data, not of the input) and an input with the same constitution reuses them, as any listed query would.
 */

const N = intFromEnv('BENCH_N', 5000);
const TARGET_RATIO = 0.5;
const REFERENCE = new URL('../src/modules/substances/data/reference/substances.csv', import.meta.url);

function measure(label: string, smiles: string[], op: (s: string) => unknown): number {
  for (let i = 0; i < Math.min(300, smiles.length * 3); i++) op(smiles[i % smiles.length] as string); // warm-up (JIT)
  const start = performance.now();
  for (let i = 0; i < N; i++) op(smiles[i % smiles.length] as string);
  const rate = perSecond(N, performance.now() - start);
  process.stdout.write(`  ${label}: ${formatRate(rate)} molecules/s\n`);
  return rate;
}

export async function run(): Promise<void> {
  const rows = parse(readFileSync(REFERENCE), { columns: true }) as { smiles: string }[];
  const smiles = rows.map((r) => r.smiles);
  const loadAtStart = loadAverage();
  const rdkit = await loadRDKit();
  const classifier = await SubstanceClassifier.create();
  console.log(`\nclassify: ${N} molecules (the ${smiles.length} reference structures, cycled) on ${machine()}`);
  console.log(`reproduce: ${commandLine('classify', { BENCH_N: N })}`);

  // Interleaved twice so that drift in machine load hits all three alike; the better run of each counts.
  const rates = { parse: 0, decision: 0, full: 0 };
  for (let round = 1; round <= 2; round++) {
    console.log(`round ${round}`);
    rates.parse = Math.max(
      rates.parse,
      measure('bare RDKit parse', smiles, (s) => rdkit.get_mol(s)?.delete()),
    );
    rates.decision = Math.max(
      rates.decision,
      measure('full decision (UN, US, CN)', smiles, (s) => classifier.decideText('smiles', s, 'smiles')),
    );
    rates.full = Math.max(
      rates.full,
      measure('full record (+ InChIKey, formula, mass)', smiles, (s) => classifier.classifyText('smiles', s, 'smiles')),
    );
  }
  console.log('');
  printTable(
    ['step', 'molecules/s', '÷ parse'],
    [
      ['bare RDKit parse (get_mol)', formatRate(rates.parse), '1.00'],
      ['full decision: verdicts for UN, US, CN', formatRate(rates.decision), (rates.decision / rates.parse).toFixed(2)],
      [
        'full record: decision + InChIKey, formula, mass',
        formatRate(rates.full),
        (rates.full / rates.parse).toFixed(2),
      ],
    ],
  );
  console.log(`\nload average (1 min): ${loadAtStart} at start, ${loadAverage()} at end, on ${cpus().length} cores`);
  const ratio = rates.decision / rates.parse;
  console.log(
    `target: full decision ≥ ${TARGET_RATIO} × parse rate: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'} (${ratio.toFixed(2)})`,
  );
}
