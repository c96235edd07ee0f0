import { useState, type FormEvent } from 'react';
import { RESOURCES } from '../../api/ops/admin';
import type { AdminResourcesQuery } from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';

/**
 * Chooses the resource whose audit trail or tasks to show: the API lists both per resource
 * (`targetId`), so pick an organization, environment or dataset, or paste any id (a share
 * request's `shr_…`, a table's `tbl_…`).
 */
export function ResourcePicker({ value, onChange }: { value: string; onChange: (id: string) => void }) {
  const q = useQuery<AdminResourcesQuery, Record<string, never>>(RESOURCES, {}, 'resources');
  const [typed, setTyped] = useState(value);
  const groups: [string, { id: string; label: string }[]][] = q.data
    ? [
        ['Organizations', q.data.organizations.nodes],
        ['Environments', q.data.environments.nodes],
        ['Datasets', q.data.datasets.nodes],
      ]
    : [];
  function submit(e: FormEvent) {
    e.preventDefault();
    if (typed.trim()) onChange(typed.trim());
  }
  return (
    <div className="picker">
      <div className="field">
        <label htmlFor="resource">Resource</label>
        <select id="resource" value={groups.some(([, l]) => l.some((r) => r.id === value)) ? value : ''} onChange={(e) => e.target.value && onChange(e.target.value)}>
          <option value="">Choose…</option>
          {groups.map(([name, list]) => (
            <optgroup key={name} label={name}>
              {list.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.label}
                </option>
              ))}
            </optgroup>
          ))}
        </select>
      </div>
      <form className="field" onSubmit={submit}>
        <label htmlFor="resource-id">or its id</label>
        <div className="inline">
          <input id="resource-id" className="mono" value={typed} onChange={(e) => setTyped(e.target.value)} placeholder="shr_…, tbl_…, ds_…" />
          <button type="submit" className="btn">
            Show
          </button>
        </div>
      </form>
    </div>
  );
}
