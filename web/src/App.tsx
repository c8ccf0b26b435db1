import { Loading } from './components/Feedback';
import { Brand, Layout, LanguageSwitcher } from './components/Layout';
import { ProblemAlert } from './components/ProblemAlert';
import { useI18n } from './i18n';
import { Link, matchRoute, Redirect, useLocation } from './lib/router';
import { AuditorPage } from './routes/AuditorPage';
import { BoxPage } from './routes/BoxPage';
import { ChannelsPage } from './routes/ChannelsPage';
import { ComposePage } from './routes/ComposePage';
import { DeadlinesPage } from './routes/DeadlinesPage';
import { DraftsPage } from './routes/DraftsPage';
import { LoginPage } from './routes/LoginPage';
import { PackagePage } from './routes/PackagePage';
import { SubstancesPage } from './routes/SubstancesPage';
import { SessionProvider, useSession } from './session';

function NotFound() {
  const { t } = useI18n();
  return (
    <section className="not-found" data-testid="page-not-found">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link to="/inbox" className="btn btn-primary" data-testid="not-found-home">
        {t('notFound.home')}
      </Link>
    </section>
  );
}

function Unavailable() {
  const { t } = useI18n();
  const { error, retry } = useSession();
  return (
    <div className="login-page">
      <div className="login-top">
        <LanguageSwitcher />
      </div>
      <main className="login-card">
        <div className="login-brand">
          <Brand />
          <h1>Countersign</h1>
        </div>
        <p>{t('app.unavailable')}</p>
        {error && <ProblemAlert error={error} testId="app-error" onRetry={retry} />}
      </main>
    </div>
  );
}

function Routes() {
  const { path, query } = useLocation();
  const route = matchRoute(path);
  switch (route.name) {
    case 'home':
    case 'login':
      return <Redirect to="/inbox" />;
    case 'inbox':
      return <BoxPage key="inbox" box="inbox" />;
    case 'outbox':
      return <BoxPage key="outbox" box="outbox" />;
    case 'drafts':
      return <DraftsPage />;
    case 'deadlines':
      return <DeadlinesPage />;
    case 'channels':
      return <ChannelsPage />;
    case 'compose':
      return <ComposePage key={query.toString()} />;
    case 'substances':
      // Keyed by the query: a new lookup starts from a clean page.
      return <SubstancesPage key={query.toString()} />;
    case 'auditor':
      return <AuditorPage />;
    case 'package':
      return <PackagePage key={route.id} id={route.id} />;
    case 'notFound':
      return <NotFound />;
  }
}

function Shell() {
  const session = useSession();
  if (session.status === 'loading' && !session.me) {
    return (
      <div className="boot">
        <Loading />
      </div>
    );
  }
  if (session.status === 'error') return <Unavailable />;
  if (!session.me) return <LoginPage />;
  return (
    <Layout>
      <Routes />
    </Layout>
  );
}

export function App() {
  return (
    <SessionProvider>
      <Shell />
    </SessionProvider>
  );
}
