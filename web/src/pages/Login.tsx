import { useEffect, useState, type FormEvent } from 'react';
import { useLocation, useNavigate, useSearchParams } from 'react-router-dom';
import { login } from '../api/client';
import { describe } from '../api/errors';
import { finishSignIn, loadAuthConfig, safeNext, startSignIn, type AuthConfig } from '../api/oidc';

export function LoginPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = params.get('next');
  const target = safeNext(next);
  const [config, setConfig] = useState<AuthConfig | null>(null);

  // The server says how to sign in: a password here (local mode) or the identity provider.
  useEffect(() => {
    let live = true;
    loadAuthConfig().then(
      (c) => live && setConfig(c),
      (e: unknown) => live && setError(describe(e)),
    );
    return () => {
      live = false;
    };
  }, []);

  async function withProvider() {
    if (config?.mode !== 'oidc') return;
    setBusy(true);
    setError(null);
    try {
      await startSignIn(config, target);
    } catch (err) {
      setError(describe(err));
      setBusy(false);
    }
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!username || !password) {
      setError('Enter your username and password.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await login(username, password);
      onSignedIn();
      navigate(target, { replace: true });
    } catch (err) {
      setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <div className="login-card">
        <div className="login-brand">
          <svg width="36" height="36" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="currentColor" />
            <path d="M7 20c3-3 6-3 9 0s6 3 9 0M7 13c3-3 6-3 9 0s6 3 9 0" stroke="white" strokeWidth="2.6" fill="none" />
          </svg>
          <span>lakecat</span>
        </div>
        <h1>Sign in</h1>
        <p className="muted">Find, understand and request the data in your lake.</p>
        {next && !error && <p className="note">Sign in to continue where you were.</p>}
        {config?.mode === 'oidc' && (
          <>
            {error && (
              <p className="note note-error" id="login-error" role="alert">
                {error}
              </p>
            )}
            <button type="button" className="btn btn-primary btn-block" disabled={busy || !config.clientId} onClick={() => void withProvider()}>
              {busy ? 'Opening your sign-in page…' : 'Sign in with your organization'}
            </button>
            {!config.clientId && <p className="muted">Browser sign-in is not configured on this server (LAKECAT_WEB_CLIENT_ID).</p>}
          </>
        )}
        {config?.mode === 'local' && (
        <form onSubmit={submit} noValidate>
          <div className="field">
            <label htmlFor="username">Username</label>
            <input id="username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} autoFocus aria-invalid={!!error} />
          </div>
          <div className="field">
            <label htmlFor="password">Password</label>
            <input
              id="password"
              name="password"
              type="password"
              autoComplete="current-password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={!!error}
              aria-describedby={error ? 'login-error' : undefined}
            />
          </div>
          {error && (
            <p className="note note-error" id="login-error" role="alert">
              {error}
            </p>
          )}
          <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
            {busy ? 'Signing in…' : 'Sign in'}
          </button>
        </form>
        )}
        {!config && !error && <p className="muted" role="status">Loading…</p>}
        {!config && error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
      </div>
    </main>
  );
}

// A code is single-use: one exchange per callback URL, even when the effect runs twice.
const finishing = new Map<string, Promise<string>>();

/** The identity provider sends the user back here with a code (OIDC mode). */
export function LoginCallback({ onSignedIn }: { onSignedIn: () => void }) {
  const navigate = useNavigate();
  const { search } = useLocation();
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    loadAuthConfig()
      .then((c) => {
        if (c.mode !== 'oidc') throw new Error('This server signs in with a password.');
        let p = finishing.get(search);
        if (!p) {
          p = finishSignIn(c, search);
          finishing.set(search, p);
        }
        return p;
      })
      .then(
        (to) => {
          if (!live) return;
          onSignedIn();
          navigate(to, { replace: true });
        },
        (e: unknown) => live && setError(describe(e)),
      );
    return () => {
      live = false;
    };
  }, [search, navigate, onSignedIn]);
  return (
    <main className="login" id="main">
      <div className="login-card">
        <h1>Signing in</h1>
        {error ? (
          <>
            <p className="note note-error" role="alert">
              {error}
            </p>
            <a href="/login">Start again</a>
          </>
        ) : (
          <p className="muted" role="status">
            Finishing sign-in…
          </p>
        )}
      </div>
    </main>
  );
}
