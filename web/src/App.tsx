import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { Navigate, Route, Routes, useLocation, useNavigate } from 'react-router-dom';
import { gql, logout, setUnauthenticatedHandler } from './api/client';
import { getToken } from './api/token';
import { ME } from './api/ops/me';
import { UNREAD_COUNT } from './api/ops/notifications';
import type { MeQuery, UnreadCountQuery } from './generated/graphql';
import { SessionContext, type Session } from './session';
import { Shell } from './components/Shell';
import { ErrorNote, Loading } from './components/ui';
import { LoginCallback, LoginPage } from './pages/Login';
import { forgetRefresh, keepFresh, loadAuthConfig } from './api/oidc';
import { SearchPage } from './pages/Search';

// The search page is the landing page and ships in the entry chunk; the rest load on demand.
const DatasetPage = lazy(() => import('./pages/Dataset'));
const TablePage = lazy(() => import('./pages/Table'));
const ColumnRedirect = lazy(() => import('./pages/ColumnRedirect'));
const RequestAccessPage = lazy(() => import('./pages/RequestAccess'));
const SharesPage = lazy(() => import('./pages/Shares'));
const SharePage = lazy(() => import('./pages/Share'));
const NotificationsPage = lazy(() => import('./pages/Notifications'));
const GlossaryPage = lazy(() => import('./pages/Glossary'));
const TermPage = lazy(() => import('./pages/Term'));
const EnvironmentPage = lazy(() => import('./pages/Environment'));
// Administration: admins only, never in the search page's bundle.
const AdminLayout = lazy(() => import('./pages/admin/AdminLayout'));
const AdminOrganizations = lazy(() => import('./pages/admin/Organizations'));
const AdminOrganization = lazy(() => import('./pages/admin/Organization'));
const AdminTeams = lazy(() => import('./pages/admin/Teams'));
const AdminUsers = lazy(() => import('./pages/admin/Users'));
const AdminAudit = lazy(() => import('./pages/admin/Audit'));
const AdminTasks = lazy(() => import('./pages/admin/Tasks'));

export function App() {
  const navigate = useNavigate();
  const location = useLocation();
  const [me, setMe] = useState<MeQuery['me'] | null>(null);
  const [unread, setUnread] = useState(0);
  const [error, setError] = useState<unknown>();
  const [hasToken, setHasToken] = useState(() => getToken() !== null);

  // Any 401 / UNAUTHENTICATED: back to sign-in, then back here.
  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setMe(null);
      setHasToken(false);
      const here = window.location.pathname + window.location.search;
      if (!window.location.pathname.startsWith('/login')) navigate(`/login?next=${encodeURIComponent(here)}`, { replace: true });
    });
  }, [navigate]);

  useEffect(() => {
    if (!hasToken) return;
    let live = true;
    gql<MeQuery>(ME)
      .then((d) => {
        if (!live) return;
        setMe(d.me);
        setUnread(d.unreadNotificationCount);
      })
      .catch((e) => live && setError(e));
    return () => {
      live = false;
    };
  }, [hasToken]);

  // With an identity provider, refresh the token before it expires while signed in.
  useEffect(() => {
    if (!hasToken) return;
    let stop = () => {};
    let live = true;
    loadAuthConfig().then(
      (c) => {
        if (live && c.mode === 'oidc') stop = keepFresh(c);
      },
      () => {},
    );
    return () => {
      live = false;
      stop();
    };
  }, [hasToken]);

  const refreshUnread = useCallback(() => {
    gql<UnreadCountQuery>(UNREAD_COUNT)
      .then((d) => setUnread(d.unreadNotificationCount))
      .catch(() => {});
  }, []);

  // Notifications arrive from other people's actions: refresh on navigation and every 15 s.
  useEffect(() => {
    if (!me) return;
    refreshUnread();
    const t = window.setInterval(refreshUnread, 15000);
    return () => window.clearInterval(t);
  }, [me, location.pathname, refreshUnread]);

  const signOut = useCallback(() => {
    logout();
    forgetRefresh();
    setMe(null);
    setHasToken(false);
    navigate('/login', { replace: true });
  }, [navigate]);

  const onSignedIn = useCallback(() => setHasToken(true), []);
  const session: Session | null = useMemo(() => (me ? { me, unread, refreshUnread, signOut } : null), [me, unread, refreshUnread, signOut]);

  if (location.pathname === '/login') {
    return <LoginPage onSignedIn={onSignedIn} />;
  }
  if (location.pathname === '/login/callback') {
    return <LoginCallback onSignedIn={onSignedIn} />;
  }
  if (!hasToken) {
    const next = location.pathname + location.search;
    return <Navigate to={`/login?next=${encodeURIComponent(next)}`} replace />;
  }
  if (!session) {
    return <main className="center">{error ? <ErrorNote error={error} /> : <Loading label="Signing in" />}</main>;
  }
  return (
    <SessionContext.Provider value={session}>
      <Shell>
        <Suspense fallback={<Loading />}>
          <Routes>
            <Route path="/" element={<Navigate to="/search" replace />} />
            <Route path="/search" element={<SearchPage />} />
            <Route path="/datasets/:id" element={<DatasetPage />} />
            <Route path="/datasets/:id/request" element={<RequestAccessPage />} />
            <Route path="/tables/:id" element={<TablePage />} />
            <Route path="/columns/:id" element={<ColumnRedirect />} />
            <Route path="/shares/sent" element={<SharesPage box="sent" />} />
            <Route path="/shares/received" element={<SharesPage box="received" />} />
            <Route path="/shares/:id" element={<SharePage />} />
            <Route path="/notifications" element={<NotificationsPage />} />
            <Route path="/glossary" element={<GlossaryPage />} />
            <Route path="/glossary/:id" element={<TermPage />} />
            <Route path="/environments/:id" element={<EnvironmentPage />} />
            <Route path="/admin" element={<AdminLayout />}>
              <Route index element={<Navigate to="/admin/organizations" replace />} />
              <Route path="organizations" element={<AdminOrganizations />} />
              <Route path="organizations/:id" element={<AdminOrganization />} />
              <Route path="teams" element={<AdminTeams />} />
              <Route path="users" element={<AdminUsers />} />
              <Route path="audit" element={<AdminAudit />} />
              <Route path="tasks" element={<AdminTasks />} />
            </Route>
            <Route path="*" element={<NotFound />} />
          </Routes>
        </Suspense>
      </Shell>
    </SessionContext.Provider>
  );
}

function NotFound() {
  return (
    <section className="page">
      <h1>Page not found</h1>
      <p>
        <a href="/search">Search the catalog</a> instead.
      </p>
    </section>
  );
}
