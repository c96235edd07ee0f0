/** Previous / next over cursor pages: `cursors` is the stack of `after` values walked so far. */
export function Pager({ cursors, hasNext, endCursor, onChange, label }: { cursors: (string | null)[]; hasNext: boolean; endCursor: string | null | undefined; onChange: (next: (string | null)[]) => void; label: string }) {
  return (
    <nav className="pager" aria-label={label}>
      <button type="button" className="btn btn-small" disabled={cursors.length <= 1} onClick={() => onChange(cursors.slice(0, -1))}>
        ← Previous
      </button>
      <span className="muted">Page {cursors.length}</span>
      <button type="button" className="btn btn-small" disabled={!hasNext || !endCursor} onClick={() => onChange([...cursors, endCursor ?? null])}>
        Next →
      </button>
    </nav>
  );
}
