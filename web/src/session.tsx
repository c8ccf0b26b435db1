import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { ApiError, onUnauthenticated, toApiError } from './api/client';
import { api } from './api/endpoints';
import type { Channel, Me, Peer } from './api/types';

const CHANNEL_POLL_MS = 30_000;

export interface Session {
  status: 'loading' | 'ready' | 'error';
  me: Me | null;
  /** Why the session could not be loaded (server unreachable, ...). */
  error: ApiError | null;
  /** The session ended under the user (expired, revoked): the login page says so. */
  expired: boolean;
  peers: Peer[];
  channels: Channel[];
  signIn: (username: string, password: string) => Promise<void>;
  signOut: () => Promise<void>;
  retry: () => void;
  reloadChannels: () => void;
  /** Replace one channel after a suspend/resume returned it. */
  updateChannel: (channel: Channel) => void;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [status, setStatus] = useState<Session['status']>('loading');
  const [me, setMe] = useState<Me | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [expired, setExpired] = useState(false);
  const [peers, setPeers] = useState<Peer[]>([]);
  const [channels, setChannels] = useState<Channel[]>([]);
  const [attempt, setAttempt] = useState(0);
  const [channelTick, setChannelTick] = useState(0);
  const meRef = useRef<Me | null>(null);
  meRef.current = me;

  useEffect(() => {
    let live = true;
    setStatus('loading');
    api.me().then(
      (value) => {
        if (!live) return;
        setMe(value.user ? value : null);
        setError(null);
        setStatus('ready');
      },
      (err: unknown) => {
        if (!live) return;
        const apiError = toApiError(err);
        if (apiError.status === 401) {
          setMe(null);
          setError(null);
          setStatus('ready');
        } else {
          setError(apiError);
          setStatus('error');
        }
      },
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  useEffect(() => {
    onUnauthenticated(() => {
      if (meRef.current) setExpired(true);
      setMe(null);
    });
    return () => onUnauthenticated(undefined);
  }, []);

  const signedIn = me !== null;
  useEffect(() => {
    if (!signedIn) {
      setPeers([]);
      return;
    }
    let live = true;
    api.peers().then(
      (value) => live && setPeers(value),
      () => live && setPeers([]),
    );
    return () => {
      live = false;
    };
  }, [signedIn]);

  useEffect(() => {
    if (!signedIn) {
      setChannels([]);
      return;
    }
    let live = true;
    const load = () =>
      api.channels().then(
        (value) => live && setChannels(value),
        () => undefined,
      );
    void load();
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') void load();
    }, CHANNEL_POLL_MS);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [signedIn, channelTick]);

  const signIn = useCallback(async (username: string, password: string) => {
    await api.login(username, password);
    const value = await api.me();
    setExpired(false);
    setMe(value.user ? value : null);
  }, []);

  const signOut = useCallback(async () => {
    try {
      await api.logout();
    } finally {
      setExpired(false);
      setMe(null);
    }
  }, []);

  const retry = useCallback(() => setAttempt((n) => n + 1), []);
  const reloadChannels = useCallback(() => setChannelTick((n) => n + 1), []);
  const updateChannel = useCallback(
    (channel: Channel) => setChannels((list) => list.map((c) => (c.peer === channel.peer ? channel : c))),
    [],
  );

  const value = useMemo<Session>(
    () => ({ status, me, error, expired, peers, channels, signIn, signOut, retry, reloadChannels, updateChannel }),
    [status, me, error, expired, peers, channels, signIn, signOut, retry, reloadChannels, updateChannel],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside SessionProvider');
  return session;
}

/** The signed-in user's session; only for pages rendered behind the login gate. */
export function useMe(): Me {
  const { me } = useSession();
  if (!me) throw new Error('useMe without a signed-in user');
  return me;
}
