import { useCallback } from 'react';
import { useI18n } from '../i18n';
import { partyName } from '../lib/format';
import { useSession } from '../session';

/** Resolves a party code to its name in the current language (own party or a peer). */
export function usePartyName(): (code: string) => string {
  const { me, peers } = useSession();
  const { lang } = useI18n();
  return useCallback(
    (code: string) => {
      if (me && me.party.code === code) return partyName(me.party.names, lang, code);
      const peer = peers.find((p) => p.party === code);
      return peer ? partyName(peer.names, lang, code) : code;
    },
    [me, peers, lang],
  );
}

export function Party({ code, full = false }: { code: string; full?: boolean }) {
  const name = usePartyName()(code);
  if (full && name !== code) {
    return (
      <span className="party">
        <span className="party-code">{code}</span> {name}
      </span>
    );
  }
  return (
    <span className="party" title={name}>
      <span className="party-code">{code}</span>
    </span>
  );
}
