import { useEffect } from 'react';
import { useSession } from '../session';

export function usePageTitle(title: string): void {
  const { me } = useSession();
  useEffect(() => {
    document.title = `${title} · Countersign${me ? ` (${me.party.code})` : ''}`;
  }, [title, me]);
}
