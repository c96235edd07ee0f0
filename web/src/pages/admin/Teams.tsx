import { useEffect, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { describe } from '../../api/errors';
import { SET_TEAM_PERMISSIONS, TEAM_PERMISSIONS, TEAMS } from '../../api/ops/admin';
import type { SetTeamPermissionsMutation, SetTeamPermissionsMutationVariables, TeamPermissionsQuery, TeamPermissionsQueryVariables, TeamsQuery, TeamsQueryVariables } from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';
import { formatDate } from '../../lib/format';
import { ErrorNote, Loading } from '../../components/ui';
import { Pager } from '../../components/Pager';

// The schema carries tenant permissions as strings; these are core's TenantPermission values
// (crates/core/src/permissions.rs), what each one lets a team create.
export const TENANT_PERMISSIONS: { name: string; what: string }[] = [
  { name: 'MANAGE_ORGANIZATIONS', what: 'create organizations' },
  { name: 'MANAGE_ENVIRONMENTS', what: 'link AWS accounts as environments' },
  { name: 'MANAGE_DATASETS', what: 'create and import datasets' },
  { name: 'MANAGE_SHARES', what: 'request access to data' },
  { name: 'MANAGE_GLOSSARIES', what: 'create glossaries' },
];

export default function TeamsPage() {
  const [params, setParams] = useSearchParams();
  const team = params.get('team');
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const q = useQuery<TeamsQuery, TeamsQueryVariables>(TEAMS, { after }, String(after));
  const teams = q.data?.teams;
  return (
    <div className="two-col two-col-wide-side">
      <section className="card" aria-labelledby="teams-h">
        <h1 id="teams-h">Teams</h1>
        <p className="muted small">Teams are identity-provider groups. lakecat knows a team once a grant or a sign-in names it; no team holds a permission it was not given.</p>
        <ErrorNote error={q.error} />
        {!teams && !q.error && <Loading />}
        {teams && (
          <ul className="rows" data-testid="teams">
            {teams.nodes.map((t) => (
              <li key={t.name} className={`row${t.name === team ? ' row-current' : ''}`}>
                <button type="button" className="btn-link" aria-current={t.name === team ? 'true' : undefined} onClick={() => setParams({ team: t.name })}>
                  {t.name}
                </button>
                <span className="muted small">{t.createdAt ? `since ${formatDate(t.createdAt)}` : 'not seen yet'}</span>
              </li>
            ))}
          </ul>
        )}
        {teams && <Pager label="Team pages" cursors={cursors} hasNext={teams.pageInfo.hasNextPage} endCursor={teams.pageInfo.endCursor} onChange={setCursors} />}
      </section>
      {team ? <TenantPermissions key={team} team={team} /> : <section className="card"><p className="muted">Choose a team to see and change its tenant permissions.</p></section>}
    </div>
  );
}

function TenantPermissions({ team }: { team: string }) {
  const q = useQuery<TeamPermissionsQuery, TeamPermissionsQueryVariables>(TEAM_PERMISSIONS, { team }, team);
  const [chosen, setChosen] = useState<Set<string> | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const held = q.data?.teamTenantPermissions;

  useEffect(() => {
    if (held) setChosen(new Set(held));
  }, [held]);

  if (q.error) return <section className="card"><ErrorNote error={q.error} /></section>;
  if (!held || !chosen) return <section className="card"><Loading /></section>;
  const known = new Set(TENANT_PERMISSIONS.map((p) => p.name));
  const all = [...TENANT_PERMISSIONS, ...held.filter((p) => !known.has(p)).map((name) => ({ name, what: '' }))];
  const changed = all.some((p) => chosen.has(p.name) !== held.includes(p.name));

  async function save() {
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      const d = await gql<SetTeamPermissionsMutation, SetTeamPermissionsMutationVariables>(SET_TEAM_PERMISSIONS, { input: { team, permissions: [...chosen!] } });
      await q.reload();
      setSaved(d.setTeamTenantPermissions.length === 0 ? `${team} now holds no tenant permission.` : `${team} now holds ${d.setTeamTenantPermissions.join(', ')}.`);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="perm-h">
      <h2 id="perm-h">Tenant permissions of {team}</h2>
      <fieldset className="field">
        <legend className="sr-only">Tenant permissions of {team}</legend>
        {all.map((p) => (
          <label key={p.name} className="check">
            <input
              type="checkbox"
              checked={chosen.has(p.name)}
              onChange={(e) => {
                const next = new Set(chosen);
                if (e.target.checked) next.add(p.name);
                else next.delete(p.name);
                setChosen(next);
                setSaved(null);
              }}
            />
            <span>
              <span className="mono">{p.name}</span> {p.what && <span className="muted small">— {p.what}</span>}
            </span>
          </label>
        ))}
      </fieldset>
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      {saved && (
        <p className="note" role="status">
          {saved}
        </p>
      )}
      <div className="actions">
        <button type="button" className="btn btn-primary" disabled={busy || !changed} onClick={() => void save()}>
          {busy ? 'Saving…' : 'Save permissions'}
        </button>
        {changed && (
          <button type="button" className="btn" onClick={() => setChosen(new Set(held))}>
            Undo changes
          </button>
        )}
      </div>
    </section>
  );
}
