import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { gql } from '../api/client';
import { DATASET, UPDATE_DATASET, UPVOTE } from '../api/ops/catalog';
import type { DatasetQuery, DatasetQueryVariables, UpdateDatasetMutation, UpdateDatasetMutationVariables, UpvoteMutation, UpvoteMutationVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize, parseTags } from '../lib/format';
import { Badge, ErrorNote, Loading, Tags } from '../components/ui';
import { EditableField } from '../components/EditableField';
import { Feed } from '../components/Feed';
import { StackCard } from '../components/StackCard';
import { AccessCard } from '../components/AccessCard';
import { TableSync } from '../components/TableSync';
import { SecretPreviewSetting } from '../components/SecretPreviewSetting';

type Ds = NonNullable<DatasetQuery['dataset']>;

export default function DatasetPage() {
  const { id = '' } = useParams();
  const q = useQuery<DatasetQuery, DatasetQueryVariables>(DATASET, { id }, id);
  const [local, setLocal] = useState<Partial<Ds>>({});
  const [votes, setVotes] = useState<{ upvotes: number; hasUpvoted: boolean } | null>(null);

  if (q.error) return <section className="page"><ErrorNote error={q.error} /></section>;
  if (!q.data) return <section className="page"><Loading /></section>;
  if (!q.data.dataset)
    return (
      <section className="page">
        <h1>Dataset not found</h1>
        <p>It was removed, or it is visible only to its teams.</p>
      </section>
    );
  const ds: Ds = { ...q.data.dataset, ...local };
  const reloadDataset = () => void q.reload();
  const canEdit = ds.userRole === 'OWNER' || ds.userRole === 'ADMIN';
  const v = votes ?? { upvotes: ds.upvotes, hasUpvoted: ds.hasUpvoted };

  const current = async () => {
    const d = await q.reload();
    return d?.dataset ?? undefined;
  };
  const update = async (input: Omit<UpdateDatasetMutationVariables['input'], 'id' | 'expectedVersion'>, expectedVersion: number) =>
    (await gql<UpdateDatasetMutation, UpdateDatasetMutationVariables>(UPDATE_DATASET, { input: { id: ds.id, expectedVersion, ...input } })).updateDataset;

  async function toggleVote() {
    const r = await gql<UpvoteMutation, UpvoteMutationVariables>(UPVOTE, { input: { targetId: ds.id, upvote: !v.hasUpvoted } });
    setVotes(r.upvote);
  }

  return (
    <div className="page">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/search">Discover</Link> <span aria-hidden="true">/</span> <span>{ds.organization?.label ?? 'Dataset'}</span>
      </nav>
      <header className="entity-head">
        <div>
          <p className="eyebrow">Dataset</p>
          <h1>{ds.label}</h1>
          <div className="badges">
            <Badge tone={ds.confidentiality === 'SECRET' ? 'bad' : ds.confidentiality === 'OFFICIAL' ? 'warn' : 'neutral'}>{humanize(ds.confidentiality)}</Badge>
            <Badge>Visible to {ds.visibility === 'EVERYONE' ? 'everyone' : humanize(ds.visibility).toLowerCase()}</Badge>
            {ds.autoApproval && <Badge tone="ok">Auto-approved requests</Badge>}
            {ds.topics.map((t) => (
              <Badge key={t} tone="info">
                {humanize(t)}
              </Badge>
            ))}
          </div>
        </div>
        <div className="head-actions">
          <button type="button" className="btn" aria-pressed={v.hasUpvoted} onClick={() => void toggleVote()}>
            ▲ {v.hasUpvoted ? 'Upvoted' : 'Upvote'} <span className="count">{v.upvotes}</span>
          </button>
          <Link className="btn btn-primary" to={`/datasets/${ds.id}/request`}>
            Request access
          </Link>
        </div>
      </header>

      <div className="two-col">
        <div className="main-col">
          <section className="card" aria-labelledby="about-h">
            <h2 id="about-h">About</h2>
            <EditableField
              label="Description"
              name="description"
              multiline
              value={ds.description}
              version={ds.version}
              canEdit={canEdit}
              save={async (value, ev) => {
                const r = await update({ description: value }, ev);
                return { value: r.description, version: r.version };
              }}
              fetchCurrent={async () => {
                const d = await current();
                return d && { value: d.description, version: d.version };
              }}
              onSaved={(value, version) => setLocal((l) => ({ ...l, description: value, version }))}
            />
            <h3 className="sub">Tags</h3>
            <EditableField
              label="Tags"
              name="tags"
              value={ds.tags.join(', ')}
              display={<Tags tags={ds.tags} />}
              version={ds.version}
              canEdit={canEdit}
              save={async (value, ev) => {
                const r = await update({ tags: parseTags(value) }, ev);
                return { value: r.tags.join(', '), version: r.version };
              }}
              fetchCurrent={async () => {
                const d = await current();
                return d && { value: d.tags.join(', '), version: d.version };
              }}
              onSaved={(value, version) => setLocal((l) => ({ ...l, tags: parseTags(value), version }))}
            />
          </section>

          <section className="card" aria-labelledby="tables-h">
            <h2 id="tables-h">
              Tables <span className="count">{ds.tableCount}</span>
            </h2>
            {/* The sync's record is as protected as the AWS details (GET_DATASET). */}
            {ds.aws && <TableSync datasetId={ds.id} canSync={canEdit} onSynced={reloadDataset} />}
            <ul className="rows">
              {ds.tables.nodes.map((t) => (
                <li key={t.id} className="row">
                  <div>
                    <Link to={`/tables/${t.id}`} className="row-title">
                      {t.label}
                    </Link>
                    {t.label !== t.name && <code className="hit-name">{t.name}</code>}
                    <p className="muted">{t.description || 'No description yet'}</p>
                  </div>
                  <div className="row-meta">
                    <span>{t.columnCount} columns</span>
                    <span className="muted">{t.format}</span>
                  </div>
                </li>
              ))}
              {ds.tables.nodes.length === 0 && <li className="muted">No tables discovered yet.</li>}
            </ul>
          </section>

          <section className="card" aria-labelledby="folders-h">
            <h2 id="folders-h">Folders</h2>
            <ul className="rows">
              {ds.folders.nodes.map((f) => (
                <li key={f.id} id={`folder-${f.id}`} className="row">
                  <div>
                    <span className="row-title">{f.label}</span> <code className="hit-name">{f.prefix}</code>
                    <p className="muted">{f.description || 'No description yet'}</p>
                  </div>
                  <Tags tags={f.tags} />
                </li>
              ))}
              {ds.folders.nodes.length === 0 && <li className="muted">No folders.</li>}
            </ul>
          </section>

          <Feed targetId={ds.id} />
        </div>

        <aside className="side-col">
          <section className="card" aria-labelledby="people-h">
            <h2 id="people-h">Ownership</h2>
            <dl className="facts">
              <dt>Owner team</dt>
              <dd>{ds.ownerTeam.name}</dd>
              <dt>Stewards</dt>
              <dd>{ds.stewardsTeam?.name ?? '—'}</dd>
              <dt>Environment</dt>
              <dd>{ds.environment ? <Link to={`/environments/${ds.environment.id}`}>{`${ds.environment.label} (${ds.environment.region})`}</Link> : '—'}</dd>
              {ds.confidentiality === 'SECRET' && (
                <>
                  <dt>Previews</dt>
                  <dd>{ds.secretPreview ? 'Owners and teams with a granted share' : 'Owners only'}</dd>
                </>
              )}
              <dt>Your role</dt>
              <dd>{humanize(ds.userRole)}</dd>
              <dt>Updated</dt>
              <dd>{formatDate(ds.updatedAt)}</dd>
            </dl>
          </section>
          {canEdit && ds.confidentiality === 'SECRET' && (
            <section className="card" aria-labelledby="previews-h">
              <h2 id="previews-h">Previews of a secret dataset</h2>
              <SecretPreviewSetting
                value={ds.secretPreview}
                version={ds.version}
                save={async (value, ev) => {
                  const r = await update({ secretPreview: value }, ev);
                  return { value: r.secretPreview, version: r.version };
                }}
                fetchCurrent={async () => {
                  const d = await current();
                  return d && { value: d.secretPreview, version: d.version };
                }}
                onSaved={(value, version) => setLocal((l) => ({ ...l, secretPreview: value, version }))}
              />
            </section>
          )}
          {/* Teams and shares are as protected as the AWS details (GET_DATASET). */}
          <AccessCard datasetId={ds.id} ownerTeam={ds.ownerTeam.name} stewardsTeam={ds.stewardsTeam?.name ?? null} seesTeams={ds.aws != null} />
          <section className="card" aria-labelledby="terms-h">
            <h2 id="terms-h">Glossary terms</h2>
            {ds.terms.length === 0 ? (
              <p className="muted">No terms linked.</p>
            ) : (
              <ul className="tags">
                {ds.terms.map((l) => (
                  <li key={l.id} className="tag">
                    <Link to={`/glossary/${l.term?.id ?? ''}`}>{l.term?.label ?? 'term'}</Link>
                    {!l.approved && <span className="muted"> (pending)</span>}
                  </li>
                ))}
              </ul>
            )}
          </section>
          {ds.aws && (
            <section className="card" aria-labelledby="aws-h">
              <h2 id="aws-h">On AWS</h2>
              <dl className="facts facts-mono">
                <dt>Account</dt>
                <dd>{ds.aws.accountId}</dd>
                <dt>Region</dt>
                <dd>{ds.aws.region}</dd>
                <dt>Bucket</dt>
                <dd>{ds.aws.bucket}</dd>
                <dt>Glue database</dt>
                <dd>{ds.aws.glueDatabase}</dd>
                {ds.aws.kmsAlias && (
                  <>
                    <dt>KMS alias</dt>
                    <dd>{ds.aws.kmsAlias}</dd>
                  </>
                )}
                <dt>Admin role</dt>
                <dd>{ds.aws.adminRoleArn}</dd>
              </dl>
            </section>
          )}
          {/* The stack is as protected as the AWS details: shown to the teams that see those. */}
          {ds.aws && <StackCard targetId={ds.id} canRedeploy={canEdit} />}
        </aside>
      </div>
    </div>
  );
}
