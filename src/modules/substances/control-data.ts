import { readFileSync } from 'node:fs';
import { z } from 'zod';

/** The data files, validated on load: a typo in a list fails loudly at start, not as a wrong verdict later. */

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
export const JURISDICTIONS = ['UN', 'US', 'CN'] as const;
export type Jurisdiction = (typeof JURISDICTIONS)[number];

const SubstanceSchema = z.object({
  id: z.string().regex(/^[a-z0-9-]+$/),
  names: z.object({
    en: z.array(z.string()).min(1),
    zh: z.array(z.string()).optional(),
    es: z.array(z.string()).optional(),
  }),
  cas: z.array(z.string().regex(/^\d{2,7}-\d{2}-\d$/)).optional(),
  smiles: z.string().min(1),
  inchikey: z
    .string()
    .regex(/^[A-Z]{14}-[A-Z]{10}-[A-Z]$/)
    .optional(),
  source: z.string().optional(),
});
export type Substance = z.infer<typeof SubstanceSchema>;

const ListSchema = z.object({
  id: z.string(),
  jurisdiction: z.enum(JURISDICTIONS),
  kind: z.enum(['drug', 'precursor', 'export-licence']),
  title: z.string(),
  citation: z.string(),
  note: z.string().optional(),
});
export type ControlList = z.infer<typeof ListSchema>;

const EntrySchema = z.object({
  substance: z.string(),
  list: z.string(),
  schedule: z.string(),
  effective: IsoDate,
  citation: z.string(),
  verified: z.boolean(),
  note: z.string().optional(),
});
export type ControlEntry = z.infer<typeof EntrySchema>;

const GroupKinds = z.array(z.string());
const PositionSchema = z.object({
  check: z.enum([
    'acyl',
    'aromatic-monocycle',
    'substituents',
    'phenethyl',
    'any-group',
    'n-derivative',
    'ketone-or-acetal',
    'amine',
  ]),
  atom: z.number().int().optional(),
  atoms: z.array(z.number().int()).optional(),
  from: z.number().int().optional(),
  modification: z.string().default(''),
  modificationRing: z.string().optional(),
  modificationSubstituent: z.string().optional(),
  allowed: GroupKinds.optional(),
  required: z.boolean().optional(),
  /** Position names for substituents, by map number, e.g. { "3": "3-" } gives "3-methyl". */
  labels: z.record(z.string(), z.string()).optional(),
  parentAcyl: z.string().optional(),
  text: z.union([z.string(), z.record(z.string(), z.string())]),
});
export type PositionRule = z.infer<typeof PositionSchema> & { atom: number };

const DefinitionSchema = z.object({
  id: z.string(),
  jurisdiction: z.enum(JURISDICTIONS),
  kind: z.enum(['drug', 'precursor']),
  title: z.string(),
  schedule: z.string(),
  parentName: z.string(),
  excludesListed: z.boolean().default(false),
  verified: z.boolean(),
  note: z.string().optional(),
  versions: z.array(z.object({ effective: IsoDate, citation: z.string() })).min(1),
  text: z.string(),
  scaffold: z.string(),
  positions: z.array(PositionSchema).min(1),
});
export type ClassDefinition = Omit<z.infer<typeof DefinitionSchema>, 'positions'> & { positions: PositionRule[] };

const InterpretationSchema = z.object({ default: z.boolean(), doc: z.string() });

const SubstancesFile = z.object({ substances: z.array(SubstanceSchema) });
const ListsFile = z.object({ version: z.string(), lists: z.array(ListSchema), entries: z.array(EntrySchema) });
const DefinitionsFile = z.object({
  version: z.string(),
  interpretations: z.object({
    carbamateIsAcyl: InterpretationSchema,
    carbamoylIsAcyl: InterpretationSchema,
    thioacylIsAcyl: InterpretationSchema,
    cycloalkylIsAlkyl: InterpretationSchema,
  }),
  neighbours: z.object({ radius: z.number().int(), nBits: z.number().int(), tanimoto: z.number().min(0).max(1) }),
  definitions: z.array(DefinitionSchema),
});

export interface ControlData {
  substances: Substance[];
  lists: ControlList[];
  entries: ControlEntry[];
  listsVersion: string;
  definitions: ClassDefinition[];
  definitionsVersion: string;
  interpretations: z.infer<typeof DefinitionsFile>['interpretations'];
  neighbours: z.infer<typeof DefinitionsFile>['neighbours'];
}

export const DATA_DIR = new URL('./data/', import.meta.url);

function readJson<S extends z.ZodType>(file: string, schema: S): z.infer<S> {
  const parsed = schema.safeParse(JSON.parse(readFileSync(new URL(file, DATA_DIR), 'utf8')));
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`src/modules/substances/data/${file} is invalid: ${issues}`);
  }
  return parsed.data;
}

/** Reads and cross-checks the three data files (every entry names a known substance and list, and so on). */
export function loadControlData(): ControlData {
  const { substances } = readJson('substances.json', SubstancesFile);
  const lists = readJson('control-lists.json', ListsFile);
  const defs = readJson('class-definitions.json', DefinitionsFile);
  const ids = new Set(substances.map((s) => s.id));
  const listIds = new Set(lists.lists.map((l) => l.id));
  const problems: string[] = [];
  if (ids.size !== substances.length) problems.push('substances.json has duplicate ids');
  for (const entry of lists.entries) {
    if (!ids.has(entry.substance))
      problems.push(`control-lists.json: entry names unknown substance "${entry.substance}"`);
    if (!listIds.has(entry.list)) problems.push(`control-lists.json: entry names unknown list "${entry.list}"`);
  }
  for (const def of defs.definitions) {
    for (const rule of def.positions) {
      if (rule.atom === undefined && rule.atoms === undefined)
        problems.push(`${def.id}: a ${rule.check} check names no atom`);
    }
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
  return {
    substances,
    lists: lists.lists,
    entries: lists.entries,
    listsVersion: lists.version,
    definitions: defs.definitions as ClassDefinition[],
    definitionsVersion: defs.version,
    interpretations: defs.interpretations,
    neighbours: defs.neighbours,
  };
}
