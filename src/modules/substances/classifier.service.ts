import { distance } from 'fastest-levenshtein';
import { validationError } from '../../common/errors.ts';
import { evaluateMatch, scaffoldMap, type ClassEvaluation } from './class-rules.ts';
import {
  JURISDICTIONS,
  loadControlData,
  type ClassDefinition,
  type ControlData,
  type ControlEntry,
  type ControlList,
  type Jurisdiction,
  type Substance,
} from './control-data.ts';
import { averageMass, formulaOf } from './formula.ts';
import { graphFromJson, longestPathBound, type MolGraph } from './mol-graph.ts';
import { guard, loadRDKit, rdkitGeneration, type MainModule, type Mol } from './rdkit.runtime.ts';
import {
  LIMITS,
  checkInchi,
  checkMolfile,
  checkSmiles,
  detectFormat,
  type StructureFormat,
} from './structure-input.ts';
import type { Interpretations } from './substituents.ts';

export type Status = 'controlled' | 'controlled-by-class' | 'precursor' | 'uncontrolled-analogue' | 'not-controlled';

export interface Verdict {
  jurisdiction: Jurisdiction;
  status: Status;
  /** One sentence a reader can check: the list, schedule and citation, or the class and its modifications. */
  basis: string;
  entries?: EntryRef[];
  classDefinition?: { id: string; title: string; citation: string; modifications: string[]; failures: string[] };
  neighbour?: { substance: string; name: string; similarity: number };
}

export interface EntryRef {
  substance: string;
  name: string;
  list: string;
  schedule: string;
  effective: string;
  citation: string;
  verified: boolean;
  /** Matched a stereoisomer or another form (salt, charge) of the listed substance. */
  form: 'same' | 'stereoisomer' | 'other-form';
}

export interface Identity {
  canonicalSmiles: string;
  inchi: string;
  inchikey: string;
  formula: string;
  mass: number | null;
  /** Counter-ions and solvents removed to get the parent (largest organic fragment), as SMILES. */
  removedFragments: string[];
}

export interface Classification extends Identity {
  /** Listed substances this structure is (by name of the listed substance). */
  matches: { id: string; name: string; form: EntryRef['form'] }[];
  verdicts: Verdict[];
  /** Every class definition whose scaffold matched, met or not, with the modifications or failures. */
  classes: {
    definition: string;
    jurisdiction: Jurisdiction;
    meets: boolean;
    modifications: { code: string; detail: string }[];
    failures: string[];
  }[];
  asOf: string;
  dataVersion: string;
}

export interface ClassifyOptions {
  /** Classify as the law stood on this date (YYYY-MM-DD); default today. */
  asOf?: string;
  interpretations?: Partial<Interpretations>;
  jurisdictions?: readonly Jurisdiction[];
}

/** What to classify: a structure (SMILES, InChI, molfile) or `q`, free text that may also be a CAS number or a name. */
export interface StructureQuery {
  smiles?: string;
  inchi?: string;
  molfile?: string;
  q?: string;
}

interface Reference {
  index: number;
  substance: Substance;
  /** Kept for the life of the process: exact matches are confirmed by substructure test, cheaper than SMILES. */
  mol: Mol;
  atoms: number;
  bonds: number;
  fp: Uint32Array;
  fpBits: number;
  fpKey: string;
  graph: MolGraph;
  /** Class evaluations of this reference, by interpretation settings. */
  evaluations: Map<string, ClassEvaluation[]>;
  keySmiles: string;
  isoSmiles: string;
  inchikey: string;
}

interface CompiledScaffold {
  query: Mol;
  map: Map<number, number>;
  definitions: ClassDefinition[];
}

const STATUS_RANK: Record<Status, number> = {
  controlled: 4,
  'controlled-by-class': 3,
  precursor: 2,
  'uncontrolled-analogue': 1,
  'not-controlled': 0,
};

const KEEP_HS = JSON.stringify({ removeHs: false });
const NO_STEREO = JSON.stringify({ doIsomericSmiles: false });

const today = (): string => new Date().toISOString().slice(0, 10);
const normalizeName = (s: string): string =>
  s
    .normalize('NFKC')
    .toLowerCase()
    .replace(/α/g, 'alpha')
    .replace(/β/g, 'beta')
    .replace(/[\s\-_,'()[\]{}.·]/g, '');

function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** Bits set in a fingerprint. */
export function bitCount(fp: Uint32Array): number {
  let n = 0;
  for (let i = 0; i < fp.length; i++) n += popcount32(fp[i] as number);
  return n;
}

/** Tanimoto similarity when both bit counts are known: one popcount per word instead of two. */
export function tanimotoWithCounts(a: Uint32Array, aBits: number, b: Uint32Array, bBits: number): number {
  let both = 0;
  for (let i = 0; i < a.length; i++) both += popcount32((a[i] as number) & (b[i] as number));
  const either = aBits + bBits - both;
  return either === 0 ? 0 : both / either;
}

export function tanimoto(a: Uint32Array, b: Uint32Array): number {
  let both = 0;
  let either = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    both += popcount32(x & y);
    either += popcount32(x | y);
  }
  return either === 0 ? 0 : both / either;
}

const fpKey = (fp: Uint32Array): string => Buffer.from(fp.buffer, fp.byteOffset, fp.byteLength).toString('base64');

/**
 * Decides the control status of a structure in each jurisdiction from the data files: exact listings
 * (stereo-free, salts stripped), class-wide definitions checked position by position, precursor derivative
 * rules, and otherwise the nearest controlled neighbour. One instance per process; RDKit query molecules
 * and reference fingerprints are prepared once.
 */
export class SubstanceClassifier {
  private rdkit!: MainModule;
  private generation = -1;
  private references: Reference[] = [];
  private bySkeleton = new Map<string, Reference[]>();
  /** By heavy-atom and bond count: the only references an input can be identical to. */
  private byShape = new Map<string, Reference[]>();
  private scaffolds: CompiledScaffold[] = [];
  /** Per jurisdiction: the substances controlled there and since when, for the neighbour search. */
  private controlledSince = new Map<Jurisdiction, Map<string, string>>();
  /** Tanimoto similarity between references: the neighbour search of an input identical to a reference. */
  private referenceSimilarities: Float64Array[] = [];
  private readonly listById: Map<string, ControlList>;
  private readonly entriesBySubstance = new Map<string, ControlEntry[]>();
  private readonly names = new Map<string, Substance>();
  private readonly cas = new Map<string, Substance>();
  private readonly fpDetails: string;

  private constructor(readonly data: ControlData) {
    this.listById = new Map(data.lists.map((l) => [l.id, l]));
    for (const entry of data.entries) {
      this.entriesBySubstance.set(entry.substance, [...(this.entriesBySubstance.get(entry.substance) ?? []), entry]);
    }
    for (const s of data.substances) {
      for (const name of [...s.names.en, ...(s.names.zh ?? []), ...(s.names.es ?? [])])
        this.names.set(normalizeName(name), s);
      for (const number of s.cas ?? []) this.cas.set(number, s);
    }
    this.fpDetails = JSON.stringify({ radius: data.neighbours.radius, nBits: data.neighbours.nBits });
  }

  static async create(data: ControlData = loadControlData()): Promise<SubstanceClassifier> {
    const classifier = new SubstanceClassifier(data);
    await classifier.prepare();
    return classifier;
  }

  get dataVersion(): string {
    return `lists ${this.data.listsVersion}, definitions ${this.data.definitionsVersion}`;
  }

  /** (Re)builds everything that lives inside RDKit: needed at start and after RDKit was reset by a trap. */
  private async prepare(): Promise<void> {
    if (this.generation === rdkitGeneration() && this.rdkit) return;
    this.rdkit = await loadRDKit();
    this.generation = rdkitGeneration();
    for (const ref of this.references) if (!ref.mol.isDeleted()) ref.mol.delete();
    this.references = [];
    this.bySkeleton.clear();
    this.byShape.clear();
    for (const substance of this.data.substances) {
      const mol = this.rdkit.get_mol(substance.smiles, KEEP_HS);
      if (!mol) throw new Error(`substances.json: ${substance.id} has a SMILES RDKit cannot parse`);
      {
        const fp = this.fingerprint(mol);
        const graph = graphFromJson(mol.get_json());
        const ref: Reference = {
          index: this.references.length,
          substance,
          mol,
          atoms: mol.get_num_atoms(),
          bonds: mol.get_num_bonds(),
          fp,
          fpBits: bitCount(fp),
          fpKey: fpKey(fp),
          graph,
          evaluations: new Map(),
          keySmiles: mol.get_smiles(NO_STEREO),
          isoSmiles: mol.get_smiles(),
          inchikey: substance.inchikey ?? this.rdkit.get_inchikey_for_inchi(mol.get_inchi()),
        };
        this.references.push(ref);
        const shape = `${ref.atoms}/${ref.bonds}`;
        this.byShape.set(shape, [...(this.byShape.get(shape) ?? []), ref]);
        const skeleton = ref.inchikey.slice(0, 14);
        this.bySkeleton.set(skeleton, [...(this.bySkeleton.get(skeleton) ?? []), ref]);
      }
    }
    this.referenceSimilarities = this.references.map(
      (a) => new Float64Array(this.references.map((b) => tanimoto(a.fp, b.fp))),
    );
    const bySmarts = new Map<string, ClassDefinition[]>();
    for (const d of this.data.definitions) bySmarts.set(d.scaffold, [...(bySmarts.get(d.scaffold) ?? []), d]);
    this.scaffolds = [...bySmarts].map(([smarts, definitions]) => {
      const query = this.rdkit.get_qmol(smarts);
      if (!query)
        throw new Error(`class-definitions.json: ${definitions[0]?.id} has a scaffold SMARTS RDKit cannot parse`);
      return { query, map: scaffoldMap(smarts), definitions };
    });
    for (const j of JURISDICTIONS) {
      const since = new Map<string, string>();
      for (const entry of this.data.entries) {
        const list = this.listById.get(entry.list);
        if (list?.jurisdiction !== j || list.kind === 'export-licence') continue;
        const known = since.get(entry.substance);
        if (!known || entry.effective < known) since.set(entry.substance, entry.effective);
      }
      this.controlledSince.set(j, since);
    }
  }

  private fingerprint(mol: Mol): Uint32Array {
    const bytes = mol.get_morgan_fp_as_uint8array(this.fpDetails) as Uint8Array;
    const copy = new Uint8Array(bytes.length + ((4 - (bytes.length % 4)) % 4));
    copy.set(bytes);
    return new Uint32Array(copy.buffer);
  }

  /** Resolves a query to the text of a structure, looking names and CAS numbers up in the data. */
  resolve(query: StructureQuery): { format: StructureFormat; text: string; field: string } {
    const given = (['smiles', 'inchi', 'molfile', 'q'] as const).filter((k) => typeof query[k] === 'string');
    if (given.length === 0) {
      throw validationError([
        { path: 'q', message: 'give a structure: smiles, inchi, molfile, or q (structure, CAS number or name)' },
      ]);
    }
    if (given.length > 1)
      throw validationError([{ path: given[1] as string, message: `give only one of ${given.join(', ')}` }]);
    const field = given[0] as 'smiles' | 'inchi' | 'molfile' | 'q';
    const text = query[field] as string;
    if (field !== 'q') return { format: field, text, field };
    const trimmed = text.trim();
    if (trimmed === '') throw validationError([{ path: 'q', message: 'is empty' }]);
    if (trimmed.length > LIMITS.molfileChars)
      throw validationError([{ path: 'q', message: `is ${trimmed.length} characters long` }]);
    const byCas = this.cas.get(trimmed);
    if (byCas) return { format: 'smiles', text: byCas.smiles, field };
    const byName = this.lookupName(trimmed);
    if (byName) return { format: 'smiles', text: byName.smiles, field };
    const format = detectFormat(text);
    if (format) return { format, text, field };
    if (/^\d{2,7}-\d{2}-\d$/.test(trimmed)) {
      throw validationError([
        { path: 'q', message: `CAS number ${trimmed} is not in the control data; give a structure` },
      ]);
    }
    throw validationError([
      { path: 'q', message: `"${trimmed.slice(0, 80)}" is neither a structure nor a known name or CAS number` },
    ]);
  }

  /** Exact name (English, Chinese or Spanish, ignoring case, spaces and hyphens), else the closest within 2 edits. */
  lookupName(text: string): Substance | undefined {
    const key = normalizeName(text);
    if (key.length === 0) return undefined;
    const exact = this.names.get(key);
    if (exact || key.length < 5) return exact;
    let best: { s: Substance; d: number } | undefined;
    for (const [name, s] of this.names) {
      if (Math.abs(name.length - key.length) > 2) continue;
      const d = distance(name, key);
      if (d <= 2 && (!best || d < best.d)) best = { s, d };
    }
    return best?.s;
  }

  /** Parses and checks a structure; the caller must delete the returned parent molecule. */
  private parse(format: StructureFormat, text: string, field: string): { mol: Mol; removed: string[] } {
    const rd = this.rdkit;
    let input: string;
    if (format === 'inchi') {
      const inchi = checkInchi(field, text);
      const key = rd.get_inchikey_for_inchi(inchi);
      if (!key) throw validationError([{ path: field, message: 'is not a valid InChI' }]);
      const known =
        this.bySkeleton.get(key.slice(0, 14))?.find((r) => r.inchikey === key) ??
        this.bySkeleton.get(key.slice(0, 14))?.[0];
      if (!known) {
        throw validationError([
          {
            path: field,
            message:
              'RDKit MinimalLib cannot build a structure from InChI; this InChI is not in the control data: give SMILES or a molfile',
          },
        ]);
      }
      input = known.isoSmiles;
    } else {
      input = format === 'smiles' ? checkSmiles(field, text) : checkMolfile(field, text);
    }
    // Removing explicit hydrogens is a third of RDKit's parse time and a no-op when the input has no
    // hydrogen atoms of its own ([H], [2H]): skip it then. The result is the same molecule either way.
    const explicitH =
      format === 'molfile' ? /^\s+-?\d+\.\d+\s+-?\d+\.\d+\s+-?\d+\.\d+\s+H\s/m.test(input) : /\[\d*H[^a-z]/.test(input);
    const mol = guard(field, () => (explicitH ? rd.get_mol(input) : rd.get_mol(input, KEEP_HS)));
    if (!mol) {
      throw validationError([
        {
          path: field,
          message: `is not a valid ${format === 'molfile' ? 'molfile' : 'SMILES'}: RDKit could not parse it (check valences, rings and brackets)`,
        },
      ]);
    }
    let parent = mol;
    const removed: string[] = [];
    try {
      const atoms = mol.get_num_atoms();
      if (atoms === 0) throw validationError([{ path: field, message: 'has no atoms' }]);
      if (atoms > LIMITS.atoms)
        throw validationError([{ path: field, message: `has ${atoms} atoms; at most ${LIMITS.atoms}` }]);
      if (atoms > LIMITS.chain) {
        const bound = longestPathBound(graphFromJson(guard(field, () => mol.get_json())));
        if (bound > LIMITS.chain) {
          throw validationError([
            {
              path: field,
              message: `has paths of up to ${bound} atoms through chains and ring systems; at most ${LIMITS.chain}`,
            },
          ]);
        }
      }
      if (format === 'molfile' || input.includes('.'))
        parent = guard(field, () => this.largestOrganicFragment(mol, removed));
      return { mol: parent, removed };
    } catch (error) {
      if (parent !== mol) parent.delete();
      mol.delete();
      throw error;
    } finally {
      if (parent !== mol) mol.delete();
    }
  }

  /** The salt-stripped parent: the largest carbon-containing fragment, or the whole input when none has carbon. */
  private largestOrganicFragment(mol: Mol, removed: string[]): Mol {
    const frags = mol.get_frags() as { molList: { size(): number; at(i: number): Mol | null; delete(): void } };
    const list = frags.molList;
    try {
      const n = list.size();
      if (n <= 1) return mol.copy() as Mol;
      const parts: { mol: Mol; smiles: string; heavy: number; organic: boolean }[] = [];
      for (let i = 0; i < n; i++) {
        const part = list.at(i);
        if (!part) continue;
        const smiles = part.get_smiles();
        parts.push({
          mol: part,
          smiles,
          heavy: part.get_num_atoms(true),
          organic: /[Cc]/.test(smiles.replace(/Cl|Ca|Cu|Co|Cr|Cs|Cd|Ce/g, '')),
        });
      }
      const organic = parts.filter((p) => p.organic);
      if (organic.length === 0) {
        for (const p of parts) p.mol.delete();
        return mol.copy() as Mol;
      }
      organic.sort((a, b) => b.heavy - a.heavy);
      const keep = organic[0] as (typeof parts)[number];
      for (const p of parts) {
        if (p !== keep) {
          removed.push(p.smiles);
          p.mol.delete();
        }
      }
      return keep.mol;
    } finally {
      list.delete();
    }
  }

  /** Classifies one structure in every jurisdiction. Bad input throws a validation error naming the field. */
  async classify(query: StructureQuery, options: ClassifyOptions = {}): Promise<Classification> {
    await this.prepare();
    const { format, text, field } = this.resolve(query);
    return this.classifyText(format, text, field, options);
  }

  /** The synchronous core, for batches: call `ready()` once before. */
  classifyText(format: StructureFormat, text: string, field: string, options: ClassifyOptions = {}): Classification {
    const asOf = options.asOf ?? today();
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf))
      throw validationError([{ path: 'asOf', message: 'must be a date YYYY-MM-DD' }]);
    const { mol, removed } = this.parse(format, text, field);
    try {
      return guard(field, () => {
        const decision = this.decide(mol, text, asOf, options);
        const identity = this.identify(mol, removed, decision.graph);
        return { ...identity, ...decision.result, asOf, dataVersion: this.dataVersion };
      });
    } finally {
      mol.delete();
    }
  }

  /** Verdicts only, without InChI: what a batch needs per row. */
  decideText(
    format: StructureFormat,
    text: string,
    field: string,
    options: ClassifyOptions = {},
  ): Pick<Classification, 'verdicts' | 'matches'> {
    const asOf = options.asOf ?? today();
    const { mol } = this.parse(format, text, field);
    try {
      return guard(field, () => this.decide(mol, text, asOf, options).result);
    } finally {
      mol.delete();
    }
  }

  async ready(): Promise<void> {
    await this.prepare();
  }

  private identify(mol: Mol, removed: string[], known?: MolGraph): Identity {
    const canonicalSmiles = mol.get_smiles();
    const inchi = mol.get_inchi();
    const inchikey = inchi ? this.rdkit.get_inchikey_for_inchi(inchi) : '';
    const g = known ?? graphFromJson(mol.get_json());
    const { formula, counts } = formulaOf(g);
    let mass = averageMass(counts) ?? null;
    if (mass === null) {
      const amw = (JSON.parse(mol.get_descriptors()) as { amw?: number }).amw;
      mass = amw === undefined ? null : Math.round(amw * 1000) / 1000;
    }
    return { canonicalSmiles, inchi, inchikey, formula, mass, removedFragments: removed };
  }

  private decide(
    mol: Mol,
    text: string,
    asOf: string,
    options: ClassifyOptions,
  ): { result: Pick<Classification, 'verdicts' | 'matches' | 'classes'>; graph?: MolGraph } {
    const cfg: Interpretations = {
      carbamateIsAcyl: this.data.interpretations.carbamateIsAcyl.default,
      carbamoylIsAcyl: this.data.interpretations.carbamoylIsAcyl.default,
      thioacylIsAcyl: this.data.interpretations.thioacylIsAcyl.default,
      cycloalkylIsAlkyl: this.data.interpretations.cycloalkylIsAlkyl.default,
      ...options.interpretations,
    };
    // The fingerprint is computed only when something needs it: an exact-match candidate of the same size,
    // or a jurisdiction that falls through to the neighbour search.
    let fp: Uint32Array | undefined;
    const fingerprint = (): Uint32Array => (fp ??= this.fingerprint(mol));
    // A listed substance's class evaluations are a property of the data: an input with the same constitution
    // as a reference (its twin) gets the reference's, evaluated once, without reading its own graph.
    let twin: Reference | undefined;
    const matches = this.exactMatches(mol, text, fingerprint, (ref) => (twin ??= ref));
    let graph: MolGraph | undefined;
    let evaluations: ClassEvaluation[];
    if (twin) {
      evaluations = this.referenceEvaluations(twin, cfg);
    } else {
      evaluations = this.evaluateClasses(mol, cfg, () => (graph ??= graphFromJson(mol.get_json())));
    }

    const jurisdictions = options.jurisdictions ?? JURISDICTIONS;
    let similarities: number[] | undefined;
    const similarity = (): number[] => {
      if (similarities) return similarities;
      const exclude = new Set(matches.map((m) => m.ref.substance.id));
      // A twin has the input's fingerprint, so its similarities to the other references are the input's.
      const known = twin && this.referenceSimilarities[twin.index];
      const query = known ? undefined : fingerprint();
      const queryBits = query ? bitCount(query) : 0;
      similarities = this.references.map((ref) =>
        exclude.has(ref.substance.id)
          ? -1
          : known
            ? (known[ref.index] as number)
            : tanimotoWithCounts(query as Uint32Array, queryBits, ref.fp, ref.fpBits),
      );
      return similarities;
    };
    const verdicts = jurisdictions.map((j) => this.verdictFor(j, matches, evaluations, similarity, asOf));
    return {
      result: {
        matches: matches.map((m) => ({
          id: m.ref.substance.id,
          name: m.ref.substance.names.en[0] as string,
          form: m.form,
        })),
        verdicts,
        classes: evaluations.map((e) => ({
          definition: e.definition.id,
          jurisdiction: e.definition.jurisdiction,
          meets: e.meets && !e.isParent,
          modifications: e.modifications.map((m) => ({ code: m.code, detail: m.detail })),
          failures: [...e.failures],
        })),
      },
      ...(graph ? { graph } : {}),
    };
  }

  /**
   * Class definitions met or nearly met: one substructure search per scaffold, the graph only when one hits.
   * No prefilter: a generic piperidine query in front cost more than it saved (a hit costs several times a
   * miss, and most inputs with a piperidine go on to hit a scaffold anyway).
   */
  private evaluateClasses(mol: Mol, cfg: Interpretations, graphOf: () => MolGraph): ClassEvaluation[] {
    const evaluations: ClassEvaluation[] = [];
    for (const { query, map, definitions } of this.scaffolds) {
      const hits = mol.get_substruct_matches(query);
      if (hits === '{}' || hits === '[]') continue;
      const graph = graphOf();
      const found = JSON.parse(hits) as { atoms: number[] }[];
      for (const definition of definitions) {
        // The first match that meets the definition, else the first match (for its near-miss explanation).
        let first: ClassEvaluation | undefined;
        let meeting: ClassEvaluation | undefined;
        for (const m of found) {
          const result = evaluateMatch(graph, definition, m.atoms, map, cfg);
          first ??= result;
          if (result.meets) {
            meeting = result;
            break;
          }
        }
        const best = meeting ?? first;
        if (best) evaluations.push(best);
      }
    }
    return evaluations;
  }

  /** Shared between calls: results copy what they hand out (arrays included), never the evaluations themselves. */
  private referenceEvaluations(ref: Reference, cfg: Interpretations): ClassEvaluation[] {
    const key = JSON.stringify(cfg);
    let known = ref.evaluations.get(key);
    if (!known) {
      known = this.evaluateClasses(ref.mol, cfg, () => ref.graph);
      ref.evaluations.set(key, known);
    }
    return known;
  }

  /** Listed substances this structure is: same stereo-free structure, or the same InChIKey skeleton for charged forms. */
  private exactMatches(
    mol: Mol,
    text: string,
    fingerprint: () => Uint32Array,
    sameConstitution: (ref: Reference) => void,
  ): { ref: Reference; form: EntryRef['form'] }[] {
    const atoms = mol.get_num_atoms();
    const bonds = mol.get_num_bonds();
    const out: { ref: Reference; form: EntryRef['form'] }[] = [];
    // Equal Morgan fingerprints (which encode elements, charges and hydrogen counts), equal atom and bond
    // counts and a substructure match mean the same constitution: stereo aside, the same substance. Only
    // references of the same size can qualify: without one, no fingerprint is needed here.
    const shape = this.byShape.get(`${atoms}/${bonds}`);
    if (shape) {
      const key = fpKey(fingerprint());
      let iso: string | undefined;
      for (const ref of shape) {
        if (ref.fpKey !== key || mol.get_substruct_match(ref.mol) === '{}') continue;
        sameConstitution(ref);
        // Without stereo or isotope marks in the input, the structure is the same unless the reference has them.
        const marked = /[@/\\]|\[\d/.test(text);
        if (marked) iso ??= mol.get_smiles();
        const same = marked ? ref.isoSmiles === iso : ref.isoSmiles === ref.keySmiles;
        out.push({ ref, form: same ? 'same' : 'stereoisomer' });
      }
    }
    // Ions (a carboxylate from a sodium salt, a protonated amine) have another fingerprint: InChI neutralises them.
    if (out.length === 0 && /[+-]/.test(text)) {
      const inchi = mol.get_inchi();
      const key = inchi ? this.rdkit.get_inchikey_for_inchi(inchi) : '';
      for (const ref of this.bySkeleton.get(key.slice(0, 14)) ?? []) {
        out.push({ ref, form: ref.inchikey === key ? 'same' : 'other-form' });
      }
    }
    const same = out.filter((m) => m.form === 'same');
    return same.length > 0 ? same : out;
  }

  private activeVersion(definition: ClassDefinition, asOf: string) {
    return [...definition.versions].reverse().find((v) => v.effective <= asOf);
  }

  private verdictFor(
    jurisdiction: Jurisdiction,
    matches: { ref: Reference; form: EntryRef['form'] }[],
    evaluations: ClassEvaluation[],
    similarities: () => number[],
    asOf: string,
  ): Verdict {
    const entries: (EntryRef & { kind: ControlList['kind']; listTitle: string })[] = [];
    for (const { ref, form } of matches) {
      for (const entry of this.entriesBySubstance.get(ref.substance.id) ?? []) {
        const list = this.listById.get(entry.list);
        if (!list || list.jurisdiction !== jurisdiction || entry.effective > asOf) continue;
        entries.push({
          substance: ref.substance.id,
          name: ref.substance.names.en[0] as string,
          list: entry.list,
          schedule: entry.schedule,
          effective: entry.effective,
          citation: entry.citation,
          verified: entry.verified,
          form,
          kind: list.kind,
          listTitle: list.title,
        });
      }
    }
    const inForce = evaluations.filter(
      (e) => e.definition.jurisdiction === jurisdiction && this.activeVersion(e.definition, asOf),
    );
    const meeting = inForce.filter((e) => e.meets && !e.isParent);
    const drugClass = meeting.find((e) => e.definition.kind === 'drug');
    const precursorRule = meeting.find((e) => e.definition.kind === 'precursor');
    const strip = ({ kind: _kind, listTitle: _title, ...ref }: (typeof entries)[number]): EntryRef => ref;
    const describeEntry = (e: (typeof entries)[number]) =>
      `${e.form === 'stereoisomer' ? `a stereoisomer of ${e.name}, ` : e.form === 'other-form' ? `a form of ${e.name}, ` : ''}` +
      `${e.listTitle}: ${e.schedule} (${e.citation}; since ${e.effective}${e.verified ? '' : '; entry not verified against the official text'})`;
    const classRef = (e: ClassEvaluation) => ({
      id: e.definition.id,
      title: e.definition.title,
      citation: this.activeVersion(e.definition, asOf)?.citation ?? '',
      modifications: e.modifications.map((m) => `(${m.code}) ${m.detail}`),
      failures: [...e.failures],
    });
    const describeClass = (e: ClassEvaluation) =>
      `${e.definition.title} (${this.activeVersion(e.definition, asOf)?.citation}${e.definition.verified ? '' : '; definition not verified, see its note'}): ` +
      e.modifications.map((m) => `(${m.code}) ${m.detail}`).join('; ');

    const drugs = entries.filter((e) => e.kind === 'drug');
    if (drugs.length > 0) {
      const also =
        drugClass && drugClass.definition.excludesListed
          ? ` It also meets ${drugClass.definition.id} by ${drugClass.modifications.map((m) => `(${m.code})`).join('+')}, but that class excludes substances listed elsewhere.`
          : '';
      return {
        jurisdiction,
        status: 'controlled',
        basis: `Listed: ${drugs.map(describeEntry).join('; ')}.${also}`,
        entries: drugs.map(strip),
        ...(drugClass ? { classDefinition: classRef(drugClass) } : {}),
      };
    }
    const precursors = entries.filter((e) => e.kind === 'precursor');
    if (drugClass) {
      const extra =
        precursors.length > 0 ? ` Also a listed precursor: ${precursors.map(describeEntry).join('; ')}.` : '';
      return {
        jurisdiction,
        status: 'controlled-by-class',
        basis: `Meets ${describeClass(drugClass)}.${extra}`,
        ...(precursors.length ? { entries: precursors.map(strip) } : {}),
        classDefinition: classRef(drugClass),
      };
    }
    if (precursors.length > 0) {
      return {
        jurisdiction,
        status: 'precursor',
        basis: `Listed precursor: ${precursors.map(describeEntry).join('; ')}.`,
        entries: precursors.map(strip),
      };
    }
    if (precursorRule) {
      return {
        jurisdiction,
        status: 'precursor',
        basis: `Derivative of a listed precursor: ${describeClass(precursorRule)}.`,
        classDefinition: classRef(precursorRule),
      };
    }
    const exportOnly = entries.filter((e) => e.kind === 'export-licence');
    const nearMiss = inForce.find((e) => !e.meets && e.definition.kind === 'drug') ?? inForce.find((e) => !e.meets);
    const neighbour = this.nearestControlled(jurisdiction, similarities, asOf);
    const threshold = this.data.neighbours.tanimoto;
    const exportNote = exportOnly.length ? ` Export licence needed: ${exportOnly.map(describeEntry).join('; ')}.` : '';
    if (nearMiss || (neighbour && neighbour.similarity >= threshold)) {
      const parts: string[] = [];
      if (neighbour)
        parts.push(`nearest controlled substance: ${neighbour.name} (Tanimoto ${neighbour.similarity.toFixed(2)})`);
      if (nearMiss)
        parts.push(
          `shares the scaffold of ${nearMiss.definition.id} (${nearMiss.definition.title}) but ${nearMiss.failures.join('; ')}`,
        );
      return {
        jurisdiction,
        status: 'uncontrolled-analogue',
        basis: `Not controlled: ${parts.join('; ')}.${exportNote}`,
        ...(nearMiss ? { classDefinition: classRef(nearMiss) } : {}),
        ...(neighbour ? { neighbour } : {}),
      };
    }
    return {
      jurisdiction,
      status: 'not-controlled',
      basis:
        `On no list in the control data (${this.dataVersion}) and within no class definition` +
        (neighbour
          ? `; nearest controlled substance ${neighbour.name} at Tanimoto ${neighbour.similarity.toFixed(2)} is below ${threshold}`
          : '') +
        `.${exportNote}`,
    };
  }

  private nearestControlled(jurisdiction: Jurisdiction, similaritiesOf: () => number[], asOf: string) {
    const since = this.controlledSince.get(jurisdiction);
    const similarities = similaritiesOf();
    let best = -1;
    let bestIndex = -1;
    for (let i = 0; i < this.references.length; i++) {
      const similarity = similarities[i] as number;
      if (similarity <= best) continue;
      const from = since?.get((this.references[i] as Reference).substance.id);
      if (from === undefined || from > asOf) continue;
      best = similarity;
      bestIndex = i;
    }
    const ref = this.references[bestIndex];
    if (!ref) return undefined;
    return {
      substance: ref.substance.id,
      name: ref.substance.names.en[0] as string,
      similarity: Math.round(best * 1000) / 1000,
    };
  }

  /** SVG of the structure with the atoms of the matched scaffold (or of the listed substance) highlighted. */
  async depict(query: StructureQuery, options: { width?: number; height?: number } = {}): Promise<string> {
    await this.prepare();
    const { format, text, field } = this.resolve(query);
    const { mol } = this.parse(format, text, field);
    try {
      return guard(field, () => {
        const atoms = new Set<number>();
        for (const { query: q } of this.scaffolds) {
          const hit = JSON.parse(mol.get_substruct_match(q)) as { atoms?: number[] };
          for (const a of hit.atoms ?? []) atoms.add(a);
        }
        const bonds = atoms.size ? this.bondsBetween(mol, atoms) : [];
        return mol.get_svg_with_highlights(
          JSON.stringify({ atoms: [...atoms], bonds, width: options.width ?? 400, height: options.height ?? 300 }),
        );
      });
    } finally {
      mol.delete();
    }
  }

  private bondsBetween(mol: Mol, atoms: Set<number>): number[] {
    const g = graphFromJson(mol.get_json());
    return g.bonds.flatMap((b, i) => (atoms.has(b.a) && atoms.has(b.b) ? [i] : []));
  }

  /** The strongest status among verdicts, for sorting and summaries. */
  static rank(status: Status): number {
    return STATUS_RANK[status];
  }
}
