import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  EMPTY_ROOT,
  leafHash,
  MerkleTree,
  nodeHash,
  splitPoint,
  verifyConsistency,
  verifyInclusion,
} from './merkle.ts';

const hex = (h: Uint8Array) => Buffer.from(h).toString('hex');
const unhex = (s: string) => Buffer.from(s, 'hex');

/*
 * The RFC 6962 test vectors of transparency-dev/merkle (proof/verify_test.go and
 * rfc6962/rfc6962_test.go): eight leaves, the roots of their first 1..8, and known proofs.
 */
const LEAVES = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'];
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
/** Leaf numbers are 0-based here (the Go vectors count from 1). */
const INCLUSION = [
  { index: 0, size: 1, proof: [] },
  {
    index: 0,
    size: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    index: 5,
    size: 8,
    proof: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  { index: 2, size: 3, proof: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'] },
  {
    index: 1,
    size: 5,
    proof: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
];
const CONSISTENCY = [
  { first: 1, second: 1, proof: [] },
  {
    first: 1,
    second: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    first: 6,
    second: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    first: 2,
    second: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    first: 6,
    second: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
];
const SOME_HASH = unhex('abacaba000000000000000000000000000000000000000000060061e00123456');

function treeOf(leaves: Uint8Array[]): MerkleTree {
  const tree = new MerkleTree();
  for (const leaf of leaves) tree.append(leafHash(leaf));
  return tree;
}

/** MTH straight from RFC 9162 §2.1.1, recursion and all: the reference the fast tree must agree with. */
function referenceRoot(hashes: Buffer[]): Buffer {
  if (hashes.length === 0) return EMPTY_ROOT;
  if (hashes.length === 1) return hashes[0] as Buffer;
  const k = splitPoint(hashes.length);
  return nodeHash(referenceRoot(hashes.slice(0, k)), referenceRoot(hashes.slice(k)));
}

const flipBit = (proof: Buffer[], at: number): Buffer[] =>
  proof.map((p, i) => {
    if (i !== at) return p;
    const copy = Buffer.from(p);
    copy[0] = (copy[0] as number) ^ 0x10;
    return copy;
  });

describe('RFC 6962 hashing (transparency-dev/merkle vectors)', () => {
  it('hashes the empty tree, an empty leaf, a leaf and a node as the reference does', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(leafHash('L123456'))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe(
      'aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb',
    );
  });

  it('computes the published root of each of the first 1..8 leaves', () => {
    const tree = treeOf(LEAVES.map(unhex));
    expect(tree.size).toBe(8);
    expect(ROOTS.map((_, i) => hex(tree.rootHash(i + 1)))).toEqual(ROOTS);
    expect(hex(tree.rootHash(0))).toBe(hex(EMPTY_ROOT));
  });

  it('produces the published inclusion proofs and verifies them', () => {
    const tree = treeOf(LEAVES.map(unhex));
    for (const vector of INCLUSION) {
      const proof = tree.inclusionProof(vector.index, vector.size);
      expect(proof.map(hex), `leaf ${vector.index} of ${vector.size}`).toEqual(vector.proof);
      const leaf = leafHash(unhex(LEAVES[vector.index] as string));
      expect(verifyInclusion(vector.index, vector.size, leaf, proof, unhex(ROOTS[vector.size - 1] as string))).toBe(
        true,
      );
    }
  });

  it('produces the published consistency proofs and verifies them', () => {
    const tree = treeOf(LEAVES.map(unhex));
    for (const vector of CONSISTENCY) {
      const proof = tree.consistencyProof(vector.first, vector.second);
      expect(proof.map(hex), `${vector.first} → ${vector.second}`).toEqual(vector.proof);
      const [root1, root2] = [ROOTS[vector.first - 1], ROOTS[vector.second - 1]].map((r) => unhex(r as string));
      expect(verifyConsistency(vector.first, vector.second, root1 as Buffer, root2 as Buffer, proof)).toBe(true);
    }
  });

  it('rejects every corruption of the published inclusion proofs', () => {
    for (const vector of INCLUSION.filter((v) => v.proof.length > 0)) {
      const proof = vector.proof.map(unhex);
      const root = unhex(ROOTS[vector.size - 1] as string);
      const leaf = leafHash(unhex(LEAVES[vector.index] as string));
      const { index, size } = vector;
      const probes: [string, number, number, Buffer, Buffer[], Buffer][] = [
        ['index - 1', index - 1, size, leaf, proof, root],
        ['index + 1', index + 1, size, leaf, proof, root],
        ['index ^ 2', index ^ 2, size, leaf, proof, root],
        ['size * 2', index, size * 2, leaf, proof, root],
        ['size / 2', index, Math.floor(size / 2), leaf, proof, root],
        ['wrong leaf', index, size, leafHash('WrongLeaf'), proof, root],
        ['empty root', index, size, leaf, proof, EMPTY_ROOT],
        ['random root', index, size, leaf, proof, SOME_HASH],
        ['trailing root', index, size, leaf, [...proof, root], root],
        ['preceding root', index, size, leaf, [root, ...proof], root],
        ['trailing garbage', index, size, leaf, [...proof, Buffer.alloc(0)], root],
        ['removed component', index, size, leaf, proof.slice(0, -1), root],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer[], Buffer] => [
          `bit flipped in proof[${i}]`,
          index,
          size,
          leaf,
          flipBit(proof, i),
          root,
        ]),
      ];
      if (proof.length > 1)
        probes.push([
          'inserted component',
          index,
          size,
          leaf,
          [proof[0] as Buffer, SOME_HASH, ...proof.slice(1)],
          root,
        ]);
      const accepted = probes.filter(([, i, s, l, p, r]) => verifyInclusion(i, s, l, p, r)).map(([what]) => what);
      expect(accepted, `leaf ${index} of ${size}`).toEqual([]);
    }
  });

  it('rejects every corruption of the published consistency proofs', () => {
    for (const vector of CONSISTENCY.filter((v) => v.proof.length > 0)) {
      const proof = vector.proof.map(unhex);
      const { first, second } = vector;
      const root1 = unhex(ROOTS[first - 1] as string);
      const root2 = unhex(ROOTS[second - 1] as string);
      const probes: [string, number, number, Buffer, Buffer, Buffer[]][] = [
        ['first - 1', first - 1, second, root1, root2, proof],
        ['first + 1', first + 1, second, root1, root2, proof],
        ['first ^ 2', first ^ 2, second, root1, root2, proof],
        ['second * 2', first, second * 2, root1, root2, proof],
        ['second / 2', first, Math.floor(second / 2), root1, root2, proof],
        ['wrong first root', first, second, SOME_HASH, root2, proof],
        ['wrong second root', first, second, root1, SOME_HASH, proof],
        ['swapped roots', first, second, root2, root1, proof],
        ['empty proof', first, second, root1, root2, []],
        ['trailing root1', first, second, root1, root2, [...proof, root1]],
        ['trailing root2', first, second, root1, root2, [...proof, root2]],
        ['preceding root1', first, second, root1, root2, [root1, ...proof]],
        ['preceding root2', first, second, root1, root2, [root2, ...proof]],
        ['preceding proof[0]', first, second, root1, root2, [proof[0] as Buffer, ...proof]],
        ['truncated proof', first, second, root1, root2, proof.slice(0, -1)],
        ...proof.map((_, i): [string, number, number, Buffer, Buffer, Buffer[]] => [
          `bit flipped in proof[${i}]`,
          first,
          second,
          root1,
          root2,
          flipBit(proof, i),
        ]),
      ];
      const accepted = probes.filter(([, f, s, r1, r2, p]) => verifyConsistency(f, s, r1, r2, p)).map(([w]) => w);
      expect(accepted, `${first} → ${second}`).toEqual([]);
    }
  });

  it('treats equal sizes and the empty tree as the RFC does', () => {
    const root = unhex(ROOTS[3] as string);
    expect(verifyConsistency(4, 4, root, root, [])).toBe(true);
    expect(verifyConsistency(4, 4, root, SOME_HASH, [])).toBe(false);
    expect(verifyConsistency(4, 4, root, root, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(0, 4, EMPTY_ROOT, root, [])).toBe(true);
    expect(verifyConsistency(0, 4, EMPTY_ROOT, root, [root])).toBe(false);
    expect(verifyConsistency(5, 4, root, root, [])).toBe(false);
    expect(verifyInclusion(0, 0, SOME_HASH, [], SOME_HASH)).toBe(false);
    expect(verifyInclusion(0, 1, Buffer.alloc(0), [], Buffer.alloc(0))).toBe(false);
  });

  it('refuses proofs for sizes or indexes the tree does not have', () => {
    const tree = treeOf(LEAVES.map(unhex));
    expect(() => tree.inclusionProof(8, 8)).toThrow(RangeError);
    expect(() => tree.inclusionProof(0, 9)).toThrow(RangeError);
    expect(() => tree.consistencyProof(5, 4)).toThrow(RangeError);
    expect(() => tree.rootHash(9)).toThrow(RangeError);
  });
});

/** Distinct leaves: with two equal leaves, a proof for one is rightly also a proof for the other. */
const leavesArb = fc
  .array(fc.uint8Array({ maxLength: 24 }), { minLength: 1, maxLength: 160 })
  .map((parts) => parts.map((bytes, i) => Buffer.concat([Buffer.from(`${i}:`), bytes])));

describe('Merkle tree properties (fast-check)', () => {
  it('computes the same root as the RFC’s recursive definition, for every prefix', () => {
    fc.assert(
      fc.property(leavesArb, (leaves) => {
        const tree = treeOf(leaves);
        const hashes = leaves.map((l) => leafHash(l));
        for (let size = 0; size <= leaves.length; size++) {
          expect(hex(tree.rootHash(size))).toBe(hex(referenceRoot(hashes.slice(0, size))));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('verifies every inclusion proof for random sizes and leaves, and no altered one', () => {
    const caseArb = leavesArb.chain((leaves) =>
      fc.record({
        leaves: fc.constant(leaves),
        size: fc.integer({ min: 1, max: leaves.length }),
        pick: fc.nat(),
        other: fc.nat(),
        element: fc.nat(),
        bit: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ leaves, size, pick, other, element, bit }) => {
        const tree = treeOf(leaves);
        const index = pick % size;
        const root = tree.rootHash(size);
        const leaf = leafHash(leaves[index] as Buffer);
        const proof = tree.inclusionProof(index, size);
        expect(verifyInclusion(index, size, leaf, proof, root)).toBe(true);

        const otherIndex = other % size;
        if (otherIndex !== index) expect(verifyInclusion(otherIndex, size, leaf, proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leafHash('not in the log'), proof, root)).toBe(false);
        expect(verifyInclusion(index, size, leaf, proof, nodeHash(root, root))).toBe(false);
        expect(verifyInclusion(index, size, leaf, [...proof, root], root)).toBe(false);
        if (proof.length > 0) {
          const at = element % proof.length;
          const altered = proof.map((p) => Buffer.from(p));
          const target = altered[at] as Buffer;
          const byte = bit % 32;
          target[byte] = (target[byte] as number) ^ (1 << (bit % 8));
          expect(verifyInclusion(index, size, leaf, altered, root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(1), root)).toBe(false);
          expect(verifyInclusion(index, size, leaf, proof.slice(0, -1), root)).toBe(false);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('verifies every consistency proof between random sizes, and no altered one', () => {
    const caseArb = leavesArb.chain((leaves) =>
      fc.record({
        leaves: fc.constant(leaves),
        second: fc.integer({ min: 1, max: leaves.length }),
        firstPick: fc.nat(),
        element: fc.nat(),
        bit: fc.integer({ min: 0, max: 255 }),
      }),
    );
    fc.assert(
      fc.property(caseArb, ({ leaves, second, firstPick, element, bit }) => {
        const tree = treeOf(leaves);
        const first = 1 + (firstPick % second);
        const root1 = tree.rootHash(first);
        const root2 = tree.rootHash(second);
        const proof = tree.consistencyProof(first, second);
        expect(verifyConsistency(first, second, root1, root2, proof)).toBe(true);
        if (first === second) return;

        expect(verifyConsistency(first, second, root2, root1, proof)).toBe(false);
        expect(verifyConsistency(first, second, root1, nodeHash(root2, root2), proof)).toBe(false);
        expect(verifyConsistency(first, second, root1, root2, [])).toBe(false);
        expect(verifyConsistency(first, second, root1, root2, [...proof, root2])).toBe(false);
        expect(verifyConsistency(first, second, root1, root2, proof.slice(0, -1))).toBe(false);
        const at = element % proof.length;
        const altered = proof.map((p) => Buffer.from(p));
        const target = altered[at] as Buffer;
        const byte = bit % 32;
        target[byte] = (target[byte] as number) ^ (1 << (bit % 8));
        expect(verifyConsistency(first, second, root1, root2, altered)).toBe(false);
        // A log that rewrote an old leaf cannot prove the new tree extends the old one.
        const rewritten = leaves.map((l, i) => (i === element % first ? Buffer.concat([l, Buffer.from('!')]) : l));
        const forged = treeOf(rewritten);
        const forgedProof = forged.consistencyProof(first, second);
        expect(verifyConsistency(first, second, root1, forged.rootHash(second), forgedProof)).toBe(false);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps its stored hashes when a caller alters a proof it was given', () => {
    const tree = treeOf(LEAVES.map(unhex));
    const before = hex(tree.rootHash());
    for (const p of tree.inclusionProof(3)) p.fill(0);
    for (const p of tree.consistencyProof(3)) p.fill(0);
    expect(hex(tree.rootHash())).toBe(before);
  });
});
