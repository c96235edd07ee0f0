import { NavLink, Outlet } from 'react-router-dom';
import { useSession } from '../../session';

/** The administration area: for admins only; anyone else is told so, not shown a blank page. */
export default function AdminLayout() {
  const { me } = useSession();
  if (!me.isAdmin) {
    return (
      <section className="page page-narrow">
        <h1>Not allowed</h1>
        <p className="note note-error" role="alert">
          Administration is for lakecat admins. You are signed in as {me.username} ({me.teams.join(', ') || 'no team'}), which is not an admin team.
        </p>
        <p>
          Ask an admin if you need an organization, an environment or a team's permissions changed. <a href="/search">Back to the catalog</a>.
        </p>
      </section>
    );
  }
  return (
    <div className="page">
      <p className="eyebrow">Administer</p>
      <nav aria-label="Administration" className="subnav">
        <NavLink to="/admin/organizations">Organizations</NavLink>
        <NavLink to="/admin/teams">Teams</NavLink>
        <NavLink to="/admin/users">Users</NavLink>
        <NavLink to="/admin/audit">Audit log</NavLink>
        <NavLink to="/admin/tasks">Tasks</NavLink>
      </nav>
      <Outlet />
    </div>
  );
}
