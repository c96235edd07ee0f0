import { useEffect, useId, useMemo, useState } from 'react';
import { Link } from 'react-router-dom';
import { gql } from '../api/client';
import { describe } from '../api/errors';
import { PROFILE_RUN, PROFILE_TABLE, TABLE_STATS } from '../api/ops/catalog';
import type {
  ColumnStatsFieldsFragment,
  ProfileRunFieldsFragment,
  ProfileRunQuery,
  ProfileRunQueryVariables,
  ProfileTableMutation,
  ProfileTableMutationVariables,
  TableStatsQuery,
  TableStatsQueryVariables,
} from '../generated/graphql';
import { formatDate } from '../lib/format';
import { barHeights, formatCount, formatDistinct, formatShare, formatValue, histogramText, isRunning, type Bucket } from '../lib/profile';
import { useQuery } from '../lib/useQuery';
import { Loading } from './ui';

/** How often a running profile is read again (a demo table takes well under a second). */
const POLL_MS = 700;
/** Statistics rows rendered at first and added by "Show more": a 10,000-column table stays light. */
const PAGE = 100;
/** Frequent values shown as chips before "n more". */
const CHIPS = 5;
/** Wider tables load their columns' statistics on request (10,000 columns are about 5 MB). */
const EAGER_COLUMNS = 1000;

/**
 * A table's profile: per-column statistics computed from every row (`profileTable`), for the
 * dataset's owners and the teams that may read its data. Owners start a run and the card
 * reads it again until it settles, as the dataset's table sync does. `gone` (the table is no
 * longer in the lake) keeps the last statistics but offers no new run.
 */
export function ProfileCard({ tableId, datasetId, columnCount, canProfile, gone }: { tableId: string; datasetId: string; columnCount: number; canProfile: boolean; gone: boolean }) {
  const [withColumns, setWithColumns] = useState(columnCount <= EAGER_COLUMNS);
  const q = useQuery<TableStatsQuery, TableStatsQueryVariables>(TABLE_STATS, { id: tableId, withColumns }, `${tableId}:${withColumns}`);
  const [fresh, setFresh] = useState<ProfileRunFieldsFragment | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [polls, setPolls] = useState(0);
  const run = fresh ?? q.data?.table?.profileRun ?? null;
  const running = isRunning(run?.status);
  const reload = q.reload;

  useEffect(() => {
    if (!running) return;
    let alive = true;
    const t = window.setTimeout(() => {
      gql<ProfileRunQuery, ProfileRunQueryVariables>(PROFILE_RUN, { id: tableId })
        .then(async (d) => {
          const r = d.table?.profileRun ?? null;
          if (!alive) return;
          if (r && !isRunning(r.status)) await reload();
          if (!alive) return;
          setError(null);
          setFresh(r);
          setPolls((n) => n + 1);
        })
        .catch((e: unknown) => {
          if (!alive) return;
          setError(describe(e));
          setPolls((n) => n + 1);
        });
    }, POLL_MS);
    return () => {
      alive = false;
      window.clearTimeout(t);
    };
  }, [running, polls, tableId, reload]);

  async function start() {
    setBusy(true);
    setError(null);
    try {
      const r = await gql<ProfileTableMutation, ProfileTableMutationVariables>(PROFILE_TABLE, { input: { tableId } });
      // A run that already ended (a request joining one that finished): show its statistics.
      if (!isRunning(r.profileTable.status)) await reload();
      setFresh(r.profileTable);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  const profile = q.data?.table?.profile ?? null;
  return (
    <section className="card" aria-labelledby="profile-h" data-testid="profile">
      <div className="card-head">
        <h2 id="profile-h">Profile</h2>
        {canProfile && !gone && (
          <button type="button" className="btn btn-small" disabled={busy || running || !q.data} onClick={() => void start()}>
            {running ? 'Profiling…' : profile ? 'Profile again' : 'Profile table'}
          </button>
        )}
      </div>
      <div role="status" className="profile-status">
        {running && (
          <>
            <progress aria-label="Profiling" />
            <span className="muted small">{run?.status === 'PENDING' ? 'Profiling: waiting for a worker…' : 'Profiling: reading every row…'}</span>
          </>
        )}
      </div>
      {run?.status === 'FAILED' && (
        <p className="note note-error" role="alert">
          The last profile failed: {run.error ?? 'no reason recorded'}.{profile && ' The statistics below are from the profile before it.'}
        </p>
      )}
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      {!q.data && !q.error && <Loading label="Loading the profile" />}
      {q.error !== undefined && <p className="note note-error">{describe(q.error)}</p>}
      {q.data && !profile && <NoProfile canProfile={canProfile} gone={gone} profiled={run !== null} running={running} datasetId={datasetId} />}
      {profile && <ProfileBody profile={profile} loading={q.loading} onLoadColumns={() => setWithColumns(true)} />}
    </section>
  );
}

function NoProfile({ canProfile, gone, profiled, running, datasetId }: { canProfile: boolean; gone: boolean; profiled: boolean; running: boolean; datasetId: string }) {
  if (running) return null;
  if (canProfile) {
    if (gone) return <p className="muted small">Not profiled: the table is gone from the lake.</p>;
    if (profiled) return null; // the failure says why
    return <p className="muted small">Not profiled yet. A profile reads every row of the table from the lake and records, per column, its nulls, distinct values, range, most frequent values and a histogram.</p>;
  }
  return (
    <p className="muted small" data-testid="profile-restricted">
      {profiled ? 'Statistics of this table are available to its dataset’s owners and to teams with a granted share.' : 'Not profiled yet. Once its owners profile it, statistics are available to them and to teams with a granted share.'}{' '}
      <Link to={`/datasets/${datasetId}/request`}>Request access</Link>
    </p>
  );
}

type Profile = NonNullable<NonNullable<TableStatsQuery['table']>['profile']>;

function ProfileBody({ profile, loading, onLoadColumns }: { profile: Profile; loading: boolean; onLoadColumns: () => void }) {
  const [shown, setShown] = useState(PAGE);
  const [filter, setFilter] = useState('');
  const filterId = useId();
  // Absent when the query left them out (@include): a very wide table's, until asked for.
  const all: ColumnStatsFieldsFragment[] | undefined = profile.columns;
  const cols = useMemo(() => {
    const f = filter.trim().toLowerCase();
    return all && f ? all.filter((c) => c.name.toLowerCase().includes(f)) : (all ?? []);
  }, [all, filter]);
  const visible = cols.slice(0, shown);
  const rows = profile.rowCount;

  const facts = (
    <dl className="profile-facts" data-testid="profile-facts">
      <div>
        <dt>Computed</dt>
        <dd>{formatDate(profile.computedAt)}</dd>
      </div>
      <div>
        <dt>Rows</dt>
        <dd>{formatCount(rows)}</dd>
      </div>
      <div>
        <dt>Files read</dt>
        <dd>{formatCount(profile.filesRead)}</dd>
      </div>
      <div>
        <dt>Method</dt>
        <dd>{profile.method}</dd>
      </div>
    </dl>
  );
  if (!all)
    return (
      <>
        {facts}
        <div className="actions">
          <button type="button" className="btn btn-small" disabled={loading} onClick={onLoadColumns}>
            {loading ? 'Loading…' : 'Show the column statistics'}
          </button>
          <span className="muted small">A table this wide has megabytes of them.</span>
        </div>
      </>
    );

  return (
    <>
      {facts}
      {all.length > 20 && (
        <div className="field-inline profile-filter">
          <label htmlFor={filterId}>Find a column</label>
          <input
            id={filterId}
            type="search"
            value={filter}
            onChange={(e) => {
              setFilter(e.target.value);
              setShown(PAGE);
            }}
          />
        </div>
      )}
      <div className="preview-scroll" tabIndex={0} role="region" aria-label="Column statistics">
        <table className="table stats-table" data-testid="column-stats">
          <thead>
            <tr>
              <th scope="col">Column</th>
              <th scope="col">Nulls</th>
              <th scope="col">Distinct</th>
              <th scope="col">Min</th>
              <th scope="col">Max</th>
              <th scope="col">Most frequent</th>
              <th scope="col">Histogram</th>
            </tr>
          </thead>
          <tbody>
            {visible.map((c) => (
              <StatsRow key={c.name} c={c} rows={rows} />
            ))}
            {cols.length === 0 && (
              <tr>
                <td colSpan={7} className="muted">
                  No column matches.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
      {cols.length > PAGE && (
        <div className="actions">
          <span className="muted small" role="status">
            Showing {formatCount(visible.length)} of {formatCount(cols.length)} columns
          </span>
          {visible.length < cols.length && (
            <button type="button" className="btn btn-small" onClick={() => setShown((n) => n + PAGE)}>
              Show {formatCount(Math.min(PAGE, cols.length - visible.length))} more
            </button>
          )}
        </div>
      )}
    </>
  );
}

function StatsRow({ c, rows }: { c: ColumnStatsFieldsFragment; rows: number }) {
  return (
    <tr>
      <th scope="row" className="mono">
        {c.name}
      </th>
      <td className="num">
        {formatCount(c.nulls)} <span className="muted">({formatShare(c.nulls, rows)})</span>
      </td>
      <td className="num">{formatDistinct(c.distinct)}</td>
      <Value v={c.min} />
      <Value v={c.max} />
      <td>{c.topValues.length > 0 ? <TopValues column={c.name} values={c.topValues} /> : <span className="muted">—</span>}</td>
      <td>{c.histogram.length > 0 ? <Histogram column={c.name} buckets={c.histogram} /> : <span className="muted">—</span>}</td>
    </tr>
  );
}

function Value({ v }: { v: unknown }) {
  const full = formatValue(v, Infinity);
  const short = formatValue(v);
  return (
    <td className={v === null || v === undefined ? 'muted' : 'mono'} title={short !== full ? full : undefined}>
      {short}
    </td>
  );
}

function Chips({ values }: { values: ColumnStatsFieldsFragment['topValues'] }) {
  return (
    <>
      {values.map((t, i) => (
        <li key={i} className="value-chip">
          <span className="mono">{formatValue(t.value, 24)}</span> <span className="value-count">{formatCount(t.count)}</span>
        </li>
      ))}
    </>
  );
}

function TopValues({ column, values }: { column: string; values: ColumnStatsFieldsFragment['topValues'] }) {
  const first = values.slice(0, CHIPS);
  const rest = values.slice(CHIPS);
  return (
    <div className="top-values">
      <ul className="value-chips" aria-label={`Most frequent values of ${column}, with their rows`}>
        <Chips values={first} />
      </ul>
      {rest.length > 0 && (
        <details>
          <summary>{rest.length} more</summary>
          <ul className="value-chips" aria-label={`More frequent values of ${column}`}>
            <Chips values={rest} />
          </ul>
        </details>
      )}
    </div>
  );
}

const HIST_W = 100;
const HIST_H = 24;

function Histogram({ column, buckets }: { column: string; buckets: Bucket[] }) {
  const heights = barHeights(buckets, HIST_H);
  const w = HIST_W / buckets.length;
  const text = histogramText(column, buckets);
  return (
    <svg className="histogram" role="img" aria-label={text} width={HIST_W} height={HIST_H} viewBox={`0 0 ${HIST_W} ${HIST_H}`}>
      <title>{text}</title>
      <line x1={0} x2={HIST_W} y1={HIST_H - 0.5} y2={HIST_H - 0.5} className="histogram-base" />
      {heights.map((h, i) => (
        <rect key={i} x={i * w + 0.5} y={HIST_H - h} width={Math.max(1, w - 1)} height={h} rx={1} />
      ))}
    </svg>
  );
}
