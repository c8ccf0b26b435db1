import type { KeyObject } from 'node:crypto';
import { DomainError, notFound } from '../../common/errors.ts';
import { parseWith } from '../../common/validation.ts';
import type { Actor } from '../../platform/actor.ts';
import { audit } from '../../platform/audit.ts';
import type { NodeContext } from '../../platform/context.ts';
import type { Queryable } from '../../store/db.ts';
import {
  generateSigningKey,
  keyIdFor,
  privateKeyObject,
  publicKeyObject,
  type KeyPairJwk,
  type PublicJwk,
} from './keys.ts';
import {
  insertIdentity,
  insertPeerKey,
  insertSigningKey,
  retirePeerKeysExcept,
  retireSigningKeysExcept,
  selectIdentity,
  selectPeer,
  selectPeerKeys,
  selectPeers,
  selectSigningKeys,
  upsertPeer,
  type PeerKeyRow,
} from './parties.repository.ts';
import { NewPeerSchema, type Identity, type Peer, type PartyKey } from './parties.schema.ts';

interface CachedPeerKey {
  party: string;
  key: KeyObject;
  retired: boolean;
}

/**
 * The node's signing key and the peers' pinned public keys, held in memory for signing and
 * verification at exchange speed; reloaded from the database whenever keys change.
 */
export class KeyRing {
  party = '';
  activeKid = '';
  private activeKey: KeyObject | undefined;
  private ownPublic = new Map<string, KeyObject>();
  private peerKeys = new Map<string, CachedPeerKey>();

  async load(db: Queryable): Promise<void> {
    const identity = await selectIdentity(db);
    if (!identity) throw new Error('node identity missing: run migrations and ensureIdentity first');
    this.party = identity.party_code;
    const own = await selectSigningKeys(db);
    const active = own.find((k) => k.retired_at === null);
    if (!active) throw new Error('node has no active signing key');
    this.activeKid = active.kid;
    this.activeKey = privateKeyObject(active.private_jwk);
    this.ownPublic = new Map(own.map((k) => [k.kid, publicKeyObject(k.public_jwk)]));
    this.peerKeys = new Map(
      (await selectPeerKeys(db)).map((k: PeerKeyRow) => [
        k.kid,
        { party: k.party_code, key: publicKeyObject(k.public_jwk), retired: k.retired_at !== null },
      ]),
    );
  }

  signingKey(): { kid: string; key: KeyObject } {
    if (!this.activeKey) throw new Error('key ring not loaded');
    return { kid: this.activeKid, key: this.activeKey };
  }

  /** A pinned key of `party`; retired keys only when verifying the stored record. */
  peerKey(party: string, kid: string, options: { allowRetired: boolean }): KeyObject | undefined {
    const pinned = this.peerKeys.get(kid);
    if (!pinned || pinned.party !== party) return undefined;
    if (pinned.retired && !options.allowRetired) return undefined;
    return pinned.key;
  }

  ownKey(kid: string): KeyObject | undefined {
    return this.ownPublic.get(kid);
  }
}

/** Creates the node's party identity and first key on first start. @throws Error on a party mismatch */
export async function ensureIdentity(ctx: NodeContext): Promise<void> {
  const { code, names } = ctx.config.party;
  await ctx.db.transaction(async (tx) => {
    const existing = await selectIdentity(tx);
    if (existing) {
      if (existing.party_code !== code) {
        throw new Error(`data folder belongs to party ${existing.party_code}, but the config says ${code}`);
      }
      return;
    }
    await insertIdentity(tx, { code, ...names });
    await insertSigningKey(tx, await generateSigningKey(code));
    await audit(tx, { kind: 'system' }, 'node.init', { type: 'party', id: code });
  });
}

const toKey = (k: { kid: string; public_jwk: PublicJwk; retired_at: Date | null }, createdAt: Date): PartyKey => ({
  kid: k.kid,
  publicJwk: k.public_jwk,
  createdAt: new Date(createdAt).toISOString(),
  retiredAt: k.retired_at ? new Date(k.retired_at).toISOString() : null,
});

export async function getIdentity(db: Queryable): Promise<Identity> {
  const identity = await selectIdentity(db);
  if (!identity) throw notFound('node identity', '');
  const keys = await selectSigningKeys(db);
  return {
    party: identity.party_code,
    names: { en: identity.name_en, zh: identity.name_zh, es: identity.name_es },
    keys: keys.map((k) => toKey(k, k.created_at)),
  };
}

export async function listPeers(db: Queryable): Promise<Peer[]> {
  const [peers, keys] = await Promise.all([selectPeers(db), selectPeerKeys(db)]);
  return peers.map((p) => ({
    party: p.party_code,
    names: { en: p.name_en, zh: p.name_zh, es: p.name_es },
    url: p.url,
    keys: keys.filter((k) => k.party_code === p.party_code).map((k) => toKey(k, k.added_at)),
  }));
}

export async function getPeer(db: Queryable, party: string): Promise<Peer> {
  const peer = (await listPeers(db)).find((p) => p.party === party);
  if (!peer) throw notFound('peer', party);
  return peer;
}

/**
 * Adds (or updates) a peer and pins its public keys. Each key id must be the one its key
 * derives, so a typo cannot pin a key under the wrong name.
 * @throws DomainError validation_failed
 */
export async function addPeer(ctx: NodeContext, keyring: KeyRing, actor: Actor, input: unknown): Promise<Peer> {
  const peer = parseWith(NewPeerSchema, input);
  if (peer.party === ctx.config.party.code) {
    throw new DomainError('validation_failed', 'a node cannot peer with its own party', {
      issues: [{ path: 'party', message: 'is this node’s own party' }],
    });
  }
  for (const [i, key] of peer.keys.entries()) {
    const expected = await keyIdFor(peer.party, key.publicJwk);
    if (key.kid !== expected) {
      throw new DomainError('validation_failed', `keys.${i}.kid: does not match its key (expected ${expected})`, {
        issues: [{ path: `keys.${i}.kid`, message: `does not match its key (expected ${expected})` }],
      });
    }
  }
  await ctx.db.transaction(async (tx) => {
    await upsertPeer(tx, { code: peer.party, ...peer.names, url: peer.url });
    for (const key of peer.keys) await insertPeerKey(tx, peer.party, key.kid, key.publicJwk);
    await audit(
      tx,
      actor,
      'peer.add',
      { type: 'peer', id: peer.party },
      { url: peer.url, kids: peer.keys.map((k) => k.kid) },
    );
  });
  await keyring.load(ctx.db);
  return getPeer(ctx.db, peer.party);
}

/** Pins a peer's new key, announced over the channel under its previous key; older keys retire. */
export async function pinRotatedPeerKey(tx: Queryable, party: string, kid: string, publicJwk: PublicJwk) {
  if (kid !== (await keyIdFor(party, publicJwk))) {
    throw new DomainError('validation_failed', 'announced key id does not match its key');
  }
  const existing = await selectPeer(tx, party);
  if (!existing) throw notFound('peer', party);
  await insertPeerKey(tx, party, kid, publicJwk);
  await retirePeerKeysExcept(tx, party, kid);
}

/** Makes `key` the active signing key; the old one retires but stays to verify what it signed. */
export async function installSigningKey(tx: Queryable, key: KeyPairJwk): Promise<void> {
  await insertSigningKey(tx, key);
  await retireSigningKeysExcept(tx, key.kid);
}
