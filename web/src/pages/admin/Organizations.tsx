import { useState, type FormEvent } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { gql } from '../../api/client';
import { CREATE_ORGANIZATION, ORGANIZATIONS } from '../../api/ops/admin';
import type { CreateOrganizationMutation, CreateOrganizationMutationVariables, OrganizationsQuery, OrganizationsQueryVariables } from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';
import { formatDate } from '../../lib/format';
import { splitError } from '../../lib/fieldErrors';
import { useSession } from '../../session';
import { Badge, ErrorNote, Loading } from '../../components/ui';
import { Field } from '../../components/Field';
import { Pager } from '../../components/Pager';

const FIELDS = ['label', 'description', 'adminTeam'] as const;

export default function OrganizationsPage() {
  const { me } = useSession();
  const navigate = useNavigate();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const [archived, setArchived] = useState(false);
  const after = cursors[cursors.length - 1];
  const q = useQuery<OrganizationsQuery, OrganizationsQueryVariables>(ORGANIZATIONS, { after, includeArchived: archived }, `${after}|${archived}`);
  const [form, setForm] = useState({ label: '', description: '', adminTeam: me.teams[0] ?? '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function create(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!form.label.trim()) missing.label = 'Give the organization a name.';
    if (!form.adminTeam.trim()) missing.adminTeam = 'Name the team that administers it.';
    setErrors(missing);
    setFormError(null);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      const d = await gql<CreateOrganizationMutation, CreateOrganizationMutationVariables>(CREATE_ORGANIZATION, {
        input: { label: form.label.trim(), description: form.description.trim() || undefined, adminTeam: form.adminTeam.trim() },
      });
      navigate(`/admin/organizations/${d.createOrganization.id}`);
    } catch (err) {
      const s = splitError(err, FIELDS);
      setErrors(s.fields);
      setFormError(s.form);
    } finally {
      setBusy(false);
    }
  }

  const orgs = q.data?.organizations;
  return (
    <div className="two-col">
      <section className="card" aria-labelledby="orgs-h">
        <div className="card-head">
          <h1 id="orgs-h">Organizations</h1>
          <label className="check">
            <input type="checkbox" checked={archived} onChange={(e) => { setArchived(e.target.checked); setCursors([null]); }} /> Show archived
          </label>
        </div>
        <ErrorNote error={q.error} />
        {!orgs && !q.error && <Loading />}
        {orgs && (
          <table className="table" data-testid="organizations">
            <thead>
              <tr>
                <th scope="col">Organization</th>
                <th scope="col">Admin team</th>
                <th scope="col">Teams</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {orgs.nodes.map((o) => (
                <tr key={o.id}>
                  <td>
                    <Link to={`/admin/organizations/${o.id}`}>{o.label}</Link> {o.archived && <Badge tone="warn">Archived</Badge>}
                    {o.description && <p className="muted small">{o.description}</p>}
                  </td>
                  <td>{o.adminTeam}</td>
                  <td>{o.teams.length}</td>
                  <td>{formatDate(o.createdAt)}</td>
                </tr>
              ))}
              {orgs.nodes.length === 0 && (
                <tr>
                  <td colSpan={4} className="muted">
                    No organizations yet: create the first one.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        )}
        {orgs && <Pager label="Organization pages" cursors={cursors} hasNext={orgs.pageInfo.hasNextPage} endCursor={orgs.pageInfo.endCursor} onChange={setCursors} />}
      </section>
      <section className="card" aria-labelledby="new-org-h">
        <h2 id="new-org-h">New organization</h2>
        <form onSubmit={create} noValidate>
          <Field id="label" label="Name" error={errors.label}>
            <input value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />
          </Field>
          <Field id="description" label="Description" error={errors.description}>
            <textarea rows={3} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
          </Field>
          <Field id="adminTeam" label="Admin team" hint="This team gets every permission on the organization." error={errors.adminTeam}>
            <input value={form.adminTeam} onChange={(e) => setForm({ ...form, adminTeam: e.target.value })} />
          </Field>
          {formError && (
            <p className="note note-error" role="alert">
              {formError}
            </p>
          )}
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Creating…' : 'Create organization'}
          </button>
        </form>
      </section>
    </div>
  );
}
