import { useEffect, useState, type FormEvent } from 'react';
import { toApiError, type ApiError } from '../api/client';
import { Brand, LanguageSwitcher } from '../components/Layout';
import { useI18n } from '../i18n';
import { useSession } from '../session';

export function LoginPage() {
  const { t } = useI18n();
  const { signIn, expired } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    document.title = `${t('login.title')} · Countersign`;
  }, [t]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      setError(toApiError(err));
      setPassword('');
      setBusy(false);
    }
  };

  const detail = error ? (error.code === 'network' ? t('problem.networkDetail') : error.problem.detail) : '';

  return (
    <div className="login-page">
      <div className="login-top">
        <LanguageSwitcher />
      </div>
      <main className="login-card">
        <div className="login-brand">
          <Brand />
          <div>
            <h1>Countersign</h1>
            <p className="muted">{t('login.tagline')}</p>
          </div>
        </div>
        {expired && !error && (
          <div className="alert alert-info" role="status" data-testid="login-expired">
            {t('login.expired')}
          </div>
        )}
        {error && (
          <div className="alert alert-error" role="alert" data-testid="login-error" data-code={error.code}>
            {detail}
          </div>
        )}
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="login-username">{t('login.username')}</label>
            <input
              id="login-username"
              name="username"
              autoComplete="username"
              autoCapitalize="none"
              spellCheck={false}
              autoFocus
              required
              value={username}
              onChange={(e) => setUsername(e.target.value)}
              data-testid="login-username"
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              name="password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              data-testid="login-password"
            />
          </div>
          <button
            type="submit"
            className="btn btn-primary btn-block"
            disabled={busy || !username.trim() || !password}
            data-testid="login-submit"
          >
            {busy ? t('login.signingIn') : t('login.submit')}
          </button>
        </form>
        <p className="login-notice">{t('login.notice')}</p>
      </main>
    </div>
  );
}
