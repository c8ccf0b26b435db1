import { useEffect, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent, type ReactNode } from 'react';

/**
 * A deliberately small history-API router: the app has a handful of flat routes, so a routing
 * library would cost more bundle than it saves. The server falls back to index.html for unknown
 * GET paths, so every route below is also a deep link.
 */

const NAVIGATE_EVENT = 'countersign:navigate';

function subscribe(callback: () => void): () => void {
  window.addEventListener('popstate', callback);
  window.addEventListener(NAVIGATE_EVENT, callback);
  return () => {
    window.removeEventListener('popstate', callback);
    window.removeEventListener(NAVIGATE_EVENT, callback);
  };
}

const snapshot = () => window.location.pathname + window.location.search;

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === snapshot()) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  window.dispatchEvent(new Event(NAVIGATE_EVENT));
  if (!options.replace) window.scrollTo(0, 0);
}

export interface Location {
  path: string;
  query: URLSearchParams;
}

export function useLocation(): Location {
  const url = useSyncExternalStore(subscribe, snapshot);
  const [path = '/', search = ''] = url.split('?');
  return { path: path.length > 1 ? path.replace(/\/+$/, '') : path, query: new URLSearchParams(search) };
}

export type Route =
  | { name: 'home' }
  | { name: 'login' }
  | { name: 'inbox' }
  | { name: 'outbox' }
  | { name: 'drafts' }
  | { name: 'deadlines' }
  | { name: 'channels' }
  | { name: 'compose' }
  | { name: 'substances' }
  | { name: 'auditor' }
  | { name: 'package'; id: string }
  | { name: 'notFound' };

export function matchRoute(path: string): Route {
  switch (path) {
    case '/':
      return { name: 'home' };
    case '/login':
      return { name: 'login' };
    case '/inbox':
      return { name: 'inbox' };
    case '/outbox':
      return { name: 'outbox' };
    case '/drafts':
      return { name: 'drafts' };
    case '/deadlines':
      return { name: 'deadlines' };
    case '/channels':
      return { name: 'channels' };
    case '/compose':
      return { name: 'compose' };
    case '/substances':
      return { name: 'substances' };
    case '/auditor':
      return { name: 'auditor' };
  }
  const pkg = /^\/packages\/([^/]+)$/.exec(path);
  if (pkg?.[1]) {
    try {
      return { name: 'package', id: decodeURIComponent(pkg[1]) };
    } catch {
      return { name: 'notFound' };
    }
  }
  return { name: 'notFound' };
}

export const packagePath = (id: string) => `/packages/${encodeURIComponent(id)}`;

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, 'href'> & { to: string; children: ReactNode };

/** An anchor that navigates in-app on a plain left click and behaves like a link otherwise. */
export function Link({ to, onClick, children, ...rest }: LinkProps) {
  const handle = (event: MouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    ) {
      return;
    }
    event.preventDefault();
    navigate(to);
  };
  return (
    <a href={to} onClick={handle} {...rest}>
      {children}
    </a>
  );
}

export function Redirect({ to }: { to: string }) {
  useEffect(() => navigate(to, { replace: true }), [to]);
  return null;
}
