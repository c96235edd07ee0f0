import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { AUDIT_EVENTS } from '../../api/ops/admin';
import type { AuditEventsQuery, AuditEventsQueryVariables } from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';
import { formatDate } from '../../lib/format';
import { ErrorNote, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';
import { ResourcePicker } from './ResourcePicker';

export default function AuditPage() {
  const [params, setParams] = useSearchParams();
  const target = params.get('target') ?? '';
  return (
    <section className="card" aria-labelledby="audit-h">
      <h1 id="audit-h">Audit log</h1>
      <p className="muted small">Every change to a resource: who, what, before and after, and the request id that is also in the logs. Oldest first.</p>
      <ResourcePicker key={target} value={target} onChange={(id) => setParams({ target: id })} />
      {target ? <AuditEvents key={target} target={target} /> : <p className="muted">Choose a resource to see its trail.</p>}
    </section>
  );
}

function AuditEvents({ target }: { target: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const q = useQuery<AuditEventsQuery, AuditEventsQueryVariables>(AUDIT_EVENTS, { targetId: target, after }, `${target}|${after}`);
  const [action, setAction] = useState('');
  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <Loading />;
  const events = q.data.auditEvents;
  const actions = [...new Set(events.nodes.map((e) => e.action))].sort();
  const shown = action ? events.nodes.filter((e) => e.action === action) : events.nodes;
  return (
    <>
      <div className="field field-inline">
        <label htmlFor="action">Action on this page</label>
        <select id="action" value={action} onChange={(e) => setAction(e.target.value)}>
          <option value="">All ({events.nodes.length})</option>
          {actions.map((a) => (
            <option key={a} value={a}>
              {a}
            </option>
          ))}
        </select>
      </div>
      <table className="table" data-testid="audit-events">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Change</th>
            <th scope="col">Request</th>
          </tr>
        </thead>
        <tbody>
          {shown.map((e) => (
            <tr key={e.id}>
              <td>{formatDate(e.at)}</td>
              <td>{e.actor.replace(/^local:/, '')}</td>
              <td className="mono">{e.action}</td>
              <td>
                <details>
                  <summary>
                    {e.targetKind} {e.targetId}
                  </summary>
                  <div className="diff">
                    <div>
                      <p className="eyebrow">Before</p>
                      <pre>{e.before == null ? '—' : JSON.stringify(e.before, null, 2)}</pre>
                    </div>
                    <div>
                      <p className="eyebrow">After</p>
                      <pre>{e.after == null ? '—' : JSON.stringify(e.after, null, 2)}</pre>
                    </div>
                  </div>
                </details>
              </td>
              <td className="mono small">{e.requestId}</td>
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={5} className="muted">
                No changes recorded{action ? ' with this action on this page' : ''}.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager label="Audit pages" cursors={cursors} hasNext={events.pageInfo.hasNextPage} endCursor={events.pageInfo.endCursor} onChange={(c) => { setCursors(c); setAction(''); }} />
    </>
  );
}
