import { useCallback, useEffect, useRef, useState } from 'react';
import { gql } from '../api/client';
import { COLUMNS } from '../api/ops/catalog';
import type { ColumnFieldsFragment, ColumnsQuery, ColumnsQueryVariables } from '../generated/graphql';
import { visibleRange } from '../lib/virtual';

const ROW = 52;

/**
 * A table's columns as a virtualized list: only the rows in view are in the DOM, and pages
 * of 100 are fetched lazily, in order, as the user scrolls towards them — a 10,000-column
 * table scrolls like a 10-column one.
 */
export function ColumnList({
  tableId,
  total,
  selectedId,
  onSelect,
  patch,
}: {
  tableId: string;
  total: number;
  selectedId: string | null;
  onSelect: (c: ColumnFieldsFragment) => void;
  patch: Record<string, ColumnFieldsFragment>;
}) {
  const [cols, setCols] = useState<ColumnFieldsFragment[]>([]);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);
  const cursor = useRef<string | null>(null);
  const more = useRef(true);
  const busy = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const [wanted, setWanted] = useState(100);

  const loadNext = useCallback(async () => {
    if (busy.current || !more.current) return;
    busy.current = true;
    try {
      const d = await gql<ColumnsQuery, ColumnsQueryVariables>(COLUMNS, { tableId, after: cursor.current });
      cursor.current = d.columns.pageInfo.endCursor;
      more.current = d.columns.pageInfo.hasNextPage;
      setCols((c) => [...c, ...d.columns.nodes]);
    } finally {
      busy.current = false;
    }
  }, [tableId]);

  useEffect(() => {
    cursor.current = null;
    more.current = true;
    setCols([]);
  }, [tableId]);

  // Keep fetching until the rows in view (plus a page ahead) are loaded.
  useEffect(() => {
    if (cols.length < Math.min(wanted, total) && more.current && !busy.current) void loadNext();
  }, [cols.length, wanted, total, loadNext]);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setHeight(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const count = Math.max(total, cols.length);
  const { start, end } = visibleRange(scrollTop, height, ROW, count);
  useEffect(() => setWanted(end + 100), [end]);

  const rows = [];
  for (let i = start; i < end; i++) {
    const c0 = cols[i];
    const c = c0 ? (patch[c0.id] ?? c0) : undefined;
    rows.push(
      <li key={c?.id ?? `ph-${i}`} role="listitem" aria-setsize={count} aria-posinset={i + 1} className="vrow" style={{ transform: `translateY(${i * ROW}px)` }}>
        {c ? (
          <button type="button" className={`col-row${selectedId === c.id ? ' selected' : ''}`} aria-current={selectedId === c.id ? 'true' : undefined} onClick={() => onSelect(c)}>
            <span className="col-pos">{c.position + 1}</span>
            <span className="col-name">
              {c.name}
              {c.isPartition && <span className="badge badge-info">partition</span>}
              {c.classification && <span className="badge badge-warn">{c.classification}</span>}
            </span>
            <code className="col-type">{c.type}</code>
            <span className="col-desc">{c.description || <span className="muted">—</span>}</span>
          </button>
        ) : (
          <div className="col-row placeholder" aria-hidden="true">
            <span className="col-pos">{i + 1}</span>
            <span className="skeleton" />
          </div>
        )}
      </li>,
    );
  }

  return (
    <div className="vlist" ref={box} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)} tabIndex={-1} data-testid="columns">
      <ul role="list" aria-label={`Columns (${count})`} style={{ height: count * ROW }}>
        {rows}
      </ul>
    </div>
  );
}
