import { validationError } from '../../common/errors.ts';

/**
 * Limits checked on the raw text, before RDKit sees it, so bad input fails in bounded time and never
 * reaches code that can trap (RDKit's SMILES parser and its canonicaliser recurse once per atom along a
 * chain, and overrun the WebAssembly stack at roughly 600-850 atoms in a row).
 */
export const LIMITS = {
  atoms: 1000,
  /** Atoms in one unbranched path (also checked on the parsed graph, see mol-graph.ts). */
  chain: 300,
  /** Independent rings (ring closures); a drug has a handful, C60 has 31. */
  rings: 64,
  smilesChars: 8000,
  molfileChars: 1_000_000,
  inchiChars: 10_000,
} as const;

export type StructureFormat = 'smiles' | 'molfile' | 'inchi';

export interface StructureText {
  format: StructureFormat;
  text: string;
  /** The input field, named in every error. */
  field: string;
}

const fail = (field: string, message: string): never => {
  throw validationError([{ path: field, message }]);
};

/** Rejects NUL and other control characters: binary junk, not a structure. */
function checkText(field: string, text: string, allowNewlines: boolean): void {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const newline = code === 10 || code === 13 || code === 9;
    if ((code < 32 && !(allowNewlines && newline)) || code === 127 || code === 0xfffd) {
      fail(field, `contains a control or replacement character (code ${code}) at position ${i + 1}: not text`);
    }
  }
}

/** Says whether free text looks like a structure, and which kind. */
export function detectFormat(text: string): StructureFormat | undefined {
  const trimmed = text.trim();
  if (trimmed.startsWith('InChI=')) return 'inchi';
  if (/\n/.test(trimmed) && /M {2}END|V2000|V3000/.test(trimmed)) return 'molfile';
  // Outside brackets SMILES letters are only the organic subset: a word like "unobtainium" is not SMILES.
  const bare = trimmed.replace(/\[[^\]]*\]/g, '').replace(/Cl|Br/g, '');
  if (SMILES_CHARS.test(trimmed) && /^[^A-Za-z]*(?:[BCNOPSFIbcnops][^A-Za-z]*)*$/.test(bare)) return 'smiles';
  return undefined;
}

const SMILES_CHARS = /^[A-Za-z0-9@+\-[\]()\\/%=#$:.*]+$/;
const ORGANIC_SUBSET = 'BCNOPSFIbcnops*';

/** Length of the organic-subset atom (Cl, Br, B, C, N, O, P, S, F, I, b, c, n, o, p, s, *) at `i`, or 0. */
function organicAtomLength(smiles: string, i: number): number {
  const ch = smiles[i] as string;
  const next = smiles[i + 1];
  if ((ch === 'C' && next === 'l') || (ch === 'B' && next === 'r')) return 2;
  return ORGANIC_SUBSET.includes(ch) ? 1 : 0;
}

/** Scans a SMILES string: atom count, ring closures and the longest chain, without parsing chemistry. */
export function checkSmiles(field: string, raw: string): string {
  const smiles = raw.trim();
  if (smiles === '') fail(field, 'is empty');
  if (smiles.length > LIMITS.smilesChars) {
    fail(field, `is ${smiles.length} characters long; at most ${LIMITS.smilesChars}`);
  }
  checkText(field, smiles, false);
  if (!SMILES_CHARS.test(smiles)) {
    const bad = [...smiles].findIndex((ch) => !SMILES_CHARS.test(ch));
    fail(field, `is not SMILES: character "${smiles[bad]}" at position ${bad + 1} cannot occur in SMILES`);
  }
  let atoms = 0;
  let ringDigits = 0;
  let depth = 0;
  let longest = 0;
  const branches: number[] = [];
  for (let i = 0; i < smiles.length;) {
    const ch = smiles[i] as string;
    if (ch === '[') {
      const end = smiles.indexOf(']', i);
      if (end < 0) fail(field, `is not valid SMILES: "[" at position ${i + 1} is never closed`);
      atoms += 1;
      depth += 1;
      i = end + 1;
    } else if (ch === '(') {
      branches.push(depth);
      i += 1;
    } else if (ch === ')') {
      const back = branches.pop();
      if (back === undefined) fail(field, `is not valid SMILES: unmatched ")" at position ${i + 1}`);
      depth = back as number;
      i += 1;
    } else if (ch === '.') {
      depth = 0;
      i += 1;
    } else if (ch === '%') {
      ringDigits += 1;
      i += 3;
    } else if (ch >= '0' && ch <= '9') {
      ringDigits += 1;
      i += 1;
    } else {
      const length = organicAtomLength(smiles, i);
      if (length > 0) {
        atoms += 1;
        depth += 1;
        i += length;
      } else {
        i += 1;
      }
    }
    if (depth > longest) longest = depth;
  }
  if (atoms > LIMITS.atoms) fail(field, `has ${atoms} atoms; at most ${LIMITS.atoms}`);
  if (ringDigits / 2 > LIMITS.rings) {
    fail(field, `has ${Math.floor(ringDigits / 2)} ring closures; at most ${LIMITS.rings} (not a plausible substance)`);
  }
  if (longest > LIMITS.chain) {
    fail(field, `has a chain of ${longest} atoms; at most ${LIMITS.chain} in one unbranched path`);
  }
  return smiles;
}

/** Reads the counts line of a V2000 or V3000 molfile and checks it against the limits. */
export function checkMolfile(field: string, raw: string): string {
  if (raw.length > LIMITS.molfileChars) fail(field, `is ${raw.length} characters long; at most ${LIMITS.molfileChars}`);
  checkText(field, raw, true);
  if (!/M {2}END/.test(raw)) fail(field, 'is not a molfile: no "M  END" line');
  const lines = raw.split(/\r?\n/);
  let atoms: number;
  let bonds: number;
  const v3000 = /M {2}V30 COUNTS\s+(\d+)\s+(\d+)/.exec(raw);
  if (v3000) {
    atoms = Number(v3000[1]);
    bonds = Number(v3000[2]);
  } else {
    const counts = lines[3] ?? '';
    if (!/V2000/.test(counts)) fail(field, 'is not a molfile: line 4 is not a V2000 counts line and no V3000 COUNTS');
    atoms = Number(counts.slice(0, 3));
    bonds = Number(counts.slice(3, 6));
  }
  if (!Number.isInteger(atoms) || !Number.isInteger(bonds)) fail(field, 'has an unreadable atom or bond count');
  if (atoms > LIMITS.atoms) fail(field, `has ${atoms} atoms; at most ${LIMITS.atoms}`);
  if (bonds - atoms + 1 > LIMITS.rings) {
    fail(field, `has ${bonds - atoms + 1} independent rings; at most ${LIMITS.rings} (not a plausible substance)`);
  }
  return raw;
}

export function checkInchi(field: string, raw: string): string {
  const inchi = raw.trim();
  if (inchi.length > LIMITS.inchiChars) fail(field, `is ${inchi.length} characters long; at most ${LIMITS.inchiChars}`);
  checkText(field, inchi, false);
  if (!/^InChI=1S?\/\S+$/.test(inchi)) fail(field, 'is not an InChI: expected "InChI=1S/..." without spaces');
  return inchi;
}
