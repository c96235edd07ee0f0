import { Fragment, useEffect, useState, type ReactNode } from 'react';
import { gql } from '../api/client';
import { STACK, UPDATE_STACK } from '../api/ops/stacks';
import type { StackFieldsFragment, StackQuery, StackQueryVariables, UpdateStackMutation, UpdateStackMutationVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { parseEvents, stackIsSettling, stackTone } from '../lib/stacks';
import { Badge, ErrorNote, Loading } from './ui';

/** How often a settling stack is read again (a local deploy takes well under a second). */
const POLL_MS = 1000;
/** After a deploy is requested, how long to watch for the worker to pick it up. */
const FOLLOW_MS = 15_000;

/**
 * The CloudFormation stack behind an environment or a dataset: status, the reason a deploy
 * failed, outputs, the last deploy's events, and a redeploy button for its owners.
 * `followSince` (a timestamp) says a deploy was just requested elsewhere on the page (a team
 * invited): the card then follows the stack until that deploy has run.
 */
export function StackCard({ targetId, canRedeploy, followSince = 0 }: { targetId: string; canRedeploy: boolean; followSince?: number }) {
  const q = useQuery<StackQuery, StackQueryVariables>(STACK, { targetId }, targetId);
  const [fresh, setFresh] = useState<StackFieldsFragment | null>(null);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<unknown>(null);
  const [requestedAt, setRequestedAt] = useState(0);
  const [polls, setPolls] = useState(0);
  const stack = fresh ?? q.data?.stack ?? null;
  const settling = stack ? stackIsSettling(stack.status) : false;
  const since = Math.max(requestedAt, followSince);
  // A requested deploy has run once the stack row changed after the request.
  const caughtUp = stack !== null && Date.parse(stack.updatedAt) >= since;
  const following = since > 0 && !caughtUp && Date.now() - since < FOLLOW_MS;
  const reload = q.reload;

  useEffect(() => {
    if (!settling && !following) return;
    const t = window.setTimeout(() => {
      setFresh(null);
      void reload().then(() => setPolls((n) => n + 1));
    }, POLL_MS);
    return () => window.clearTimeout(t);
  }, [settling, following, reload, polls]);

  if (q.error) return <StackShell><ErrorNote error={q.error} /></StackShell>;
  if (!stack) return <StackShell><Loading label="Loading the stack" /></StackShell>;

  async function redeploy() {
    setBusy(true);
    setActionError(null);
    try {
      const at = Date.now();
      const r = await gql<UpdateStackMutation, UpdateStackMutationVariables>(UPDATE_STACK, { input: { targetId } });
      setFresh(r.updateStack);
      // The deploy runs as a task: follow the stack until it has run.
      setRequestedAt(at);
    } catch (e) {
      setActionError(e);
    } finally {
      setBusy(false);
    }
  }

  const outputs = Object.entries((stack.outputs ?? {}) as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b));
  const events = parseEvents(stack.events);
  return (
    <StackShell>
      <div className="stack-head">
        <Badge tone={stackTone(stack.status)}>{humanize(stack.status)}</Badge>
        <span className="muted small">updated {formatDate(stack.updatedAt)}</span>
      </div>
      <p className="mono small muted stack-name">{stack.name}</p>
      {stack.error && (
        <div className="note note-error" role="alert">
          <strong>The last deploy failed:</strong> {stack.error}
        </div>
      )}
      {requestedAt > 0 && (
        <p className="note" role="status">
          {settling || following ? 'Deploy requested: it runs in the background.' : 'Deploy requested and run.'}
        </p>
      )}
      <ErrorNote error={actionError} />
      {outputs.length > 0 && (
        <dl className="facts facts-mono" aria-label="Stack outputs">
          {outputs.map(([k, v]) => (
            <Fragment key={k}>
              <dt>{k}</dt>
              <dd>{typeof v === 'string' ? v : JSON.stringify(v)}</dd>
            </Fragment>
          ))}
        </dl>
      )}
      {events.length > 0 && (
        <details className="stack-events">
          <summary>Events of the last deploy ({events.length})</summary>
          <ol className="events" aria-label="Stack events">
            {events.map((e, i) => (
              <li key={i} className={e.status.endsWith('_FAILED') ? 'event event-bad' : 'event'}>
                <span className="mono small">{e.logicalId}</span> <span className="small">{humanize(e.status)}</span>
                <span className="muted small"> · {formatDate(e.timestamp)}</span>
                {e.reason && <p className="small event-reason">{e.reason}</p>}
              </li>
            ))}
          </ol>
        </details>
      )}
      {canRedeploy && (
        <div className="actions">
          <button type="button" className="btn btn-small" disabled={busy || settling || following} onClick={() => void redeploy()}>
            {settling || following ? 'Deploying…' : 'Redeploy'}
          </button>
        </div>
      )}
    </StackShell>
  );
}

function StackShell({ children }: { children: ReactNode }) {
  return (
    <section className="card" aria-labelledby="stack-h">
      <h2 id="stack-h">Stack</h2>
      {children}
    </section>
  );
}
