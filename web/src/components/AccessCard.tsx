import { Link } from 'react-router-dom';
import { DATASET_ACCESS, MY_DATASET_REQUESTS } from '../api/ops/shares';
import type { DatasetAccessQuery, DatasetAccessQueryVariables, MyDatasetRequestsQuery, MyDatasetRequestsQueryVariables, ShareRequestStatus } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { teamRole } from '../lib/access';
import { Badge, ErrorNote, Loading, statusTone } from './ui';

/** Requests whose items hold (or are about to hold) access. */
const HOLDING: ReadonlySet<ShareRequestStatus> = new Set(['PROCESSED', 'SUBMITTED_FOR_EXTENSION', 'EXTENSION_REJECTED', 'SHARE_IN_PROGRESS', 'REVOKE_IN_PROGRESS']);
/** Requests still to be decided. */
const OPEN: ReadonlySet<ShareRequestStatus> = new Set(['SUBMITTED', 'APPROVED', 'DRAFT']);

/**
 * Who has access to a dataset. Teams allowed to see its AWS details (`seesTeams`: owners,
 * stewards, invited teams) see its teams with their role and, where their team decides on
 * requests, the consumer teams holding or asking for access. Everyone sees their own teams'
 * requests on it.
 */
export function AccessCard({ datasetId, ownerTeam, stewardsTeam, seesTeams }: { datasetId: string; ownerTeam: string; stewardsTeam: string | null; seesTeams: boolean }) {
  const filter = { datasetId };
  const access = useQuery<DatasetAccessQuery, DatasetAccessQueryVariables>(DATASET_ACCESS, { id: datasetId, filter }, datasetId, !seesTeams);
  const mine = useQuery<MyDatasetRequestsQuery, MyDatasetRequestsQueryVariables>(MY_DATASET_REQUESTS, { filter }, datasetId);

  const teams = access.data?.dataset?.teams ?? [];
  const received = access.data?.sharesReceived.nodes ?? [];
  const holding = received.filter((s) => HOLDING.has(s.status));
  const open = received.filter((s) => OPEN.has(s.status));
  const sent = mine.data?.sharesSent.nodes ?? [];

  return (
    <section className="card" aria-labelledby="access-h">
      <h2 id="access-h">Who has access</h2>
      {seesTeams && (
        <>
          {access.error ? <ErrorNote error={access.error} /> : null}
          {!access.data && !access.error && <Loading label="Loading who has access" />}
          {access.data && (
            <ul className="access-list" aria-label="Teams of the dataset">
              {teams.map((t) => (
                <li key={t.team}>
                  <span className="mono">{t.team}</span> <span className="muted small">{teamRole(t, ownerTeam, stewardsTeam)}</span>
                </li>
              ))}
            </ul>
          )}
          {access.data && (holding.length > 0 || open.length > 0) && (
            <>
              <h3 className="sub">Shared with</h3>
              <ul className="access-list" aria-label="Shares of the dataset">
                {[...holding, ...open].map((s) => (
                  <li key={s.id}>
                    <Link to={`/shares/${s.id}`} className="mono">
                      {s.teamName}
                    </Link>{' '}
                    <Badge tone={statusTone(s.status)}>{humanize(s.status)}</Badge>{' '}
                    <span className="muted small">
                      {humanize(s.access)}, {s.items.length} {s.items.length === 1 ? 'item' : 'items'}
                      {s.expiresAt ? `, until ${formatDate(s.expiresAt)}` : ''}
                    </span>
                  </li>
                ))}
              </ul>
            </>
          )}
        </>
      )}
      {!seesTeams && <p className="muted small">Its owner team ({ownerTeam}) decides who gets access.</p>}
      {mine.error ? <ErrorNote error={mine.error} /> : null}
      {sent.length > 0 && (
        <>
          <h3 className="sub">Your requests</h3>
          <ul className="access-list" aria-label="Your requests for the dataset">
            {sent.map((s) => (
              <li key={s.id}>
                <Link to={`/shares/${s.id}`}>{s.teamName}</Link> <Badge tone={statusTone(s.status)}>{humanize(s.status)}</Badge>{' '}
                <span className="muted small">{s.expiresAt ? `until ${formatDate(s.expiresAt)}` : `updated ${formatDate(s.updatedAt)}`}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
