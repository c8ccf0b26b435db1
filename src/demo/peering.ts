import type { CountersignNode } from '../node.ts';
import { addPeer, getIdentity } from '../modules/parties/parties.service.ts';

/**
 * Peers two nodes both ways, pinning each other's current keys. Used where one operator runs
 * both (the demo federation, tests); between governments the keys travel out of band instead.
 */
export async function connectPeers(a: CountersignNode, b: CountersignNode): Promise<void> {
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    const identity = await getIdentity(other.ctx.db);
    await addPeer(
      self.ctx,
      self.keyring,
      { kind: 'system' },
      {
        party: identity.party,
        names: identity.names,
        url: other.url(),
        keys: identity.keys.filter((k) => k.retiredAt === null).map((k) => ({ kid: k.kid, publicJwk: k.publicJwk })),
      },
    );
  }
}
