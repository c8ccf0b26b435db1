/**
 * A molecule as plain JavaScript data, read once from RDKit's JSON (atoms, bonds, aromaticity, SSSR rings),
 * for the per-position checks of class definitions: walking substituents is simpler and faster here than
 * through further WebAssembly calls.
 */
export interface GraphAtom {
  z: number;
  hs: number;
  charge: number;
  aromatic: boolean;
}

export interface GraphBond {
  a: number;
  b: number;
  order: number;
  aromatic: boolean;
}

export interface MolGraph {
  atoms: GraphAtom[];
  bonds: GraphBond[];
  /** neighbours[i] = [atom, bondIndex][] */
  neighbours: [number, number][][];
  rings: number[][];
  /** For each atom, the indices of the rings (in `rings`) that contain it. */
  atomRings: number[][];
}

interface RdkitJson {
  molecules: {
    atoms: { z?: number; impHs?: number; chg?: number }[];
    bonds: { atoms: [number, number]; bo?: number }[];
    extensions?: { name: string; aromaticAtoms?: number[]; aromaticBonds?: number[]; atomRings?: number[][] }[];
  }[];
  defaults: { atom: { z: number; impHs: number; chg: number }; bond: { bo: number } };
}

export function graphFromJson(json: string): MolGraph {
  const parsed = JSON.parse(json) as RdkitJson;
  const mol = parsed.molecules[0];
  if (!mol) return { atoms: [], bonds: [], neighbours: [], rings: [], atomRings: [] };
  const ext = mol.extensions?.find((e) => e.name === 'rdkitRepresentation');
  const d = parsed.defaults;
  // Plain loops and typed flags: this runs once per structure that hits a scaffold, on the hot path.
  const n = mol.atoms.length;
  const aromaticAtom = new Uint8Array(n);
  for (const i of ext?.aromaticAtoms ?? []) aromaticAtom[i] = 1;
  const atoms: GraphAtom[] = new Array<GraphAtom>(n);
  const neighbours: [number, number][][] = new Array<[number, number][]>(n);
  const atomRings: number[][] = new Array<number[]>(n);
  for (let i = 0; i < n; i++) {
    const a = mol.atoms[i] as RdkitJson['molecules'][number]['atoms'][number];
    atoms[i] = {
      z: a.z ?? d.atom.z,
      hs: a.impHs ?? d.atom.impHs,
      charge: a.chg ?? d.atom.chg,
      aromatic: aromaticAtom[i] === 1,
    };
    neighbours[i] = [];
    atomRings[i] = [];
  }
  const jsonBonds = mol.bonds ?? [];
  const aromaticBond = new Uint8Array(jsonBonds.length);
  for (const i of ext?.aromaticBonds ?? []) aromaticBond[i] = 1;
  const bonds: GraphBond[] = new Array<GraphBond>(jsonBonds.length);
  for (let i = 0; i < jsonBonds.length; i++) {
    const bond = jsonBonds[i] as RdkitJson['molecules'][number]['bonds'][number];
    const [a, c] = bond.atoms;
    neighbours[a]?.push([c, i]);
    neighbours[c]?.push([a, i]);
    bonds[i] = { a, b: c, order: bond.bo ?? d.bond.bo, aromatic: aromaticBond[i] === 1 };
  }
  const rings = ext?.atomRings ?? [];
  for (let r = 0; r < rings.length; r++) for (const atom of rings[r] as number[]) atomRings[atom]?.push(r);
  return { atoms, bonds, neighbours, rings, atomRings };
}

export const isRingBond = (g: MolGraph, a: number, b: number): boolean =>
  (g.atomRings[a] ?? []).some((r) => (g.atomRings[b] ?? []).includes(r));

/** Indices of the rings fused or bridged with ring `start` (sharing at least one atom), `start` included. */
export function ringSystem(g: MolGraph, start: number): number[] {
  const seen = new Set([start]);
  const queue = [start];
  while (queue.length > 0) {
    const r = queue.pop() as number;
    for (const atom of g.rings[r] ?? []) {
      for (const other of g.atomRings[atom] ?? []) {
        if (!seen.has(other)) {
          seen.add(other);
          queue.push(other);
        }
      }
    }
  }
  return [...seen];
}

/** Atoms of the substituent entered from `from` through `root`, not crossing `stop` atoms. */
export function groupAtoms(g: MolGraph, root: number, from: number, stop: ReadonlySet<number> = new Set()): number[] {
  const seen = new Set([from, root]);
  const out = [root];
  const queue = [root];
  while (queue.length > 0) {
    const atom = queue.pop() as number;
    for (const [next] of g.neighbours[atom] ?? []) {
      if (seen.has(next) || stop.has(next)) continue;
      seen.add(next);
      out.push(next);
      queue.push(next);
    }
  }
  return out;
}

/**
 * An upper bound on the longest simple path, in atoms: every ring system counts all its atoms and the
 * bridges between them form a tree, whose heaviest path bounds any path. RDKit's recursive graph walks go
 * no deeper than the longest path, so this keeps them inside the WebAssembly stack.
 */
export function longestPathBound(g: MolGraph): number {
  const n = g.atoms.length;
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x] as number] as number;
      x = parent[x] as number;
    }
    return x;
  };
  for (const bond of g.bonds) if (isRingBond(g, bond.a, bond.b)) parent[find(bond.a)] = find(bond.b);
  const weight = new Map<number, number>();
  for (let i = 0; i < n; i++) weight.set(find(i), (weight.get(find(i)) ?? 0) + 1);
  const tree = new Map<number, number[]>();
  for (const bond of g.bonds) {
    const [a, b] = [find(bond.a), find(bond.b)];
    if (a === b) continue;
    tree.set(a, [...(tree.get(a) ?? []), b]);
    tree.set(b, [...(tree.get(b) ?? []), a]);
  }
  // Heaviest path in a node-weighted forest, iteratively (the graph may be a long chain).
  let best = 0;
  const visited = new Set<number>();
  const down = new Map<number, number>();
  for (const root of weight.keys()) {
    if (visited.has(root)) continue;
    const order: [number, number][] = [];
    const stack: [number, number][] = [[root, -1]];
    visited.add(root);
    while (stack.length > 0) {
      const [node, from] = stack.pop() as [number, number];
      order.push([node, from]);
      for (const next of tree.get(node) ?? []) {
        if (next !== from && !visited.has(next)) {
          visited.add(next);
          stack.push([next, node]);
        }
      }
    }
    for (let i = order.length - 1; i >= 0; i--) {
      const [node, from] = order[i] as [number, number];
      const children = (tree.get(node) ?? [])
        .filter((c) => c !== from)
        .map((c) => down.get(c) ?? 0)
        .sort((x, y) => y - x);
      const own = weight.get(node) ?? 0;
      down.set(node, own + (children[0] ?? 0));
      best = Math.max(best, own + (children[0] ?? 0) + (children[1] ?? 0));
    }
  }
  return best;
}
