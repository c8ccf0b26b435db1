import type { MolGraph } from './mol-graph.ts';

const SYMBOLS = (
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr Rb Sr Y Zr ' +
  'Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu Hf Ta W Re Os Ir ' +
  'Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl ' +
  'Mc Lv Ts Og'
).split(' ');

/** Standard atomic weights (IUPAC 2021, abridged to four or five significant figures) of the elements met here. */
const WEIGHTS: Record<string, number> = {
  H: 1.008,
  Li: 6.94,
  B: 10.81,
  C: 12.011,
  N: 14.007,
  O: 15.999,
  F: 18.998,
  Na: 22.99,
  Mg: 24.305,
  Al: 26.982,
  Si: 28.085,
  P: 30.974,
  S: 32.06,
  Cl: 35.45,
  K: 39.098,
  Ca: 40.078,
  Mn: 54.938,
  Fe: 55.845,
  Cu: 63.546,
  Zn: 65.38,
  As: 74.922,
  Se: 78.971,
  Br: 79.904,
  Sn: 118.71,
  I: 126.9,
  Hg: 200.59,
  Pb: 207.2,
};

export const elementSymbol = (z: number): string => SYMBOLS[z - 1] ?? (z === 0 ? '*' : `Z${z}`);

/** Molecular formula in Hill order (C, H, then alphabetical), with the net charge. */
export function formulaOf(g: MolGraph): { formula: string; counts: Map<string, number> } {
  const counts = new Map<string, number>();
  let charge = 0;
  for (const atom of g.atoms) {
    const symbol = elementSymbol(atom.z);
    counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    if (atom.hs > 0) counts.set('H', (counts.get('H') ?? 0) + atom.hs);
    charge += atom.charge;
  }
  const order = counts.has('C')
    ? ['C', 'H', ...[...counts.keys()].filter((s) => s !== 'C' && s !== 'H').sort()]
    : [...counts.keys()].sort();
  const body = order.map((s) => `${s}${(counts.get(s) ?? 0) > 1 ? counts.get(s) : ''}`).join('');
  const tail = charge === 0 ? '' : `${Math.abs(charge) > 1 ? Math.abs(charge) : ''}${charge > 0 ? '+' : '-'}`;
  return { formula: body + tail, counts };
}

/** Average molecular mass from the formula, or undefined for an element without a weight here. */
export function averageMass(counts: Map<string, number>): number | undefined {
  let mass = 0;
  for (const [symbol, n] of counts) {
    const w = WEIGHTS[symbol];
    if (w === undefined) return undefined;
    mass += w * n;
  }
  return Math.round(mass * 1000) / 1000;
}
