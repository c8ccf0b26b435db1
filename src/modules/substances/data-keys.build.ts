/**
 * Computes each substance's standard InChIKey from its SMILES with RDKit and writes it into
 * data/substances.json, so the keys in the data file are RDKit's own and never typed by hand.
 * Run after editing the file: `node --import tsx src/modules/substances/data-keys.build.ts`
 * (a test fails while a key is missing or stale).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { DATA_DIR } from './control-data.ts';
import { loadRDKit } from './rdkit.runtime.ts';

interface RawSubstance {
  id: string;
  smiles: string;
  inchikey?: string;
  [key: string]: unknown;
}

export async function computeKeys(substances: readonly { id: string; smiles: string }[]): Promise<Map<string, string>> {
  const rdkit = await loadRDKit();
  const keys = new Map<string, string>();
  for (const s of substances) {
    const mol = rdkit.get_mol(s.smiles);
    if (!mol) throw new Error(`${s.id}: RDKit cannot parse ${s.smiles}`);
    try {
      keys.set(s.id, rdkit.get_inchikey_for_inchi(mol.get_inchi()));
    } finally {
      mol.delete();
    }
  }
  return keys;
}

async function main(): Promise<void> {
  const file = new URL('substances.json', DATA_DIR);
  const data = JSON.parse(readFileSync(file, 'utf8')) as { about: string; substances: RawSubstance[] };
  const keys = await computeKeys(data.substances);
  const lines = data.substances.map((s) => {
    const { inchikey: _old, source, ...rest } = s;
    const ordered = { ...rest, inchikey: keys.get(s.id), ...(source === undefined ? {} : { source }) };
    return `    ${JSON.stringify(ordered)}`;
  });
  writeFileSync(
    file,
    `{\n  "about": ${JSON.stringify(data.about)},\n  "substances": [\n${lines.join(',\n')}\n  ]\n}\n`,
  );
  console.log(`wrote ${keys.size} InChIKeys to ${file.pathname}`);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() as string)) await main();
