import type { ReactNode } from 'react';
import { describe } from '../api/errors';

export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <div className="note note-error" role="alert">
      {describe(error)}
    </div>
  );
}

export function Loading({ label = 'Loading' }: { label?: string }) {
  return (
    <p className="muted loading" role="status" aria-live="polite">
      {label}…
    </p>
  );
}

export function Badge({ children, tone = 'neutral' }: { children: ReactNode; tone?: 'neutral' | 'info' | 'ok' | 'warn' | 'bad' }) {
  return <span className={`badge badge-${tone}`}>{children}</span>;
}

export function Tags({ tags }: { tags: string[] }) {
  if (tags.length === 0) return <span className="muted">No tags</span>;
  return (
    <ul className="tags" aria-label="Tags">
      {tags.map((t) => (
        <li key={t} className="tag">
          {t}
        </li>
      ))}
    </ul>
  );
}

export function statusTone(status: string): 'neutral' | 'info' | 'ok' | 'warn' | 'bad' {
  if (/SUCCEEDED|PROCESSED|APPROVED/.test(status) && !/REVOKE/.test(status)) return 'ok';
  if (/FAILED|REJECTED/.test(status)) return 'bad';
  if (/REVOKE|DELETED/.test(status)) return 'warn';
  if (/SUBMITTED|PROGRESS|PENDING/.test(status)) return 'info';
  return 'neutral';
}
