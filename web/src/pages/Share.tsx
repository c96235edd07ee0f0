import { useEffect, useState, type FormEvent } from 'react';
import { Link, useParams } from 'react-router-dom';
import { gql } from '../api/client';
import { describe } from '../api/errors';
import { APPROVE_EXTENSION, APPROVE_SHARE, REJECT_EXTENSION, REJECT_SHARE, REQUEST_EXTENSION, REVOKE_SHARE, SHARE } from '../api/ops/shares';
import type { ShareQuery, ShareQueryVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { IN_FLIGHT, shareTimeline } from '../lib/timeline';
import { useSession } from '../session';
import { Badge, ErrorNote, Loading, statusTone } from '../components/ui';

export default function SharePage() {
  const { id = '' } = useParams();
  const { me, refreshUnread } = useSession();
  const q = useQuery<ShareQuery, ShareQueryVariables>(SHARE, { id }, id);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonError, setReasonError] = useState<string | null>(null);
  const [extending, setExtending] = useState(false);
  const [until, setUntil] = useState('');
  const [untilError, setUntilError] = useState<string | null>(null);
  const s = q.data?.shareRequest;
  const status = s?.status;
  const { reload } = q;

  // Granting and revoking run as background tasks: follow them until they settle.
  useEffect(() => {
    if (!status || !IN_FLIGHT.has(status)) return;
    const t = window.setTimeout(() => void reload(), 1000);
    return () => window.clearTimeout(t);
  }, [status, q.data, reload]);

  if (q.error) return <section className="page"><ErrorNote error={q.error} /></section>;
  if (!s) return <section className="page"><Loading /></section>;
  const approverTeams = [s.dataset?.ownerTeam.name, s.dataset?.stewardsTeam?.name].filter(Boolean);
  const canDecide = me.isAdmin || me.teams.some((t) => approverTeams.includes(t));
  const granted = s.items.filter((i) => i.status === 'SHARE_SUCCEEDED');
  const requester = me.teams.includes(s.teamName);
  // The API takes one extension request per grant: after a rejected one (EXTENSION_REJECTED)
  // access lasts until its current end.
  const mayExtend = requester && granted.length > 0 && s.status === 'PROCESSED';

  function extend(e: FormEvent) {
    e.preventDefault();
    // The date picked is the last day of access: access lasts until the end of that day (UTC).
    const end = until ? new Date(`${until}T23:59:59Z`) : null;
    if (!end || Number.isNaN(end.getTime())) {
      setUntilError('Pick the last day you need access.');
      return;
    }
    if (end.getTime() <= Date.now() || (s!.expiresAt && end.getTime() <= new Date(s!.expiresAt).getTime())) {
      setUntilError('Pick a day after the current expiry.');
      return;
    }
    setUntilError(null);
    setExtending(false);
    void act(REQUEST_EXTENSION, { shareId: s!.id, expiresAt: end.toISOString() });
  }

  async function act(query: string, vars: Record<string, string>) {
    setBusy(true);
    setError(null);
    try {
      await gql(query, vars);
      await q.reload();
      refreshUnread();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  function reject(e: FormEvent) {
    e.preventDefault();
    if (!reason.trim()) {
      setReasonError('Give the requesters a reason.');
      return;
    }
    setReasonError(null);
    setRejecting(false);
    void act(REJECT_SHARE, { shareId: s!.id, reason });
  }

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={canDecide && !me.teams.includes(s.teamName) ? '/shares/received' : '/shares/sent'}>{canDecide && !me.teams.includes(s.teamName) ? 'Approvals' : 'My requests'}</Link> <span aria-hidden="true">/</span> Request
      </nav>
      <header className="entity-head">
        <div>
          <p className="eyebrow">Access request</p>
          <h1>{s.dataset ? <Link to={`/datasets/${s.dataset.id}`}>{s.dataset.label}</Link> : s.datasetId}</h1>
          <p className="muted">
            {s.teamName} asked for {s.access.toLowerCase()} access · {formatDate(s.createdAt)} by {s.createdBy.replace(/^local:/, '')}
          </p>
        </div>
        <div className="head-actions">
          <Badge tone={statusTone(s.status)}>
            <span data-testid="share-status">{humanize(s.status)}</span>
          </Badge>
        </div>
      </header>

      <ol className="timeline" aria-label="Status">
        {shareTimeline(s.status).map((st) => (
          <li key={st.label} className={`step step-${st.state}`} aria-current={st.state === 'current' ? 'step' : undefined}>
            <span className="dot" aria-hidden="true" />
            {st.label}
          </li>
        ))}
      </ol>

      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}

      <div className="two-col">
        <div className="main-col">
          <section className="card" aria-labelledby="items-h">
            <h2 id="items-h">Items</h2>
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Item</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                {s.items.map((i) => (
                  <tr key={i.id}>
                    <td>{humanize(i.itemType)}</td>
                    <td className="mono">{i.consumption?.glueTable ?? i.consumption?.s3Prefix ?? i.targetId}</td>
                    <td>
                      <Badge tone={statusTone(i.status)}>{humanize(i.status)}</Badge>
                      {i.error && <p className="field-error">{i.error}</p>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>

          {granted.length > 0 && (
            <section className="card" aria-labelledby="use-h" data-testid="consumption">
              <h2 id="use-h">How to use it</h2>
              {granted.map((i) =>
                i.consumption ? (
                  <dl key={i.id} className="facts facts-mono">
                    {i.consumption.glueDatabase && (
                      <>
                        <dt>Glue database</dt>
                        <dd>{i.consumption.glueDatabase}</dd>
                      </>
                    )}
                    {i.consumption.glueTable && (
                      <>
                        <dt>Table</dt>
                        <dd>{i.consumption.glueTable}</dd>
                      </>
                    )}
                    {i.consumption.s3Uri && (
                      <>
                        <dt>S3</dt>
                        <dd>{i.consumption.s3Uri}</dd>
                      </>
                    )}
                    {i.consumption.accessPointAlias && (
                      <>
                        <dt>Access point alias</dt>
                        <dd>{i.consumption.accessPointAlias}</dd>
                      </>
                    )}
                    <dt>Region</dt>
                    <dd>{i.consumption.region}</dd>
                  </dl>
                ) : null,
              )}
            </section>
          )}
        </div>
        <aside className="side-col">
          <section className="card" aria-labelledby="req-h">
            <h2 id="req-h">Request</h2>
            <dl className="facts">
              <dt>Purpose</dt>
              <dd>{s.purpose || '—'}</dd>
              <dt>Consumer team</dt>
              <dd>{s.teamName}</dd>
              <dt>Access until</dt>
              <dd data-testid="expires-at">{s.expiresAt ? formatDate(s.expiresAt) : 'No expiry'}</dd>
              {s.requestedExpiry && (
                <>
                  <dt>Extension asked</dt>
                  <dd data-testid="requested-expiry">until {formatDate(s.requestedExpiry)}</dd>
                </>
              )}
              <dt>Role receiving access</dt>
              <dd className="mono small">{s.principalRoleArn}</dd>
              {s.rejectReason && (
                <>
                  <dt>Rejected because</dt>
                  <dd>{s.rejectReason}</dd>
                </>
              )}
            </dl>
          </section>
          {mayExtend && (
            <section className="card" aria-labelledby="extend-h">
              <h2 id="extend-h">Keep access longer</h2>
              {!extending ? (
                <button type="button" className="btn" disabled={busy} onClick={() => setExtending(true)}>
                  Ask for an extension…
                </button>
              ) : (
                <form onSubmit={extend} noValidate>
                  <div className="field">
                    <label htmlFor="until">Last day of access</label>
                    <input id="until" type="date" value={until} onChange={(e) => setUntil(e.target.value)} aria-invalid={!!untilError} aria-describedby={untilError ? 'until-err' : undefined} autoFocus />
                    {untilError && (
                      <p className="field-error" id="until-err" role="alert">
                        {untilError}
                      </p>
                    )}
                  </div>
                  <div className="actions">
                    <button type="submit" className="btn btn-primary">
                      Ask for extension
                    </button>
                    <button type="button" className="btn" onClick={() => setExtending(false)}>
                      Cancel
                    </button>
                  </div>
                </form>
              )}
            </section>
          )}
          {canDecide && (
            <section className="card" aria-labelledby="decide-h">
              <h2 id="decide-h">Decide</h2>
              {s.status === 'SUBMITTED' && !rejecting && (
                <div className="actions">
                  <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(APPROVE_SHARE, { shareId: s.id })}>
                    Approve
                  </button>
                  <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setRejecting(true)}>
                    Reject…
                  </button>
                </div>
              )}
              {rejecting && (
                <form onSubmit={reject}>
                  <div className="field">
                    <label htmlFor="reason">Reason</label>
                    <textarea id="reason" rows={3} value={reason} onChange={(e) => setReason(e.target.value)} aria-invalid={!!reasonError} aria-describedby={reasonError ? 'reason-err' : undefined} autoFocus />
                    {reasonError && (
                      <p className="field-error" id="reason-err" role="alert">
                        {reasonError}
                      </p>
                    )}
                  </div>
                  <div className="actions">
                    <button type="submit" className="btn btn-danger">
                      Reject request
                    </button>
                    <button type="button" className="btn" onClick={() => setRejecting(false)}>
                      Cancel
                    </button>
                  </div>
                </form>
              )}
              {s.status === 'SUBMITTED_FOR_EXTENSION' && (
                <div className="actions">
                  <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void act(APPROVE_EXTENSION, { shareId: s.id })}>
                    Approve extension
                  </button>
                  <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void act(REJECT_EXTENSION, { shareId: s.id })}>
                    Reject extension
                  </button>
                </div>
              )}
              {granted.length > 0 && (
                <button type="button" className="btn btn-danger" disabled={busy} onClick={() => void act(REVOKE_SHARE, { shareId: s.id })}>
                  Revoke access
                </button>
              )}
              {s.status !== 'SUBMITTED' && s.status !== 'SUBMITTED_FOR_EXTENSION' && granted.length === 0 && <p className="muted">Nothing to decide now.</p>}
            </section>
          )}
        </aside>
      </div>
    </div>
  );
}
