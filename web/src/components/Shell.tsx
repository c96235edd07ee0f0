import type { ReactNode } from 'react';
import { Link, NavLink } from 'react-router-dom';
import { useSession } from '../session';

export function Shell({ children }: { children: ReactNode }) {
  const { me, unread, signOut } = useSession();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <Link to="/search" className="brand" aria-label="lakecat home">
          <svg width="26" height="26" viewBox="0 0 32 32" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="currentColor" />
            <path d="M7 20c3-3 6-3 9 0s6 3 9 0M7 13c3-3 6-3 9 0s6 3 9 0" stroke="white" strokeWidth="2.6" fill="none" />
          </svg>
          <span>lakecat</span>
        </Link>
        <nav aria-label="Main" className="mainnav">
          <NavLink to="/search">Discover</NavLink>
          <NavLink to="/shares/sent">My requests</NavLink>
          <NavLink to="/shares/received">Approvals</NavLink>
          <NavLink to="/glossary">Glossary</NavLink>
          {me.isAdmin && <NavLink to="/admin">Administer</NavLink>}
        </nav>
        <div className="topbar-end">
          <NavLink to="/notifications" className="bell" aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}>
            <svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true">
              <path d="M12 22a2.5 2.5 0 0 0 2.45-2h-4.9A2.5 2.5 0 0 0 12 22Zm7-6V11a7 7 0 0 0-5.5-6.84V3a1.5 1.5 0 0 0-3 0v1.16A7 7 0 0 0 5 11v5l-2 2v1h18v-1l-2-2Z" fill="currentColor" />
            </svg>
            {unread > 0 && (
              <span className="bell-count" data-testid="unread-count">
                {unread > 99 ? '99+' : unread}
              </span>
            )}
          </NavLink>
          <div className="who">
            <span className="who-name">{me.username}</span>
            <span className="who-team">{me.teams.join(', ') || 'no team'}</span>
          </div>
          <button type="button" className="btn btn-ghost" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
