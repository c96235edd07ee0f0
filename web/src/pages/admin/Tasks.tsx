import { useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { describe } from '../../api/errors';
import { RETRY_TASK, TASKS } from '../../api/ops/admin';
import type { RetryTaskMutation, RetryTaskMutationVariables, TasksQuery, TasksQueryVariables, TaskStatus } from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';
import { formatDate, humanize } from '../../lib/format';
import { Badge, ErrorNote, Loading, statusTone } from '../../components/ui';
import { Pager } from '../../components/Pager';
import { ResourcePicker } from './ResourcePicker';

const STATUSES: TaskStatus[] = ['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED'];

export default function TasksPage() {
  const [params, setParams] = useSearchParams();
  const target = params.get('target') ?? '';
  return (
    <section className="card" aria-labelledby="tasks-h">
      <h1 id="tasks-h">Tasks</h1>
      <p className="muted small">Background work on a resource (granting shares, indexing for search). A task that failed for good can be run again with a fresh attempt budget.</p>
      <ResourcePicker key={target} value={target} onChange={(id) => setParams({ target: id })} />
      {target ? <TaskList key={target} target={target} /> : <p className="muted">Choose a resource to see its tasks.</p>}
    </section>
  );
}

function TaskList({ target }: { target: string }) {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const q = useQuery<TasksQuery, TasksQueryVariables>(TASKS, { targetId: target, after }, `${target}|${after}`);
  const [status, setStatus] = useState<TaskStatus | ''>('');
  const [error, setError] = useState<string | null>(null);
  const [retried, setRetried] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <Loading />;
  const tasks = q.data.tasks;
  const count = (s: TaskStatus) => tasks.nodes.filter((t) => t.status === s).length;
  const shown = status ? tasks.nodes.filter((t) => t.status === status) : tasks.nodes;

  async function retry(id: string) {
    setBusy(id);
    setError(null);
    setRetried(null);
    try {
      const d = await gql<RetryTaskMutation, RetryTaskMutationVariables>(RETRY_TASK, { id });
      setRetried(`Task ${d.retryTask.id} is ${humanize(d.retryTask.status).toLowerCase()} again.`);
      await q.reload();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <>
      <p className="muted small">Counts and the status filter cover the tasks on this page (the API lists a resource's tasks, oldest first, without a status filter).</p>
      <fieldset className="status-filter">
        <legend>Status</legend>
        
        <label className="check">
          <input type="radio" name="status" checked={status === ''} onChange={() => setStatus('')} /> All ({tasks.nodes.length})
        </label>
        {STATUSES.map((s) => (
          <label key={s} className="check">
            <input type="radio" name="status" checked={status === s} onChange={() => setStatus(s)} /> {humanize(s)} ({count(s)})
          </label>
        ))}
      </fieldset>
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      {retried && (
        <p className="note" role="status">
          {retried}
        </p>
      )}
      <table className="table" data-testid="tasks">
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col">Status</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last error</th>
            <th scope="col">Updated</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {shown.map((t) => (
            <tr key={t.id}>
              <td>
                <span className="mono">{t.kind}</span>
                <p className="mono small muted">{t.id}</p>
              </td>
              <td>
                <Badge tone={statusTone(t.status)}>{humanize(t.status)}</Badge>
              </td>
              <td>{t.attempts}</td>
              <td className="small">{t.lastError ?? '—'}</td>
              <td>{formatDate(t.updatedAt)}</td>
              <td>
                {t.status === 'FAILED' && (
                  <button type="button" className="btn btn-small" disabled={busy === t.id} onClick={() => void retry(t.id)} aria-label={`Retry ${t.kind} ${t.id}`}>
                    {busy === t.id ? 'Retrying…' : 'Retry'}
                  </button>
                )}
              </td>
            </tr>
          ))}
          {shown.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No {status ? humanize(status).toLowerCase() + ' ' : ''}tasks on this page.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager label="Task pages" cursors={cursors} hasNext={tasks.pageInfo.hasNextPage} endCursor={tasks.pageInfo.endCursor} onChange={setCursors} />
    </>
  );
}
