import rdkitPackage, { type MainModule, type Mol } from '@rdkit/rdkit';
import { validationError } from '../../common/errors.ts';

export type { MainModule, Mol };

/**
 * One RDKit MinimalLib (WebAssembly) instance per process, loaded on first use.
 *
 * Deep recursion inside RDKit (very long chains) overruns the WebAssembly stack; the instance is then
 * corrupt and every later call fails. Input checks keep such structures out, and as a second line
 * `guard()` turns any WebAssembly trap into a validation error and throws the instance away, so the next
 * call loads a fresh one instead of the node failing from then on.
 */
let instance: Promise<MainModule> | undefined;
// The package is CommonJS whose module.exports is the factory and also carries it as `.default`.
const initRDKitModule = rdkitPackage.default;
let generation = 0;

export async function loadRDKit(): Promise<MainModule> {
  const loading = (instance ??= initRDKitModule().catch((error: unknown) => {
    instance = undefined;
    throw error;
  }));
  return loading;
}

/** A trap inside WebAssembly (stack overflow, out-of-bounds access): the instance cannot be trusted after it. */
const isWasmTrap = (error: unknown): boolean => error instanceof Error && error.constructor.name === 'RuntimeError';

/** Increases whenever the instance was replaced: objects made by an older one must be rebuilt. */
export const rdkitGeneration = (): number => generation;

/** Runs `work` against RDKit; a WebAssembly trap becomes a validation error on `field` and resets RDKit. */
export function guard<T>(field: string, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (isWasmTrap(error)) {
      instance = undefined;
      generation += 1;
      throw validationError([{ path: field, message: 'structure is too large or too complex to process' }]);
    }
    throw error;
  }
}

/** Runs `work(mol)` and deletes the WebAssembly object at once: each holds memory the GC never sees. */
export function using<T>(mol: Mol, work: (mol: Mol) => T): T {
  try {
    return work(mol);
  } finally {
    mol.delete();
  }
}
