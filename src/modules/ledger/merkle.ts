import { createHash } from 'node:crypto';

/*
 * Merkle tree hashing as in RFC 9162 (Certificate Transparency 2.0), §2.1: the tree, its root
 * (MTH), inclusion proofs (§2.1.3) and consistency proofs (§2.1.4), with their verification.
 *
 * Written here rather than taken from npm: the only packages that implement RFC 6962/9162 proofs
 * are either experimental (@transmute/rfc9162 0.0.x, whose consistency API takes an inclusion
 * proof) or verify inclusion only, inside a larger client (@sigstore/verify); merkletreejs and
 * the like hash differently (no leaf/node prefixes, odd nodes promoted). The algorithms are short
 * and fully specified, and merkle.test.ts checks them against the published RFC 6962 test vectors
 * of transparency-dev/merkle and against the RFC's recursive definitions.
 */

export const HASH_BYTES = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256(): the root of the empty tree. */
export const EMPTY_ROOT: Buffer = createHash('sha256').digest();

/** MTH({d}) = SHA-256(0x00 || d). */
export function leafHash(data: Uint8Array | string): Buffer {
  return createHash('sha256').update(LEAF_PREFIX).update(data).digest();
}

/** SHA-256(0x01 || left || right): the prefixes keep a leaf from passing for an inner node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash('sha256').update(NODE_PREFIX).update(left).update(right).digest();
}

/** The largest power of two smaller than `n` (n > 1): where RFC 9162 splits a tree of n leaves. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && Number.isInteger(Math.log2(n));
const isOdd = (n: number): boolean => n % 2 === 1;
const half = (n: number): number => Math.floor(n / 2);

function equalHashes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

/** Hashes stored back to back in one growing buffer: a million leaves cost 32 MB, not a million objects. */
class HashArray {
  private bytes = new Uint8Array(HASH_BYTES * 1024);
  length = 0;

  push(hash: Uint8Array): void {
    if (hash.length !== HASH_BYTES) throw new Error(`a hash has ${HASH_BYTES} bytes, got ${hash.length}`);
    if ((this.length + 1) * HASH_BYTES > this.bytes.length) {
      const grown = new Uint8Array(this.bytes.length * 2);
      grown.set(this.bytes);
      this.bytes = grown;
    }
    this.bytes.set(hash, this.length * HASH_BYTES);
    this.length += 1;
  }

  /** A copy: a caller that alters what it got must not alter the tree. */
  get(index: number): Buffer {
    return Buffer.from(this.bytes.subarray(index * HASH_BYTES, (index + 1) * HASH_BYTES));
  }
}

/**
 * An append-only Merkle tree over leaf hashes. It keeps every complete subtree's hash (level k
 * holds the roots of the aligned subtrees of 2^k leaves), so appending costs one hash on average
 * and the root of any earlier size, or a proof, costs O(log n) hashes.
 */
export class MerkleTree {
  private readonly levels: HashArray[] = [new HashArray()];

  get size(): number {
    return this.levels[0]?.length ?? 0;
  }

  /** Appends a leaf hash (see `leafHash`), completing the parents it closes. */
  append(hash: Uint8Array): void {
    let level = 0;
    let index = this.size;
    let node: Buffer = Buffer.from(hash);
    for (;;) {
      const row = (this.levels[level] ??= new HashArray());
      row.push(node);
      if (!isOdd(index)) return;
      node = nodeHash(row.get(index - 1), node);
      level += 1;
      index = half(index);
    }
  }

  leaf(index: number): Buffer {
    this.checkSize(index + 1, 'index');
    return (this.levels[0] as HashArray).get(index);
  }

  /** MTH(D[0:size]) for any size up to the current one. */
  rootHash(size = this.size): Buffer {
    this.checkSize(size, 'size');
    return this.subtreeHash(0, size);
  }

  /** PATH(m, D[n]) of RFC 9162 §2.1.3.1: the audit path of leaf `index` in the tree of `size` leaves. */
  inclusionProof(index: number, size = this.size): Buffer[] {
    this.checkSize(size, 'size');
    if (!Number.isInteger(index) || index < 0 || index >= size)
      throw new RangeError(`leaf index ${index} is not in a tree of ${size}`);
    const proof: Buffer[] = [];
    const path = (m: number, lo: number, hi: number): void => {
      const n = hi - lo;
      if (n <= 1) return;
      const k = splitPoint(n);
      if (m < k) {
        path(m, lo, lo + k);
        proof.push(this.subtreeHash(lo + k, hi));
      } else {
        path(m - k, lo + k, hi);
        proof.push(this.subtreeHash(lo, lo + k));
      }
    };
    path(index, 0, size);
    return proof;
  }

  /** PROOF(m, D[n]) of RFC 9162 §2.1.4.1: shows the tree of `first` leaves is a prefix of the tree of `second`. */
  consistencyProof(first: number, second = this.size): Buffer[] {
    this.checkSize(second, 'second');
    if (!Number.isInteger(first) || first < 0 || first > second)
      throw new RangeError(`first size ${first} is not between 0 and ${second}`);
    const proof: Buffer[] = [];
    if (first === 0 || first === second) return proof;
    const subproof = (m: number, lo: number, hi: number, complete: boolean): void => {
      const n = hi - lo;
      if (m === n) {
        if (!complete) proof.push(this.subtreeHash(lo, hi));
        return;
      }
      const k = splitPoint(n);
      if (m <= k) {
        subproof(m, lo, lo + k, complete);
        proof.push(this.subtreeHash(lo + k, hi));
      } else {
        subproof(m - k, lo + k, hi, false);
        proof.push(this.subtreeHash(lo, lo + k));
      }
    };
    subproof(first, 0, second, true);
    return proof;
  }

  /**
   * MTH(D[lo:hi]). Every range the RFC's recursion asks for starts on a multiple of its own
   * split point, so its left part is always a stored complete subtree.
   */
  private subtreeHash(lo: number, hi: number): Buffer {
    const n = hi - lo;
    if (n === 0) return EMPTY_ROOT;
    if (isPowerOfTwo(n) && lo % n === 0) return (this.levels[Math.log2(n)] as HashArray).get(lo / n);
    const k = splitPoint(n);
    return nodeHash(this.subtreeHash(lo, lo + k), this.subtreeHash(lo + k, hi));
  }

  private checkSize(size: number, name: string): void {
    if (!Number.isInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`${name} ${size} is beyond the tree's ${this.size} leaves`);
  }
}

/**
 * RFC 9162 §2.1.3.2: recomputes the root from leaf `index`'s hash and its audit path and compares
 * it with `root`.
 */
export function verifyInclusion(
  index: number,
  treeSize: number,
  leaf: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  if (leaf.length !== HASH_BYTES || root.length !== HASH_BYTES) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalHashes(r, root);
}

/**
 * RFC 9162 §2.1.4.2: checks that the tree of `first` leaves with root `firstRoot` is a prefix of
 * the tree of `second` leaves with root `secondRoot`. Equal sizes need equal roots and no proof;
 * the empty tree is a prefix of every tree.
 */
export function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || second < first) return false;
  if (firstRoot.length !== HASH_BYTES || secondRoot.length !== HASH_BYTES) return false;
  if (proof.some((p) => p.length !== HASH_BYTES)) return false;
  if (first === second) return proof.length === 0 && equalHashes(firstRoot, secondRoot);
  if (first === 0) return proof.length === 0;
  if (proof.length === 0) return false;
  const path = isPowerOfTwo(first) ? [firstRoot, ...proof] : [...proof];
  let fn = first - 1;
  let sn = second - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Uint8Array = path[0] as Uint8Array;
  let sr: Uint8Array = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && equalHashes(fr, firstRoot) && equalHashes(sr, secondRoot);
}
