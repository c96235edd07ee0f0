import { useEffect, useState } from 'react';
import { gql } from '../api/client';
import { SYNC_TABLES, TABLE_SYNC } from '../api/ops/catalog';
import type { SyncTablesMutation, SyncTablesMutationVariables, TableSyncFieldsFragment, TableSyncQuery, TableSyncQueryVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate } from '../lib/format';
import { syncOutcome } from '../lib/tableSync';
import { describe } from '../api/errors';

/** How often a running sync is read again (a local sync takes well under a second). */
const POLL_MS = 1000;

/**
 * A dataset's tables as the lake has them: when they were last synced, what changed, the
 * tables that could not be read and why, and — for its owners — "Sync tables". `onSynced`
 * runs when a sync ends, so the page shows the new tables.
 */
export function TableSync({ datasetId, canSync, onSynced }: { datasetId: string; canSync: boolean; onSynced: () => void }) {
  const q = useQuery<TableSyncQuery, TableSyncQueryVariables>(TABLE_SYNC, { id: datasetId }, datasetId);
  const [fresh, setFresh] = useState<TableSyncFieldsFragment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [polls, setPolls] = useState(0);
  const sync = fresh ?? q.data?.dataset?.tableSync ?? null;
  const running = sync !== null && (sync.status === 'PENDING' || sync.status === 'RUNNING');
  const reload = q.reload;

  useEffect(() => {
    if (!running) return;
    const t = window.setTimeout(() => {
      void reload().then((d) => {
        setFresh(null);
        const s = d?.dataset?.tableSync;
        if (s && s.status !== 'PENDING' && s.status !== 'RUNNING') onSynced();
        setPolls((n) => n + 1);
      });
    }, POLL_MS);
    return () => window.clearTimeout(t);
  }, [running, reload, polls, onSynced]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const r = await gql<SyncTablesMutation, SyncTablesMutationVariables>(SYNC_TABLES, { input: { datasetId } });
      setFresh(r.syncTables);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="table-sync" data-testid="table-sync">
      <p className="muted small" role="status">
        {!sync && 'Never synced from the lake.'}
        {sync && running && 'Reading the lake…'}
        {sync && sync.status === 'SUCCEEDED' && syncOutcome(sync, formatDate(sync.finishedAt))}
        {sync && sync.status === 'FAILED' && `The last sync failed: ${sync.error ?? 'no reason recorded'}`}
      </p>
      {sync && !running && sync.failures.length > 0 && (
        <ul className="note note-warn sync-failures" aria-label="Tables that could not be read">
          {sync.failures.map((f) => (
            <li key={f.table}>
              <span className="mono">{f.table}</span>: {f.reason}
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      {canSync && (
        <button type="button" className="btn btn-small" disabled={busy || running} onClick={() => void start()}>
          {running ? 'Syncing…' : 'Sync tables'}
        </button>
      )}
    </div>
  );
}
