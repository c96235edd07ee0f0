import { Link } from 'react-router-dom';
import { SHARES_RECEIVED, SHARES_SENT } from '../api/ops/shares';
import type { ShareSummaryFragment, SharesReceivedQuery, SharesSentQuery } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { Badge, ErrorNote, Loading, statusTone } from '../components/ui';

export default function SharesPage({ box }: { box: 'sent' | 'received' }) {
  const q = useQuery<SharesSentQuery & SharesReceivedQuery, Record<string, never>>(box === 'sent' ? SHARES_SENT : SHARES_RECEIVED, {}, box);
  const list: ShareSummaryFragment[] = (box === 'sent' ? q.data?.sharesSent?.nodes : q.data?.sharesReceived?.nodes) ?? [];
  const ordered = [...list].sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  return (
    <div className="page">
      <h1>{box === 'sent' ? 'My requests' : 'Approvals'}</h1>
      <p className="muted">{box === 'sent' ? 'Access your teams asked for, and how to use what was granted.' : 'Requests for datasets your teams own or steward.'}</p>
      <ErrorNote error={q.error} />
      {!q.data && !q.error && <Loading />}
      {q.data && ordered.length === 0 && (
        <div className="empty">
          <h2>{box === 'sent' ? 'No requests yet' : 'Nothing to review'}</h2>
          <p>{box === 'sent' ? <>Find a dataset in <Link to="/search">Discover</Link> and choose “Request access”.</> : 'New requests for your datasets appear here.'}</p>
        </div>
      )}
      {ordered.length > 0 && (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">Dataset</th>
              <th scope="col">{box === 'sent' ? 'Owner team' : 'Requested by'}</th>
              <th scope="col">Items</th>
              <th scope="col">Status</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {ordered.map((s) => (
              <tr key={s.id}>
                <td>
                  <Link to={`/shares/${s.id}`}>{s.dataset?.label ?? s.datasetId}</Link>
                </td>
                <td>{box === 'sent' ? (s.dataset?.ownerTeam.name ?? '—') : s.teamName}</td>
                <td>{s.items.length}</td>
                <td>
                  <Badge tone={statusTone(s.status)}>{humanize(s.status)}</Badge>
                </td>
                <td>{formatDate(s.updatedAt)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
