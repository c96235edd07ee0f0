import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { gql } from '../../api/client';
import { ARCHIVE_ORGANIZATION, CREATE_ENVIRONMENT, INVITE_ORGANIZATION_TEAM, ORGANIZATION, REMOVE_ORGANIZATION_TEAM, UPDATE_ORGANIZATION } from '../../api/ops/admin';
import type {
  ArchiveOrganizationMutation,
  ArchiveOrganizationMutationVariables,
  CreateEnvironmentMutation,
  CreateEnvironmentMutationVariables,
  EnvironmentType,
  InviteOrganizationTeamMutation,
  InviteOrganizationTeamMutationVariables,
  OrganizationQuery,
  OrganizationQueryVariables,
  RemoveOrganizationTeamMutation,
  RemoveOrganizationTeamMutationVariables,
  UpdateOrganizationMutation,
  UpdateOrganizationMutationVariables,
} from '../../generated/graphql';
import { useQuery } from '../../lib/useQuery';
import { formatDate, humanize } from '../../lib/format';
import { splitError } from '../../lib/fieldErrors';
import { useSession } from '../../session';
import { Badge, ErrorNote, Loading } from '../../components/ui';
import { stackTone } from '../../lib/stacks';
import { Field } from '../../components/Field';
import { Pager } from '../../components/Pager';
import { TeamsCard } from '../../components/TeamsCard';

const FIELDS = ['label', 'description', 'accountId', 'region', 'ownerTeam', 'type', 'resourcePrefix', 'pivotRoleName'] as const;
type Form = Record<(typeof FIELDS)[number], string>;

export default function OrganizationPage() {
  const { id = '' } = useParams();
  const { me } = useSession();
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  const after = cursors[cursors.length - 1];
  const q = useQuery<OrganizationQuery, OrganizationQueryVariables>(ORGANIZATION, { id, after }, `${id}|${after}`);
  const empty: Form = { label: '', description: '', accountId: '', region: '', ownerTeam: me.teams[0] ?? '', type: 'DATA', resourcePrefix: '', pivotRoleName: '' };
  const [form, setForm] = useState<Form>(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (q.error) return <ErrorNote error={q.error} />;
  if (!q.data) return <Loading />;
  const org = q.data.organization;
  if (!org) return <h1>Organization not found</h1>;
  const envs = q.data.environments;
  const set = (k: keyof Form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });

  async function register(e: FormEvent) {
    e.preventDefault();
    const missing: Record<string, string> = {};
    if (!form.label.trim()) missing.label = 'Give the environment a name.';
    if (!form.accountId.trim()) missing.accountId = 'Enter the 12-digit AWS account id.';
    if (!form.region.trim()) missing.region = 'Enter the AWS region, e.g. eu-west-1.';
    if (!form.ownerTeam.trim()) missing.ownerTeam = 'Name the team that owns it.';
    setErrors(missing);
    setFormError(null);
    setCreated(null);
    if (Object.keys(missing).length > 0) return;
    setBusy(true);
    try {
      const d = await gql<CreateEnvironmentMutation, CreateEnvironmentMutationVariables>(CREATE_ENVIRONMENT, {
        input: {
          organizationId: id,
          label: form.label.trim(),
          description: form.description.trim() || undefined,
          accountId: form.accountId.trim(),
          region: form.region.trim(),
          ownerTeam: form.ownerTeam.trim(),
          type: form.type as EnvironmentType,
          resourcePrefix: form.resourcePrefix.trim() || undefined,
          pivotRoleName: form.pivotRoleName.trim() || undefined,
        },
      });
      setCreated(d.createEnvironment.label);
      setForm(empty);
      await q.reload();
    } catch (err) {
      const s = splitError(err, FIELDS);
      setErrors(s.fields);
      setFormError(s.form);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/admin/organizations">Organizations</Link> <span aria-hidden="true">/</span> {org.label}
      </nav>
      <header className="entity-head">
        <div>
          <h1>{org.label}</h1>
          <p className="muted">{org.description || 'No description'} · admin team {org.adminTeam}</p>
        </div>
        <Link className="btn" to={`/admin/audit?target=${org.id}`}>
          Audit log
        </Link>
      </header>
      <div className="two-col">
        <div className="main-col">
          <section className="card" aria-labelledby="envs-h">
            <h2 id="envs-h">Environments</h2>
            <table className="table" data-testid="environments">
              <thead>
                <tr>
                  <th scope="col">Environment</th>
                  <th scope="col">AWS account</th>
                  <th scope="col">Region</th>
                  <th scope="col">Owner</th>
                  <th scope="col">Type</th>
                  <th scope="col">Stack</th>
                  <th scope="col">Linked</th>
                </tr>
              </thead>
              <tbody>
                {envs.nodes.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <Link to={`/environments/${e.id}`}>{e.label}</Link>
                      <p className="mono small muted">{e.pivotRoleArn}</p>
                    </td>
                    <td className="mono">{e.accountId}</td>
                    <td>{e.region}</td>
                    <td>{e.ownerTeam}</td>
                    <td>{humanize(e.type)}</td>
                    <td>{e.stack ? <Badge tone={stackTone(e.stack.status)}>{humanize(e.stack.status)}</Badge> : '—'}</td>
                    <td>{formatDate(e.createdAt)}</td>
                  </tr>
                ))}
                {envs.nodes.length === 0 && (
                  <tr>
                    <td colSpan={7} className="muted">
                      No environment linked yet: register an AWS account and region.
                    </td>
                  </tr>
                )}
              </tbody>
            </table>
            <Pager label="Environment pages" cursors={cursors} hasNext={envs.pageInfo.hasNextPage} endCursor={envs.pageInfo.endCursor} onChange={setCursors} />
          </section>
          <TeamsCard
            prefix="organization"
            title="Teams in this organization"
            teams={org.teams}
            keeper={{ team: org.adminTeam, role: 'Admin team' }}
            canManage
            extras={ORG_EXTRA}
            invite={async (team, permissions) => {
              const r = await gql<InviteOrganizationTeamMutation, InviteOrganizationTeamMutationVariables>(INVITE_ORGANIZATION_TEAM, {
                input: { organizationId: org.id, team, permissions },
              });
              // The list is current before the sentence says what changed.
              await q.reload();
              return `Invited ${r.inviteTeamToOrganization.team}: it sees the organization and its environments' names.`;
            }}
            remove={async (team) => {
              await gql<RemoveOrganizationTeamMutation, RemoveOrganizationTeamMutationVariables>(REMOVE_ORGANIZATION_TEAM, { input: { organizationId: org.id, team } });
              // The list is current before the sentence says what changed.
              await q.reload();
              return `Removed ${team} from the organization.`;
            }}
          />
          <OrganizationSettings key={`${org.label}|${org.description}`} org={org} environmentCount={envs.nodes.length} onChange={() => void q.reload()} />
        </div>
        <section className="card" aria-labelledby="new-env-h">
          <h2 id="new-env-h">Register an environment</h2>
          <p className="muted small">Links one AWS account and region. Its page then gives the bootstrap template the account's admin deploys once; the environment's stack follows.</p>
          <form onSubmit={register} noValidate>
            <Field id="label" label="Name" error={errors.label}>
              <input value={form.label} onChange={set('label')} />
            </Field>
            <Field id="accountId" label="AWS account id" hint="12 digits" error={errors.accountId}>
              <input inputMode="numeric" value={form.accountId} onChange={set('accountId')} />
            </Field>
            <Field id="region" label="Region" hint="e.g. eu-west-1" error={errors.region}>
              <input value={form.region} onChange={set('region')} />
            </Field>
            <Field id="ownerTeam" label="Owner team" hint="Gets every permission on the environment." error={errors.ownerTeam}>
              <input value={form.ownerTeam} onChange={set('ownerTeam')} />
            </Field>
            <Field id="type" label="Type" error={errors.type}>
              <select value={form.type} onChange={set('type')}>
                <option value="DATA">Data (datasets live here)</option>
                <option value="COMPUTE">Compute (consumers only)</option>
              </select>
            </Field>
            <Field id="description" label="Description" error={errors.description}>
              <textarea rows={2} value={form.description} onChange={set('description')} />
            </Field>
            <Field id="resourcePrefix" label="Resource prefix" hint="Prefix of the AWS resources lakecat creates (default lakecat)." error={errors.resourcePrefix}>
              <input value={form.resourcePrefix} onChange={set('resourcePrefix')} />
            </Field>
            <Field id="pivotRoleName" label="Pivot role name" hint="The role lakecat assumes in the account (default lakecat-pivot-role)." error={errors.pivotRoleName}>
              <input value={form.pivotRoleName} onChange={set('pivotRoleName')} />
            </Field>
            {formError && (
              <p className="note note-error" role="alert">
                {formError}
              </p>
            )}
            {created && (
              <p className="note" role="status">
                Registered {created}.
              </p>
            )}
            <button type="submit" className="btn btn-primary" disabled={busy}>
              {busy ? 'Registering…' : 'Register environment'}
            </button>
          </form>
        </section>
      </div>
    </>
  );
}

/** Extra permissions an invited team may be given; GET_ORGANIZATION comes with the invitation. */
const ORG_EXTRA = [{ name: 'LINK_ENVIRONMENT', label: 'May register environments' }] as const;

function OrganizationSettings({ org, environmentCount, onChange }: { org: { id: string; label: string; description: string }; environmentCount: number; onChange: () => void }) {
  const navigate = useNavigate();
  const [form, setForm] = useState({ label: org.label, description: org.description });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);
  const changed = form.label !== org.label || form.description !== org.description;

  async function save(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    if (!form.label.trim()) {
      setErrors({ label: 'Give the organization a name.' });
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      await gql<UpdateOrganizationMutation, UpdateOrganizationMutationVariables>(UPDATE_ORGANIZATION, {
        input: { id: org.id, label: form.label.trim(), description: form.description.trim() },
      });
      onChange();
    } catch (err) {
      const s = splitError(err, ['label', 'description']);
      setErrors(s.fields);
      setFormError(s.form);
    } finally {
      setBusy(false);
    }
  }

  async function archive() {
    setFormError(null);
    setBusy(true);
    try {
      await gql<ArchiveOrganizationMutation, ArchiveOrganizationMutationVariables>(ARCHIVE_ORGANIZATION, { input: { id: org.id } });
      navigate('/admin/organizations');
    } catch (err) {
      setFormError(splitError(err, []).form);
      setConfirming(false);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby="org-settings-h">
      <h2 id="org-settings-h">Settings</h2>
      <form onSubmit={save} noValidate>
        <Field id="org-label" label="Organization name" error={errors.label}>
          <input value={form.label} onChange={(e) => setForm({ ...form, label: e.target.value })} />
        </Field>
        <Field id="org-description" label="Organization description" error={errors.description}>
          <textarea rows={2} value={form.description} onChange={(e) => setForm({ ...form, description: e.target.value })} />
        </Field>
        <div className="actions">
          <button type="submit" className="btn btn-small" disabled={busy || !changed}>
            Save
          </button>
        </div>
      </form>
      {formError && (
        <p className="note note-error" role="alert">
          {formError}
        </p>
      )}
      <div className="actions">
        {environmentCount > 0 ? (
          <p className="muted small">Archiving is possible once no environment is linked.</p>
        ) : !confirming ? (
          <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => setConfirming(true)}>
            Archive…
          </button>
        ) : (
          <>
            <span className="small">Archive {org.label}? It disappears from lists; its audit trail stays.</span>
            <button type="button" className="btn btn-small btn-danger" disabled={busy} onClick={() => void archive()}>
              Archive {org.label}
            </button>
            <button type="button" className="btn btn-small" onClick={() => setConfirming(false)}>
              Cancel
            </button>
          </>
        )}
      </div>
    </section>
  );
}
