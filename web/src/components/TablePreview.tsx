import { useState } from 'react';
import { Link } from 'react-router-dom';
import { gql } from '../api/client';
import { ApiError, describe } from '../api/errors';
import { PREVIEW_TABLE } from '../api/ops/catalog';
import type { PreviewTableQuery, PreviewTableQueryVariables } from '../generated/graphql';

const ROWS = 20;

/** A cell as text: null as an em dash, nested values as compact JSON. */
function cell(v: unknown): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/**
 * The first rows of a table, read from the lake on request (every preview is audited, so
 * nothing is read until the user asks). Teams without a granted share are told to request
 * access.
 */
export function TablePreview({ tableId, datasetId }: { tableId: string; datasetId: string }) {
  const [data, setData] = useState<PreviewTableQuery['previewTable'] | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function load() {
    setBusy(true);
    setError(null);
    try {
      const r = await gql<PreviewTableQuery, PreviewTableQueryVariables>(PREVIEW_TABLE, { tableId, limit: ROWS });
      setData(r.previewTable);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const forbidden = error instanceof ApiError && error.code === 'FORBIDDEN';
  const rows = data?.rows as unknown[][] | undefined;
  return (
    <section className="card" aria-labelledby="preview-h">
      <div className="card-head">
        <h2 id="preview-h">Preview</h2>
        <button type="button" className="btn btn-small" disabled={busy} onClick={() => void load()}>
          {busy ? 'Reading…' : data ? 'Read again' : `Show the first ${ROWS} rows`}
        </button>
      </div>
      {!data && !error && <p className="muted small">Reads the table&apos;s first rows from the lake. Previews are recorded in the table&apos;s audit log.</p>}
      {error !== null && (
        <p className="note note-error" role="alert">
          {forbidden ? (error as ApiError).message : describe(error)}
          {forbidden && (
            <>
              {' '}
              <Link to={`/datasets/${datasetId}/request`}>Request access</Link>
            </>
          )}
        </p>
      )}
      {data && rows && (
        <div className="preview-scroll" tabIndex={0} role="region" aria-label="Preview rows">
          <table className="table preview-table" data-testid="preview">
            <thead>
              <tr>
                {data.columns.map((c) => (
                  <th key={c.name} scope="col">
                    {c.name} <span className="muted small">{c.type}</span>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  {r.map((v, j) => (
                    <td key={j} className={v === null ? 'muted' : undefined}>
                      {cell(v)}
                    </td>
                  ))}
                </tr>
              ))}
              {rows.length === 0 && (
                <tr>
                  <td colSpan={data.columns.length} className="muted">
                    The table has no rows yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
          <p className="muted small">{data.more ? `The first ${rows.length} rows; the table has more.` : `All ${rows.length} rows.`}</p>
        </div>
      )}
    </section>
  );
}
