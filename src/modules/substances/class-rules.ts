import type { ClassDefinition, PositionRule } from './control-data.ts';
import { isRingBond, type MolGraph } from './mol-graph.ts';
import {
  acylOn,
  classifyGroup,
  groupFormula,
  describeRing,
  isPropionyl,
  ringPosition,
  ringSystemOf,
  type Group,
  type Interpretations,
} from './substituents.ts';

/** One modification a substance shows relative to the class's parent, e.g. (D) "2-fluorophenyl". */
export interface Modification {
  code: string;
  text: string;
  detail: string;
}

export interface ClassEvaluation {
  definition: ClassDefinition;
  /** The scaffold matched and every position check passed. */
  meets: boolean;
  /** Matched with no modification at all: the parent compound itself. */
  isParent: boolean;
  modifications: Modification[];
  /** Why a position check failed (a near miss), in words. */
  failures: string[];
  /** Atoms of the matched scaffold, for the depiction. */
  atoms: number[];
}

interface PositionResult {
  modifications: Modification[];
  failures: string[];
}

/** Reads `:n` map numbers from a SMARTS whose atoms are all bracketed: query atom index by map number. */
export function scaffoldMap(smarts: string): Map<number, number> {
  const map = new Map<number, number>();
  let index = 0;
  let depth = 0;
  let start = 0;
  for (let i = 0; i < smarts.length; i++) {
    if (smarts[i] === '[') {
      if (depth === 0) start = i;
      depth += 1;
    } else if (smarts[i] === ']') {
      depth -= 1;
      // Recursive SMARTS ($(...)) nests brackets inside an atom: only the outermost bracket is an atom.
      if (depth === 0) {
        const number = /:(\d+)\]$/.exec(smarts.slice(start, i + 1));
        if (number) map.set(Number(number[1]), index);
        index += 1;
      }
    }
  }
  return map;
}

const isAcylAccepted = (kind: string, cfg: Interpretations): boolean =>
  kind === 'acyl' ||
  (kind === 'carbamate' && cfg.carbamateIsAcyl) ||
  (kind === 'carbamoyl' && cfg.carbamoylIsAcyl) ||
  (kind === 'thioacyl' && cfg.thioacylIsAcyl);

const INTERPRETATION_OF: Record<string, keyof Interpretations> = {
  carbamate: 'carbamateIsAcyl',
  carbamoyl: 'carbamoylIsAcyl',
  thioacyl: 'thioacylIsAcyl',
};

function kindAllowed(group: Group, allowed: readonly string[], cfg: Interpretations): boolean {
  if (allowed.includes('any')) return true;
  if (group.kind === 'cycloalkyl' && cfg.cycloalkylIsAlkyl) return allowed.includes('alkyl');
  return allowed.includes(group.kind);
}

/** Evaluates one class definition on a molecule, for one scaffold match (query index → atom index). */
export function evaluateMatch(
  g: MolGraph,
  definition: ClassDefinition,
  match: number[],
  map: Map<number, number>,
  cfg: Interpretations,
): ClassEvaluation {
  const scaffold = new Set(match);
  const at = (n: number): number => {
    const q = map.get(n);
    const atom = q === undefined ? undefined : match[q];
    if (atom === undefined) throw new Error(`class definition ${definition.id}: no scaffold atom mapped :${n}`);
    return atom;
  };
  const modifications: Modification[] = [];
  const failures: string[] = [];
  for (const rule of definition.positions) {
    const result = checkPosition(g, rule, at, scaffold, cfg);
    modifications.push(...result.modifications);
    failures.push(...result.failures);
  }
  return {
    definition,
    meets: failures.length === 0,
    isParent: failures.length === 0 && modifications.length === 0,
    modifications,
    failures,
    atoms: match,
  };
}

function checkPosition(
  g: MolGraph,
  rule: PositionRule,
  at: (n: number) => number,
  scaffold: ReadonlySet<number>,
  cfg: Interpretations,
): PositionResult {
  const mod = (detail: string, code = rule.modification, text = rule.text as string): PositionResult => ({
    modifications: [{ code, text, detail }],
    failures: [],
  });
  const fail = (why: string): PositionResult => ({ modifications: [], failures: [why] });
  const none: PositionResult = { modifications: [], failures: [] };

  switch (rule.check) {
    case 'acyl': {
      const info = acylOn(g, at(rule.atom), scaffold);
      if (rule.parentAcyl === 'propionyl' && isPropionyl(info)) return none;
      if (isAcylAccepted(info.kind, cfg)) return mod(`${info.label} instead of ${rule.parentAcyl}`);
      const setting = INTERPRETATION_OF[info.kind];
      return fail(
        `(${rule.modification}) not met: the anilide nitrogen carries ${info.label}, not an acyl group` +
          (setting ? ` under the configured interpretation (${setting} = ${cfg[setting]})` : ''),
      );
    }
    case 'aromatic-monocycle': {
      const atom = at(rule.atom);
      const system = ringSystemOf(g, atom);
      if (!system) return fail(`(${rule.modification}) not met: the group is not a ring`);
      if (system.length > 1) {
        const size = new Set(system.flatMap((r) => g.rings[r] ?? [])).size;
        return fail(
          `(${rule.modification}) not met: an aromatic monocycle is required, found a fused ring system of ${system.length} rings (${size} atoms)`,
        );
      }
      const ring = g.rings[system[0] as number] ?? [];
      if (!ring.every((i) => g.atoms[i]?.aromatic)) {
        return fail(`(${rule.modification}) not met: ${describeRing(g, ring)} is not aromatic`);
      }
      const ringSet = new Set(ring);
      const subs = ring.flatMap((i) =>
        (g.neighbours[i] ?? [])
          .filter(([n]) => !ringSet.has(n) && !(i === atom && n === at(rule.from ?? rule.atom)))
          .map(([n]) => ({ at: i, group: classifyGroup(g, n, i, new Set([...scaffold, ...ring])) })),
      );
      const name = describeRing(g, ring);
      if (name === 'benzene' && subs.length === 0) return none;
      const described =
        name === 'benzene'
          ? `${subs.map((s) => `${ringPosition(g, ring, atom, s.at)}${s.group.label}`).join(', ')} on the phenyl ring`
          : `${name}${subs.length ? ` bearing ${subs.map((s) => s.group.label).join(', ')}` : ''}`;
      return mod(described);
    }
    case 'substituents': {
      const atoms = (rule.atoms ?? []).map(at);
      const groups = atoms.flatMap((atom, k) =>
        (g.neighbours[atom] ?? [])
          .filter(([n]) => !scaffold.has(n))
          .map(([n]) => ({ position: rule.atoms?.[k], group: classifyGroup(g, n, atom, scaffold) })),
      );
      if (groups.length === 0) {
        return rule.required ? fail(`(${rule.modification}) not met: no substituent where the rule needs one`) : none;
      }
      const bad = groups.filter((s) => !kindAllowed(s.group, rule.allowed ?? [], cfg));
      if (bad.length > 0) {
        return fail(
          `(${rule.modification}) not met: ${bad.map((s) => s.group.label).join(', ')} is not among ${(rule.allowed ?? []).join(', ')}`,
        );
      }
      return mod(groups.map((s) => `${rule.labels?.[String(s.position)] ?? ''}${s.group.label}`).join(', '));
    }
    case 'phenethyl':
      return phenethyl(g, rule, at(rule.atom), scaffold, cfg);
    case 'any-group': {
      const n = at(rule.atom);
      const extra = (g.neighbours[n] ?? []).filter(([a]) => !scaffold.has(a));
      if (extra.length === 0) {
        return fail(
          `(${rule.modification}) not met: hydrogen on the piperidine nitrogen; the class needs another group there`,
        );
      }
      const [root] = extra[0] as [number, number];
      if (isPlainPhenethyl(g, root, n)) return none;
      return mod(`phenethyl replaced by ${describeNGroup(g, root, n, scaffold)}`);
    }
    case 'n-derivative': {
      const info = acylOn(g, at(rule.atom), scaffold);
      if (!(rule.allowed ?? []).includes(info.kind)) {
        return fail(
          `(${rule.modification}) not met: the nitrogen carries ${describeNGroup(g, info.atoms[0] ?? -1, at(rule.atom), scaffold, info.label)}`,
        );
      }
      return info.kind === 'hydrogen' ? none : mod(`${info.label} (${info.kind === 'acyl' ? 'an amide' : info.kind})`);
    }
    case 'ketone-or-acetal': {
      const c = at(rule.atom);
      const others = (g.neighbours[c] ?? []).filter(([n]) => !scaffold.has(n));
      const oxo =
        others.length === 1 && g.atoms[others[0]?.[0] ?? -1]?.z === 8 && g.bonds[others[0]?.[1] ?? -1]?.order === 2;
      if (oxo) return none;
      const acetal =
        others.length === 2 &&
        others.every(
          ([n, b]) => g.atoms[n]?.z === 8 && g.bonds[b]?.order === 1 && (g.neighbours[n] ?? []).length === 2,
        );
      return acetal
        ? mod('an acetal of the ketone')
        : fail(`(${rule.modification}) not met: the 4-position is neither a ketone nor an acetal`);
    }
    case 'amine': {
      const n = at(rule.atom);
      const carbonyl = (g.neighbours[n] ?? []).some(([a]) =>
        (g.neighbours[a] ?? []).some(([o, b]) => g.atoms[o]?.z === 8 && g.bonds[b]?.order === 2),
      );
      const aromatic = g.atoms[n]?.aromatic;
      return carbonyl || aromatic ? fail(`(${rule.modification}) not met: the nitrogen is not an amine`) : none;
    }
  }
}

/** N-CH2-CH2-phenyl with nothing else on it. */
function isPlainPhenethyl(g: MolGraph, root: number, n: number): boolean {
  const chain = (atom: number, from: number): number[] =>
    (g.neighbours[atom] ?? []).filter(([a]) => a !== from).map(([a]) => a);
  const ca = root;
  if (g.atoms[ca]?.z !== 6 || g.atoms[ca]?.hs !== 2) return false;
  const [cb, ...more] = chain(ca, n);
  if (cb === undefined || more.length > 0 || g.atoms[cb]?.z !== 6 || g.atoms[cb]?.hs !== 2) return false;
  const [ar, ...rest] = chain(cb, ca);
  if (ar === undefined || rest.length > 0) return false;
  const system = ringSystemOf(g, ar);
  if (!system || system.length !== 1) return false;
  const ring = g.rings[system[0] as number] ?? [];
  return describeRing(g, ring) === 'benzene' && ring.every((i) => i === ar || g.atoms[i]?.hs === 1);
}

/** A group on a nitrogen described for an explanation: "C7H7 (benzene ring 1 carbon from N)", "methyl". */
function describeNGroup(
  g: MolGraph,
  root: number,
  n: number,
  scaffold: ReadonlySet<number>,
  fallback?: string,
): string {
  if (fallback) return fallback;
  if (root < 0) return 'nothing';
  const group = classifyGroup(g, root, n, scaffold);
  // Breadth-first from the nitrogen to the first ring atom: how far the ring sits names the common aralkyl groups.
  let carbons = 0;
  let frontier = [root];
  const seen = new Set([n, root]);
  while (frontier.length > 0 && carbons < 8) {
    const ringAtom = frontier.find((a) => (g.atomRings[a] ?? []).length > 0);
    if (ringAtom !== undefined) {
      const system = ringSystemOf(g, ringAtom) ?? [];
      const ring =
        system.length === 1
          ? describeRing(g, g.rings[system[0] as number] ?? [])
          : `fused ring system (${system.length} rings)`;
      const formula = groupFormula(g, group.atoms);
      return `${formula} (${ring} ${carbons} carbon${carbons === 1 ? '' : 's'} from N)`;
    }
    carbons += 1;
    frontier = frontier.flatMap((a) =>
      (g.neighbours[a] ?? []).map(([b]) => b).filter((b) => !seen.has(b) && seen.add(b)),
    );
  }
  return group.label;
}

/** US modifications (A) and (B): the phenethyl group, its ring and its bridge. */
function phenethyl(
  g: MolGraph,
  rule: PositionRule,
  n1: number,
  scaffold: ReadonlySet<number>,
  cfg: Interpretations,
): PositionResult {
  const allowed = rule.allowed ?? [];
  const text = rule.text as Record<string, string>;
  const codeA = rule.modificationRing ?? 'A';
  const codeB = rule.modificationSubstituent ?? 'B';
  const extra = (g.neighbours[n1] ?? []).filter(([a]) => !scaffold.has(a)).map(([a]) => a);
  if (extra.length === 0) {
    return {
      modifications: [],
      failures: [
        'no group on the piperidine nitrogen (the phenethyl group is removed): not one of the modifications (A)-(E)',
      ],
    };
  }
  const ca = extra[0] as number;
  const plainC = (i: number) =>
    g.atoms[i]?.z === 6 &&
    !g.atoms[i]?.aromatic &&
    (g.atomRings[i] ?? []).length === 0 &&
    (g.neighbours[i] ?? []).every(([, b]) => g.bonds[b]?.order === 1);
  const whole = describeNGroup(g, ca, n1, scaffold);
  const notPhenethyl = (why: string): PositionResult => ({
    modifications: [],
    failures: [`the piperidine nitrogen carries ${whole}: ${why}; (A) and (B) keep the two-carbon bridge to a ring`],
  });
  if (!plainC(ca)) return notPhenethyl('not a phenethyl group');
  if ((g.neighbours[ca] ?? []).some(([a]) => a !== n1 && (g.atomRings[a] ?? []).length > 0)) {
    return notPhenethyl('the ring is one carbon from the nitrogen (chain shortened)');
  }
  for (const [cb] of g.neighbours[ca] ?? []) {
    if (cb === n1 || !plainC(cb)) continue;
    const ring0 = (g.neighbours[cb] ?? []).map(([a]) => a).find((a) => a !== ca && (g.atomRings[a] ?? []).length > 0);
    if (ring0 === undefined) continue;
    const mods: Modification[] = [];
    const failures: string[] = [];
    const path = new Set([...scaffold, ca, cb]);
    const bridgeSubs = [
      ...(g.neighbours[ca] ?? [])
        .filter(([a]) => a !== n1 && a !== cb)
        .map(([a]) => ({ on: 'alpha', group: classifyGroup(g, a, ca, path) })),
      ...(g.neighbours[cb] ?? [])
        .filter(([a]) => a !== ca && a !== ring0)
        .map(([a]) => ({ on: 'beta', group: classifyGroup(g, a, cb, path) })),
    ];
    const system = ringSystemOf(g, ring0) ?? [];
    if (system.length > 1) {
      const size = new Set(system.flatMap((r) => g.rings[r] ?? [])).size;
      failures.push(
        `(${codeA}) not met: the phenyl is replaced by a fused ring system of ${system.length} rings (${size} atoms), not a monocycle`,
      );
    }
    const ring = g.rings[system[0] ?? -1] ?? [];
    const ringSet = new Set(ring);
    const ringSubs = ring.flatMap((i) =>
      (g.neighbours[i] ?? [])
        .filter(([a]) => !ringSet.has(a) && a !== cb)
        .map(([a]) => ({ at: i, group: classifyGroup(g, a, i, new Set([...path, ...ring])) })),
    );
    const badBridge = bridgeSubs.filter((s) => !kindAllowed(s.group, allowed, cfg));
    if (badBridge.length > 0) {
      failures.push(
        `(${codeB}) not met: ${badBridge.map((s) => `${s.group.label} on the ${s.on} carbon`).join(', ')} is not among ${allowed.join(', ')}`,
      );
    } else if (bridgeSubs.length > 0) {
      mods.push({
        code: codeB,
        text: text[codeB] ?? '',
        detail: bridgeSubs.map((s) => `${s.on}-${s.group.label}`).join(', '),
      });
    }
    if (failures.length === 0) {
      const name = describeRing(g, ring);
      if (name === 'benzene') {
        if (ringSubs.length > 0 && ringSubs.every((s) => kindAllowed(s.group, allowed, cfg))) {
          mods.push({
            code: codeB,
            text: text[codeB] ?? '',
            detail: `${ringSubs.map((s) => `${ringPosition(g, ring, ring0, s.at)}${s.group.label}`).join(', ')} on the phenyl ring`,
          });
        } else if (ringSubs.length > 0) {
          mods.push({
            code: codeA,
            text: text[codeA] ?? '',
            detail: `phenyl further substituted with ${ringSubs.map((s) => s.group.label).join(', ')}`,
          });
        }
      } else {
        const bearing = ringSubs.length ? ` bearing ${ringSubs.map((s) => s.group.label).join(', ')}` : '';
        mods.push({ code: codeA, text: text[codeA] ?? '', detail: `phenyl replaced by ${name}${bearing}` });
      }
    }
    return { modifications: mods, failures };
  }
  return notPhenethyl(
    isRingBond(g, n1, ca)
      ? 'not a phenethyl group'
      : 'no ring two carbons from the nitrogen (chain lengthened, or no ring at all)',
  );
}
