import type { JWK } from 'jose';
import type { Queryable } from '../../store/db.ts';
import type { PublicJwk } from './keys.ts';

export interface IdentityRow {
  party_code: string;
  name_en: string;
  name_zh: string;
  name_es: string;
  seeded_at: Date | null;
}

export interface SigningKeyRow {
  kid: string;
  public_jwk: PublicJwk;
  private_jwk: JWK;
  created_at: Date;
  retired_at: Date | null;
}

export interface PeerRow {
  party_code: string;
  name_en: string;
  name_zh: string;
  name_es: string;
  url: string;
  created_at: Date;
}

export interface PeerKeyRow {
  party_code: string;
  kid: string;
  public_jwk: PublicJwk;
  added_at: Date;
  retired_at: Date | null;
}

export async function selectIdentity(db: Queryable): Promise<IdentityRow | undefined> {
  return (await db.query<IdentityRow>('SELECT * FROM node_identity')).rows[0];
}

export async function insertIdentity(db: Queryable, party: { code: string; en: string; zh: string; es: string }) {
  await db.query('INSERT INTO node_identity (party_code, name_en, name_zh, name_es) VALUES ($1, $2, $3, $4)', [
    party.code,
    party.en,
    party.zh,
    party.es,
  ]);
}

export async function markSeeded(db: Queryable): Promise<boolean> {
  const { rowCount } = await db.query('UPDATE node_identity SET seeded_at = now() WHERE seeded_at IS NULL');
  return rowCount > 0;
}

export async function selectSigningKeys(db: Queryable): Promise<SigningKeyRow[]> {
  return (await db.query<SigningKeyRow>('SELECT * FROM signing_keys ORDER BY created_at')).rows;
}

export async function insertSigningKey(db: Queryable, key: { kid: string; publicJwk: PublicJwk; privateJwk: JWK }) {
  await db.query('INSERT INTO signing_keys (kid, public_jwk, private_jwk) VALUES ($1, $2, $3)', [
    key.kid,
    JSON.stringify(key.publicJwk),
    JSON.stringify(key.privateJwk),
  ]);
}

export async function retireSigningKeysExcept(db: Queryable, kid: string) {
  await db.query('UPDATE signing_keys SET retired_at = now() WHERE kid <> $1 AND retired_at IS NULL', [kid]);
}

export async function selectPeers(db: Queryable): Promise<PeerRow[]> {
  return (await db.query<PeerRow>('SELECT * FROM peers ORDER BY party_code')).rows;
}

export async function selectPeer(db: Queryable, party: string): Promise<PeerRow | undefined> {
  return (await db.query<PeerRow>('SELECT * FROM peers WHERE party_code = $1', [party])).rows[0];
}

export async function upsertPeer(
  db: Queryable,
  peer: { code: string; en: string; zh: string; es: string; url: string },
) {
  await db.query(
    `INSERT INTO peers (party_code, name_en, name_zh, name_es, url) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (party_code) DO UPDATE SET name_en = $2, name_zh = $3, name_es = $4, url = $5`,
    [peer.code, peer.en, peer.zh, peer.es, peer.url],
  );
  await db.query('INSERT INTO channels (peer) VALUES ($1) ON CONFLICT (peer) DO NOTHING', [peer.code]);
}

export async function selectPeerKeys(db: Queryable, party?: string): Promise<PeerKeyRow[]> {
  return (
    await db.query<PeerKeyRow>(
      'SELECT * FROM peer_keys WHERE ($1::text IS NULL OR party_code = $1) ORDER BY added_at',
      [party ?? null],
    )
  ).rows;
}

export async function insertPeerKey(db: Queryable, party: string, kid: string, publicJwk: PublicJwk) {
  await db.query(
    `INSERT INTO peer_keys (party_code, kid, public_jwk) VALUES ($1, $2, $3)
     ON CONFLICT (party_code, kid) DO NOTHING`,
    [party, kid, JSON.stringify(publicJwk)],
  );
}

export async function retirePeerKeysExcept(db: Queryable, party: string, kid: string) {
  await db.query('UPDATE peer_keys SET retired_at = now() WHERE party_code = $1 AND kid <> $2 AND retired_at IS NULL', [
    party,
    kid,
  ]);
}
