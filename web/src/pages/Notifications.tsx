import { Link } from 'react-router-dom';
import { gql } from '../api/client';
import { MARK_ALL_READ, MARK_READ, NOTIFICATIONS } from '../api/ops/notifications';
import type { MarkReadMutationVariables, NotificationsQuery } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { useSession } from '../session';
import { ErrorNote, Loading } from '../components/ui';

function targetPath(targetId: string | null): string | null {
  if (!targetId) return null;
  if (targetId.startsWith('shr_')) return `/shares/${targetId}`;
  if (targetId.startsWith('ds_')) return `/datasets/${targetId}`;
  if (targetId.startsWith('tbl_')) return `/tables/${targetId}`;
  return null;
}

export default function NotificationsPage() {
  const { refreshUnread } = useSession();
  const q = useQuery<NotificationsQuery, Record<string, never>>(NOTIFICATIONS, {}, 'n');
  const list = [...(q.data?.notifications.nodes ?? [])].reverse();

  async function markRead(id: string) {
    await gql<unknown, MarkReadMutationVariables>(MARK_READ, { id });
    await q.reload();
    refreshUnread();
  }
  async function markAll() {
    await gql(MARK_ALL_READ);
    await q.reload();
    refreshUnread();
  }

  return (
    <div className="page page-narrow">
      <header className="entity-head">
        <div>
          <h1>Notifications</h1>
          <p className="muted">{q.data ? `${q.data.unreadNotificationCount} unread` : ''}</p>
        </div>
        {q.data && q.data.unreadNotificationCount > 0 && (
          <button type="button" className="btn" onClick={() => void markAll()}>
            Mark all read
          </button>
        )}
      </header>
      <ErrorNote error={q.error} />
      {!q.data && !q.error && <Loading />}
      {q.data && list.length === 0 && <div className="empty">You are all caught up. Requests and decisions about your teams' data show up here.</div>}
      <ul className="notes" data-testid="notifications">
        {list.map((n) => {
          const to = targetPath(n.targetId);
          return (
            <li key={n.id} className={n.read ? 'read' : 'unread'}>
              <div>
                <p className="note-kind">
                  {!n.read && <span className="unread-dot" aria-label="Unread" role="img" />}
                  {humanize(n.kind)} <span className="muted">· {n.team} · {formatDate(n.createdAt)}</span>
                </p>
                <p>{to ? <Link to={to}>{n.message}</Link> : n.message}</p>
              </div>
              {!n.read && (
                <button type="button" className="btn btn-small btn-ghost" onClick={() => void markRead(n.id)}>
                  Mark read
                </button>
              )}
            </li>
          );
        })}
      </ul>
    </div>
  );
}
