/**
 * RFC 9162 §2.1.3.2 inclusion check in the browser with WebCrypto SHA-256: recomputes the root
 * from a leaf hash and its audit path. Inner nodes are SHA-256(0x01 || left || right), as on the
 * server (src/modules/ledger/merkle.ts). Needs a secure context (HTTPS or localhost); returns
 * undefined when WebCrypto is not available, so the page falls back to the server's word.
 */

const HASH_BYTES = 32;

export function fromHex(hex: string): Uint8Array | undefined {
  if (!/^(?:[0-9a-f]{2})*$/i.test(hex)) return undefined;
  const bytes = new Uint8Array(hex.length / 2);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return bytes;
}

async function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  const data = new Uint8Array(1 + left.length + right.length);
  data[0] = 0x01;
  data.set(left, 1);
  data.set(right, 1 + left.length);
  return new Uint8Array(await crypto.subtle.digest('SHA-256', data));
}

const equal = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((byte, i) => byte === b[i]);

export const browserCanVerify = (): boolean => typeof crypto !== 'undefined' && !!crypto.subtle;

export async function verifyInclusion(
  index: number,
  treeSize: number,
  leafHex: string,
  proofHex: readonly string[],
  rootHex: string,
): Promise<boolean | undefined> {
  if (!browserCanVerify()) return undefined;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(treeSize) || index < 0 || index >= treeSize) return false;
  const leaf = fromHex(leafHex);
  const root = fromHex(rootHex);
  const proof = proofHex.map(fromHex);
  if (leaf?.length !== HASH_BYTES || root?.length !== HASH_BYTES) return false;
  if (proof.some((p) => p?.length !== HASH_BYTES)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of proof as Uint8Array[]) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) {
        fn = Math.floor(fn / 2);
        sn = Math.floor(sn / 2);
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}
