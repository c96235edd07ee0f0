import { useEffect, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { gql } from '../api/client';
import { BOOTSTRAP_TEMPLATE, CHECK_ENVIRONMENT_ACCESS, ENVIRONMENT, INVITE_ENVIRONMENT_TEAM, REMOVE_ENVIRONMENT_TEAM } from '../api/ops/stacks';
import type {
  AccessCheckFieldsFragment,
  BootstrapTemplateQuery,
  CheckEnvironmentAccessMutation,
  CheckEnvironmentAccessMutationVariables,
  BootstrapTemplateQueryVariables,
  EnvironmentQuery,
  EnvironmentQueryVariables,
  InviteEnvironmentTeamMutation,
  InviteEnvironmentTeamMutationVariables,
  RemoveEnvironmentTeamMutation,
  RemoveEnvironmentTeamMutationVariables,
} from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { Badge, ErrorNote, Loading, statusTone } from '../components/ui';
import { StackCard } from '../components/StackCard';
import { TeamsCard } from '../components/TeamsCard';

/** Extra permissions an invited team may be given; GET_ENVIRONMENT always comes with the invitation. */
const EXTRA_PERMISSIONS = [{ name: 'CREATE_DATASET', label: 'May create datasets here' }] as const;

/**
 * One environment: its AWS account, the teams invited to it, its stack, and — for its owners —
 * the bootstrap template the account admin deploys once.
 */
export default function EnvironmentPage() {
  const { id = '' } = useParams();
  const q = useQuery<EnvironmentQuery, EnvironmentQueryVariables>(ENVIRONMENT, { id }, id);
  // When a team change asked for a redeploy, the stack card follows it.
  const [deployAsked, setDeployAsked] = useState(0);

  if (q.error) return <section className="page"><ErrorNote error={q.error} /></section>;
  if (!q.data) return <section className="page"><Loading /></section>;
  const env = q.data.environment;
  if (!env)
    return (
      <section className="page">
        <h1>Environment not found</h1>
        <p>It was unlinked, or none of your teams is invited to it.</p>
      </section>
    );
  const owns = env.userRole === 'OWNER' || env.userRole === 'ADMIN';

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        {env.organization ? <Link to={`/admin/organizations/${env.organization.id}`}>{env.organization.label}</Link> : <span>Organization</span>} <span aria-hidden="true">/</span>{' '}
        <span>{env.label}</span>
      </nav>
      <header className="entity-head">
        <div>
          <p className="eyebrow">Environment</p>
          <h1>{env.label}</h1>
          <p className="muted">{env.description || 'No description'}</p>
          <div className="badges">
            <Badge tone="info">{humanize(env.type)}</Badge>
            <Badge>Your role: {humanize(env.userRole)}</Badge>
          </div>
        </div>
      </header>
      <div className="two-col">
        <div className="main-col">
          <section className="card" aria-labelledby="account-h">
            <h2 id="account-h">AWS account</h2>
            <dl className="facts facts-mono">
              <dt>Account</dt>
              <dd>{env.accountId}</dd>
              <dt>Region</dt>
              <dd>{env.region}</dd>
              <dt>Owner team</dt>
              <dd>{env.ownerTeam}</dd>
              <dt>Resource prefix</dt>
              <dd>{env.resourcePrefix}</dd>
              <dt>Pivot role</dt>
              <dd>{env.pivotRoleArn}</dd>
              <dt>Linked</dt>
              <dd>
                {formatDate(env.createdAt)} by {env.createdBy}
              </dd>
            </dl>
          </section>
          <Access key={env.accessCheck?.taskId ?? 'unchecked'} environmentId={env.id} pivotRoleArn={env.pivotRoleArn} initial={env.accessCheck} canCheck={owns} />
          {owns && <Bootstrap environmentId={env.id} />}
        </div>
        <aside className="side-col">
          <StackCard targetId={env.id} canRedeploy={owns} followSince={deployAsked} />
          <TeamsCard
            prefix="environment"
            title="Teams"
            teams={env.teams}
            keeper={{ team: env.ownerTeam, role: 'Owner team' }}
            canManage={owns}
            extras={EXTRA_PERMISSIONS}
            invite={async (team, permissions) => {
              const at = Date.now();
              const r = await gql<InviteEnvironmentTeamMutation, InviteEnvironmentTeamMutationVariables>(INVITE_ENVIRONMENT_TEAM, {
                input: { environmentId: env.id, team, permissions },
              });
              setDeployAsked(at);
              // The list is current before the sentence says what changed.
              await q.reload();
              return `Invited ${r.inviteTeamToEnvironment.team}: the environment's stack is deployed again to give it a role.`;
            }}
            remove={async (team) => {
              const at = Date.now();
              await gql<RemoveEnvironmentTeamMutation, RemoveEnvironmentTeamMutationVariables>(REMOVE_ENVIRONMENT_TEAM, { input: { environmentId: env.id, team } });
              setDeployAsked(at);
              // The list is current before the sentence says what changed.
              await q.reload();
              return `Removed ${team}: the environment's stack is deployed again without its role.`;
            }}
          />
        </aside>
      </div>
    </div>
  );
}

/** How often a running access check is read again. */
const CHECK_POLL_MS = 1000;

/** Whether lakecat can act in the environment: the latest check of its pivot role. */
function Access({ environmentId, pivotRoleArn, initial, canCheck }: { environmentId: string; pivotRoleArn: string; initial: AccessCheckFieldsFragment | null; canCheck: boolean }) {
  const [check, setCheck] = useState(initial);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const running = check !== null && (check.status === 'PENDING' || check.status === 'RUNNING');
  const live = useQuery<EnvironmentQuery, EnvironmentQueryVariables>(ENVIRONMENT, { id: environmentId }, environmentId, true);
  const reload = live.reload;

  useEffect(() => {
    if (!running) return;
    const t = window.setTimeout(() => {
      void reload().then((d) => {
        if (d?.environment) setCheck(d.environment.accessCheck);
      });
    }, CHECK_POLL_MS);
    return () => window.clearTimeout(t);
  }, [running, reload, check]);

  async function checkAgain() {
    setBusy(true);
    setError(null);
    try {
      const r = await gql<CheckEnvironmentAccessMutation, CheckEnvironmentAccessMutationVariables>(CHECK_ENVIRONMENT_ACCESS, { input: { environmentId } });
      setCheck(r.checkEnvironmentAccess);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  const word = check === null ? 'Not checked' : running ? 'Checking' : check.status === 'SUCCEEDED' ? 'lakecat can act here' : 'lakecat cannot act here';
  return (
    <section className="card" aria-labelledby="access-h">
      <h2 id="access-h">Access</h2>
      <div className="stack-head" data-testid="access-check">
        <Badge tone={check === null ? 'neutral' : running ? 'info' : statusTone(check.status)}>{word}</Badge>
        {check?.checkedAt && <span className="muted small">checked {formatDate(check.checkedAt)}</span>}
      </div>
      <p className="muted small">
        lakecat deploys and grants in this account through <code>{pivotRoleArn}</code>, assumed with the platform's external id.
      </p>
      {check?.error && (
        <div className={check.status === 'FAILED' ? 'note note-error' : 'note'} role="alert">
          {check.status === 'FAILED' ? '' : 'The last attempt failed, retrying: '}
          {check.error}
          {check.status === 'FAILED' && canCheck && <> — deploy the bootstrap template below, then check again.</>}
        </div>
      )}
      {check?.status === 'SUCCEEDED' && check.checked && <p className="mono small muted">Checked: {check.checked}</p>}
      <ErrorNote error={error} />
      {canCheck && (
        <div className="actions">
          <button type="button" className="btn btn-small" disabled={busy || running} onClick={() => void checkAgain()}>
            {running ? 'Checking…' : 'Check again'}
          </button>
        </div>
      )}
    </section>
  );
}

function Bootstrap({ environmentId }: { environmentId: string }) {
  const q = useQuery<BootstrapTemplateQuery, BootstrapTemplateQueryVariables>(BOOTSTRAP_TEMPLATE, { environmentId }, environmentId);
  const [href, setHref] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const t = q.data?.environmentBootstrapTemplate;

  // The template as a file to save next to the deploy command (`bootstrap.json`).
  useEffect(() => {
    if (!t) return;
    const url = URL.createObjectURL(new Blob([t.template], { type: 'application/json' }));
    setHref(url);
    return () => URL.revokeObjectURL(url);
  }, [t]);

  async function copy(text: string) {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  }

  return (
    <section className="card" aria-labelledby="bootstrap-h">
      <h2 id="bootstrap-h">Bootstrap the account</h2>
      <p className="muted small">
        The account's admin deploys this template once. It creates the pivot role lakecat's stack service and worker assume (only with the external id below), and
        the role CloudFormation runs the environment's and datasets' stacks with.
      </p>
      {q.error ? (
        <ErrorNote error={q.error} />
      ) : !t ? (
        <Loading label="Rendering the template" />
      ) : (
        <>
          {t.missing.length > 0 && (
            <div className="note note-error" role="alert">
              The platform has not configured {t.missing.join(' and ')}: fill {t.missing.length === 1 ? 'it' : 'them'} in before deploying (an operator sets{' '}
              <code>LAKECAT_PLATFORM_*</code>).
            </div>
          )}
          <table className="table" data-testid="bootstrap-parameters">
            <caption className="sr-only">Template parameters</caption>
            <thead>
              <tr>
                <th scope="col">Parameter</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {t.parameters.map((p) => (
                <tr key={p.key}>
                  <td>
                    <code>{p.key}</code>
                    <p className="muted small">{p.description}</p>
                  </td>
                  <td className="mono small">{p.value ?? <span className="muted">{t.missing.includes(p.key) ? 'not configured' : 'template default'}</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h3 className="sub">Deploy it</h3>
          <p className="muted small">
            Save the template as <code>bootstrap.json</code>, then run, with the account's admin credentials:
          </p>
          <pre className="command" data-testid="deploy-command">
            {t.deployCommand}
          </pre>
          <div className="actions">
            {href && (
              <a className="btn btn-primary btn-small" href={href} download="bootstrap.json">
                Download bootstrap.json
              </a>
            )}
            <button type="button" className="btn btn-small" onClick={() => void copy(t.deployCommand)}>
              Copy command
            </button>
            {copied && (
              <span className="muted small" role="status">
                Copied.
              </span>
            )}
          </div>
          <details className="stack-events">
            <summary>Template ({Math.round(t.template.length / 1024)} KB, stack {t.stackName})</summary>
            <pre className="template">{t.template}</pre>
          </details>
        </>
      )}
    </section>
  );
}

