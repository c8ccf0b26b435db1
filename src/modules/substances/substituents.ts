import { elementSymbol } from './formula.ts';
import { groupAtoms, ringSystem, type MolGraph } from './mol-graph.ts';

/** The kinds of group the legal texts name, plus the ones needed to say why something is not one of them. */
export type GroupKind =
  | 'hydrogen'
  | 'alkyl'
  | 'cycloalkyl'
  | 'alkenyl'
  | 'alkynyl'
  | 'haloalkyl'
  | 'alkoxyl'
  | 'ether'
  | 'ester'
  | 'hydroxyl'
  | 'halo'
  | 'amino'
  | 'nitro'
  | 'oxo'
  | 'acyl'
  | 'carbamate'
  | 'carbamoyl'
  | 'thioacyl'
  | 'sulfonyl'
  | 'aryl'
  | 'ring-fusion'
  | 'other';

export interface Group {
  kind: GroupKind;
  /** Short human name, e.g. "methyl", "methoxycarbonyl", "C7H7 (aralkyl)". */
  label: string;
  atoms: number[];
}

export interface Interpretations {
  carbamateIsAcyl: boolean;
  carbamoylIsAcyl: boolean;
  thioacylIsAcyl: boolean;
  cycloalkylIsAlkyl: boolean;
}

const HALOGENS = new Set([9, 17, 35, 53]);
const NAMED: Record<string, string> = {
  'alkyl:CH3': 'methyl',
  'alkyl:C2H5': 'ethyl',
  'alkoxyl:CH3O': 'methoxy',
  'alkoxyl:C2H5O': 'ethoxy',
  'alkoxyl:C3H7O': 'propoxy',
  'ether:C2H5O': 'methoxymethyl',
  'ester:C2H3O2': 'methoxycarbonyl',
  'ester:C3H5O2': 'ethoxycarbonyl',
  'hydroxyl:HO': 'hydroxyl',
  'amino:H2N': 'amino',
  'nitro:NO2': 'nitro',
  'haloalkyl:CF3': 'trifluoromethyl',
  'oxo:O': 'oxo (=O)',
  'aryl:C6H5': 'phenyl',
};

/** Hill-order formula of some atoms, counting their implicit hydrogens. */
export function groupFormula(g: MolGraph, atoms: number[]): string {
  const counts = new Map<string, number>();
  for (const i of atoms) {
    const atom = g.atoms[i];
    if (!atom) continue;
    const symbol = elementSymbol(atom.z);
    counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    if (atom.hs > 0) counts.set('H', (counts.get('H') ?? 0) + atom.hs);
  }
  const order = ['C', 'H', ...[...counts.keys()].filter((s) => s !== 'C' && s !== 'H').sort()];
  return order
    .filter((s) => counts.has(s))
    .map((s) => `${s}${(counts.get(s) ?? 0) > 1 ? counts.get(s) : ''}`)
    .join('');
}

const bondOrder = (g: MolGraph, a: number, b: number): number => {
  const entry = (g.neighbours[a] ?? []).find(([n]) => n === b);
  return entry ? (g.bonds[entry[1]]?.order ?? 1) : 0;
};

const z = (g: MolGraph, i: number): number => g.atoms[i]?.z ?? 0;
const inRing = (g: MolGraph, i: number): boolean => (g.atomRings[i] ?? []).length > 0;

function allBondsWithin(g: MolGraph, atoms: Set<number>, test: (order: number) => boolean): boolean {
  for (const i of atoms) {
    for (const [n, b] of g.neighbours[i] ?? []) {
      if (atoms.has(n) && !test(g.bonds[b]?.order ?? 1)) return false;
    }
  }
  return true;
}

/**
 * Classifies the substituent entered from scaffold atom `from` through `root`, as the legal texts name
 * groups: alkyl, alkenyl, alkoxyl, ester, ether, hydroxyl, halo, haloalkyl, amino, nitro, else why not.
 */
export function classifyGroup(g: MolGraph, root: number, from: number, scaffold: ReadonlySet<number>): Group {
  const atoms = groupAtoms(g, root, from, scaffold);
  const set = new Set(atoms);
  const formula = groupFormula(g, atoms);
  const make = (kind: GroupKind, label?: string): Group => ({
    kind,
    label: label ?? NAMED[`${kind}:${formula}`] ?? `${formula} (${kind})`,
    atoms,
  });
  // A group that reaches back into the scaffold other than through `from` closes a ring with it.
  for (const i of atoms) {
    for (const [n] of g.neighbours[i] ?? []) {
      if (scaffold.has(n) && !(i === root && n === from))
        return make('ring-fusion', `ring fused or bridged to the core (${formula})`);
    }
  }
  const attach = bondOrder(g, root, from);
  if (attach === 2 && atoms.length === 1 && z(g, root) === 8) return make('oxo');
  if (attach !== 1) return make('other', `${formula} joined by a ${attach === 2 ? 'double' : 'triple'} bond`);

  const elements = atoms.map((i) => z(g, i));
  const carbons = atoms.filter((i) => z(g, i) === 6);
  const hetero = atoms.filter((i) => z(g, i) !== 6);
  const cyclic = atoms.some((i) => inRing(g, i));
  const aromatic = atoms.some((i) => g.atoms[i]?.aromatic);
  const single = allBondsWithin(g, set, (o) => o === 1);

  if (atoms.length === 1 && HALOGENS.has(elements[0] ?? 0)) {
    return make('halo', { 9: 'fluoro', 17: 'chloro', 35: 'bromo', 53: 'iodo' }[elements[0] as 9 | 17 | 35 | 53]);
  }
  if (atoms.length === 1 && z(g, root) === 8) return make('hydroxyl');
  if (z(g, root) === 7 && g.atoms[root]?.charge === 1 && atoms.length === 3 && hetero.length === 3)
    return make('nitro');
  if (aromatic) return make('aryl', NAMED[`aryl:${formula}`] ?? `${formula} (aryl)`);
  if (hetero.length === 0) {
    if (cyclic) return make(single ? 'cycloalkyl' : 'other');
    if (single) return make('alkyl', NAMED[`alkyl:${formula}`] ?? `${formula} (alkyl)`);
    const triple = !allBondsWithin(g, set, (o) => o !== 3);
    return make(triple ? 'alkynyl' : 'alkenyl');
  }
  if (cyclic) return make('other', `${formula} (ring)`);
  if (hetero.every((i) => HALOGENS.has(z(g, i))) && z(g, root) === 6 && single) return make('haloalkyl');
  if (z(g, root) === 7 && hetero.length === 1 && single && g.atoms[root]?.charge === 0) return make('amino');
  if (hetero.every((i) => z(g, i) === 8) && single) {
    const etherOxygens = hetero.every(
      (o) => (g.neighbours[o] ?? []).filter(([n]) => z(g, n) === 6 || n === from).length === 2,
    );
    if (!etherOxygens) return make('other');
    if (z(g, root) === 8) return make('alkoxyl');
    return make('ether');
  }
  if (hetero.every((i) => z(g, i) === 8)) {
    // Exactly one C(=O)O-C, everything else saturated carbon: an ester either way round.
    const carbonyls = carbons.filter((c) =>
      (g.neighbours[c] ?? []).some(([n, b]) => z(g, n) === 8 && g.bonds[b]?.order === 2),
    );
    const doubles = [...set].flatMap((i) =>
      (g.neighbours[i] ?? []).filter(([n, b]) => set.has(n) && g.bonds[b]?.order !== 1),
    );
    if (carbonyls.length === 1 && doubles.length === 2 && hetero.length === 2) {
      const c = carbonyls[0] as number;
      const ester = (g.neighbours[c] ?? []).some(
        ([n, b]) => z(g, n) === 8 && g.bonds[b]?.order === 1 && (g.neighbours[n] ?? []).length === 2,
      );
      if (ester)
        return make(
          'ester',
          c === root
            ? (NAMED[`ester:${formula}`] ?? `${formula} (alkoxycarbonyl, ester)`)
            : `${formula} (acyloxy, ester)`,
        );
    }
  }
  return make('other');
}

export interface AcylInfo {
  kind: 'hydrogen' | 'acyl' | 'carbamate' | 'carbamoyl' | 'thioacyl' | 'sulfonyl' | 'other';
  label: string;
  /** The R of R-C(=O)- as a formula, for comparing with the parent's acyl group. */
  r?: string;
  linear?: boolean;
  atoms: number[];
}

/** What is on nitrogen `n` besides the scaffold: nothing, an acyl group, a carbamate, a urea, ... */
export function acylOn(g: MolGraph, n: number, scaffold: ReadonlySet<number>): AcylInfo {
  const extra = (g.neighbours[n] ?? []).filter(([a]) => !scaffold.has(a)).map(([a]) => a);
  if (extra.length === 0) return { kind: 'hydrogen', label: 'hydrogen (no acyl group: an amine)', atoms: [] };
  if (extra.length > 1) return { kind: 'other', label: 'more than one group on the nitrogen', atoms: extra };
  const x = extra[0] as number;
  const atoms = groupAtoms(g, x, n, scaffold);
  const formula = groupFormula(g, atoms);
  const nbrs = (g.neighbours[x] ?? []).filter(([a]) => a !== n);
  const doubleO = nbrs.filter(([a, b]) => z(g, a) === 8 && g.bonds[b]?.order === 2);
  const doubleS = nbrs.filter(([a, b]) => z(g, a) === 16 && g.bonds[b]?.order === 2);
  if (z(g, x) === 16 && doubleO.length === 2) return { kind: 'sulfonyl', label: `${formula} (sulfonyl)`, atoms };
  if (z(g, x) !== 6 || inRing(g, x) || g.atoms[x]?.aromatic)
    return { kind: 'other', label: `${formula} (not an acyl group)`, atoms };
  if (doubleS.length === 1 && doubleO.length === 0)
    return { kind: 'thioacyl', label: `${formula} (thioacyl: a thioamide)`, atoms };
  if (doubleO.length !== 1) return { kind: 'other', label: `${formula} (not an acyl group)`, atoms };
  const rest = nbrs.filter(([a]) => a !== doubleO[0]?.[0]).map(([a]) => a);
  if (rest.length === 0) return { kind: 'acyl', label: 'formyl', r: 'H', atoms };
  const r = rest[0] as number;
  const rAtoms = groupAtoms(g, r, x, scaffold);
  const rFormula = groupFormula(g, rAtoms);
  if (z(g, r) === 8) {
    const name = { C2H3O2: 'methoxycarbonyl', C3H5O2: 'ethoxycarbonyl', C5H9O2: 'tert-butoxycarbonyl (Boc)' }[formula];
    return { kind: 'carbamate', label: `${name ?? formula} (alkoxycarbonyl: a carbamate)`, r: rFormula, atoms };
  }
  if (z(g, r) === 7) return { kind: 'carbamoyl', label: `${formula} (carbamoyl: a urea)`, r: rFormula, atoms };
  if (z(g, r) !== 6) return { kind: 'other', label: `${formula} (not an acyl group)`, atoms };
  const ring = rAtoms.some((i) => inRing(g, i));
  const linear = rAtoms.every((i) => (g.neighbours[i] ?? []).length <= 2) && !ring;
  const name = ACYL_NAMES[`${rFormula}${ring ? '/ring' : linear ? '' : '/branched'}`] ?? `${formula} (acyl)`;
  return { kind: 'acyl', label: name, r: rFormula, linear, atoms };
}

const ACYL_NAMES: Record<string, string> = {
  CH3: 'acetyl',
  C2H5: 'propionyl',
  C3H7: 'butyryl',
  'C3H7/branched': 'isobutyryl',
  C4H9: 'valeryl',
  C2H3: 'acryloyl',
  C3H5: 'crotonoyl',
  'C2H5O/branched': 'methoxyacetyl',
  C2H5O: 'methoxyacetyl',
  'C3H5/ring': 'cyclopropanecarbonyl',
  'C5H9/ring': 'cyclopentanecarbonyl',
  'C4H3O/ring': 'furan-2-carbonyl (furoyl)',
  'C4H7O/ring': 'tetrahydrofuran-2-carbonyl',
  'C6H5/ring': 'benzoyl',
};

export const isPropionyl = (info: AcylInfo): boolean => info.kind === 'acyl' && info.r === 'C2H5';

/** A ring described for an explanation: "thiophene", "4-fluorophenyl", "5-membered aromatic ring (C2N4O)". */
export function describeRing(g: MolGraph, ring: number[]): string {
  const aromatic = ring.every((i) => g.atoms[i]?.aromatic);
  const counts = new Map<string, number>();
  for (const i of ring) counts.set(elementSymbol(z(g, i)), (counts.get(elementSymbol(z(g, i))) ?? 0) + 1);
  const hetero = [...counts]
    .filter(([s]) => s !== 'C')
    .map(([s, n]) => `${s}${n > 1 ? n : ''}`)
    .join('');
  const key = `${ring.length}:${aromatic ? 'a' : 'A'}:${hetero}`;
  const names: Record<string, string> = {
    '6:a:': 'benzene',
    '5:a:S': 'thiophene',
    '5:a:O': 'furan',
    '5:a:N': 'pyrrole',
    '6:a:N': 'pyridine',
    '6:a:N2': 'diazine (e.g. pyrazine)',
    '5:a:NS': 'thiazole',
    '5:a:NO': 'oxazole',
    '5:a:N2': 'azole (pyrazole or imidazole)',
    '5:a:N4': 'tetrazole ring',
    '6:A:': 'cyclohexane',
    '5:A:': 'cyclopentane',
    '5:A:O': 'tetrahydrofuran',
  };
  return (
    names[key] ??
    `${ring.length}-membered ${aromatic ? 'aromatic' : 'non-aromatic'} ring${hetero ? ` with ${hetero}` : ''}`
  );
}

/** The rings of the ring system that contains `atom`, or undefined when the atom is in no ring. */
export function ringSystemOf(g: MolGraph, atom: number): number[] | undefined {
  const first = g.atomRings[atom]?.[0];
  return first === undefined ? undefined : ringSystem(g, first);
}

/** Ortho/meta/para position of `atom` relative to `anchor` within a six-membered ring, as "2-", "3-", "4-". */
export function ringPosition(g: MolGraph, ring: number[], anchor: number, atom: number): string {
  const i = ring.indexOf(anchor);
  const j = ring.indexOf(atom);
  if (i < 0 || j < 0) return '';
  const d = Math.min(Math.abs(i - j), ring.length - Math.abs(i - j));
  return `${d + 1}-`;
}
