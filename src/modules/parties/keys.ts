import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { z } from 'zod';

/** An Ed25519 public key as JWK (RFC 8037). */
export const PublicJwkSchema = z.object({
  kty: z.literal('OKP'),
  crv: z.literal('Ed25519'),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be a base64url Ed25519 public key'),
});
export type PublicJwk = z.infer<typeof PublicJwkSchema>;

export interface KeyPairJwk {
  kid: string;
  publicJwk: PublicJwk;
  privateJwk: JWK;
}

/** A key id names its party and the key's RFC 7638 thumbprint, so it is stable and self-describing. */
export async function keyIdFor(party: string, publicJwk: PublicJwk): Promise<string> {
  return `${party}:${(await calculateJwkThumbprint(publicJwk, 'sha256')).slice(0, 22)}`;
}

export async function generateSigningKey(party: string): Promise<KeyPairJwk> {
  const { publicKey, privateKey } = await generateKeyPair('EdDSA', { crv: 'Ed25519', extractable: true });
  const pub = await exportJWK(publicKey);
  const publicJwk = PublicJwkSchema.parse({ kty: pub.kty, crv: pub.crv, x: pub.x });
  return { kid: await keyIdFor(party, publicJwk), publicJwk, privateJwk: await exportJWK(privateKey) };
}

export const privateKeyObject = (jwk: JWK): KeyObject => createPrivateKey({ key: jwk, format: 'jwk' });
export const publicKeyObject = (jwk: PublicJwk): KeyObject => createPublicKey({ key: jwk, format: 'jwk' });
