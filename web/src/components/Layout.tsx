import { useState, type ReactNode } from 'react';
import { LANGUAGES, setLanguage, useI18n } from '../i18n';
import { partyName } from '../lib/format';
import { can } from '../lib/roles';
import { Link, useLocation } from '../lib/router';
import { useMe, useSession } from '../session';
import { usePartyName } from './Party';

export function LanguageSwitcher() {
  const { t, lang } = useI18n();
  return (
    <div className="lang-switch" role="group" aria-label={t('header.language')}>
      {LANGUAGES.map((l) => (
        <button
          key={l.code}
          type="button"
          lang={l.locale}
          title={l.name}
          className={l.code === lang ? 'active' : undefined}
          aria-pressed={l.code === lang}
          onClick={() => setLanguage(l.code)}
          data-testid={`lang-${l.code}`}
        >
          {l.label}
        </button>
      ))}
    </div>
  );
}

export function Brand() {
  return (
    <span className="brand-mark" aria-hidden="true">
      <svg viewBox="0 0 32 32" width="28" height="28">
        <rect width="32" height="32" rx="6" fill="currentColor" />
        <path
          d="M9 17l5 5 9-11"
          stroke="#fff"
          strokeWidth="3.2"
          fill="none"
          strokeLinecap="round"
          strokeLinejoin="round"
        />
      </svg>
    </span>
  );
}

/** One yellow line per suspended channel, on every page. */
export function ChannelBanner() {
  const { t, lang } = useI18n();
  const { channels, me } = useSession();
  const nameOf = usePartyName();
  const suspended = channels.filter((c) => c.suspendedByUs || c.suspendedByPeer);
  if (suspended.length === 0) return null;
  const us = me ? partyName(me.party.names, lang, me.party.code) : '';
  return (
    <div className="banner banner-warning" role="alert" data-testid="channel-banner">
      {suspended.map((c) => {
        const by = c.suspendedByUs && c.suspendedByPeer ? t('channels.byBoth') : c.suspendedByUs ? us : nameOf(c.peer);
        return (
          <p key={c.peer} data-testid={`channel-banner-${c.peer}`}>
            <strong>{t('banner.suspended', { peer: `${nameOf(c.peer)} (${c.peer})`, by })}</strong>
            {c.reason ? `: ${c.reason}` : ''}{' '}
            <Link to="/channels" data-testid="channel-banner-link">
              {t('banner.details')}
            </Link>
          </p>
        );
      })}
    </div>
  );
}

const NAV = [
  { to: '/inbox', key: 'nav.inbox', id: 'nav-inbox' },
  { to: '/outbox', key: 'nav.outbox', id: 'nav-outbox' },
  { to: '/drafts', key: 'nav.drafts', id: 'nav-drafts' },
  { to: '/deadlines', key: 'nav.deadlines', id: 'nav-deadlines' },
  { to: '/channels', key: 'nav.channels', id: 'nav-channels' },
  { to: '/substances', key: 'nav.substances', id: 'nav-substances' },
] as const;

export function Layout({ children }: { children: ReactNode }) {
  const { t, lang } = useI18n();
  const me = useMe();
  const { signOut } = useSession();
  const { path } = useLocation();
  const [signingOut, setSigningOut] = useState(false);
  const section = path.startsWith('/packages/') ? null : path;

  const logout = () => {
    setSigningOut(true);
    void signOut().finally(() => setSigningOut(false));
  };

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t('header.skip')}
      </a>
      <header className="app-header">
        <div className="header-inner">
          <Link to="/inbox" className="brand" data-testid="brand">
            <Brand />
            <span className="brand-text">
              <span className="brand-name">Countersign</span>
              <span className="brand-party" data-testid="header-party">
                {partyName(me.party.names, lang, me.party.code)} <span className="party-code">{me.party.code}</span>
              </span>
            </span>
          </Link>
          <div className="header-tools">
            <LanguageSwitcher />
            <div className="user" data-testid="header-user">
              <span className="user-name">{me.user.displayName}</span>
              <span className="user-roles">
                {me.user.roles.map((r) => t(`role.${r}`, { defaultValue: r })).join(' · ')}
              </span>
            </div>
            <button type="button" className="btn btn-ghost" onClick={logout} disabled={signingOut} data-testid="logout">
              {t('header.logout')}
            </button>
          </div>
        </div>
        <nav className="app-nav" aria-label={t('nav.label')}>
          <div className="nav-inner">
            {NAV.map((item) => (
              <Link
                key={item.to}
                to={item.to}
                className={section === item.to ? 'active' : undefined}
                aria-current={section === item.to ? 'page' : undefined}
                data-testid={item.id}
              >
                {t(item.key)}
              </Link>
            ))}
            {can(me.user, 'audit') && (
              <Link
                to="/auditor"
                className={section === '/auditor' ? 'active' : undefined}
                aria-current={section === '/auditor' ? 'page' : undefined}
                data-testid="nav-auditor"
              >
                {t('nav.auditor')}
              </Link>
            )}
            {can(me.user, 'create') && (
              <Link
                to="/compose"
                className={section === '/compose' ? 'nav-compose active' : 'nav-compose'}
                aria-current={section === '/compose' ? 'page' : undefined}
                data-testid="nav-compose"
              >
                + {t('nav.compose')}
              </Link>
            )}
          </div>
        </nav>
      </header>
      <ChannelBanner />
      <main id="main" className="app-main" tabIndex={-1}>
        {children}
      </main>
      <footer className="app-footer">
        <div className="footer-inner">
          <span>Countersign · {t('footer.node', { party: me.party.code })}</span>
          <span>{t('footer.notice')}</span>
        </div>
      </footer>
    </div>
  );
}
