import { z } from 'zod';
import { PARTY_CODE } from '../../common/parties.ts';
import { PublicJwkSchema } from './keys.ts';

export const PartyCodeSchema = z.string().regex(PARTY_CODE, 'must be a 2-3 letter upper-case party code');

export const PartyNamesSchema = z.object({
  en: z.string().min(1).max(200),
  zh: z.string().min(1).max(200),
  es: z.string().min(1).max(200),
});

export const PinnedKeySchema = z.object({ kid: z.string().min(1).max(200), publicJwk: PublicJwkSchema });

export const NewPeerSchema = z.object({
  party: PartyCodeSchema,
  names: PartyNamesSchema,
  url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  keys: z.array(PinnedKeySchema).min(1, 'pin at least one public key'),
});
export type NewPeer = z.infer<typeof NewPeerSchema>;

export interface PartyKey {
  kid: string;
  publicJwk: z.infer<typeof PublicJwkSchema>;
  createdAt: string;
  retiredAt: string | null;
}

export interface Identity {
  party: string;
  names: z.infer<typeof PartyNamesSchema>;
  keys: PartyKey[];
}

export interface Peer {
  party: string;
  names: z.infer<typeof PartyNamesSchema>;
  url: string;
  keys: PartyKey[];
}
