import { useState, type FormEvent } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { gql } from '../api/client';
import { ApiError, describe } from '../api/errors';
import { ADD_SHARE_ITEM, CREATE_SHARE, REQUEST_CONTEXT, SUBMIT_SHARE } from '../api/ops/shares';
import type {
  AddShareItemMutation,
  AddShareItemMutationVariables,
  CreateShareMutation,
  CreateShareMutationVariables,
  RequestContextQuery,
  RequestContextQueryVariables,
  ShareAccessLevel,
  ShareItemType,
  SubmitShareMutation,
  SubmitShareMutationVariables,
} from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { ErrorNote, Loading } from '../components/ui';

type Item = { key: string; type: ShareItemType; id: string | null; label: string };

export default function RequestAccessPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const q = useQuery<RequestContextQuery, RequestContextQueryVariables>(REQUEST_CONTEXT, { datasetId: id }, id);
  const [env, setEnv] = useState('');
  const [team, setTeam] = useState('');
  const [access, setAccess] = useState<ShareAccessLevel>('READ');
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const [purpose, setPurpose] = useState('');
  const [expiry, setExpiry] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});

  if (q.error) return <section className="page"><ErrorNote error={q.error} /></section>;
  if (!q.data) return <section className="page"><Loading /></section>;
  const ds = q.data.dataset;
  if (!ds) return <section className="page"><h1>Dataset not found</h1></section>;
  const envs = q.data.environments.nodes;
  const teams = q.data.me.teams;
  const envId = env || envs[0]?.id || '';
  const teamName = team || teams[0] || '';
  const items: Item[] = [
    ...ds.tables.nodes.map((t) => ({ key: `t:${t.id}`, type: 'TABLE' as const, id: t.id, label: t.name })),
    ...ds.folders.nodes.map((f) => ({ key: `f:${f.id}`, type: 'FOLDER' as const, id: f.id, label: `${f.label} (${f.prefix})` })),
    { key: 'bucket', type: 'BUCKET' as const, id: null, label: 'The whole bucket' },
  ];

  function toggle(key: string) {
    setPicked((p) => {
      const n = new Set(p);
      if (n.has(key)) n.delete(key);
      else n.add(key);
      return n;
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs: Record<string, string> = {};
    if (picked.size === 0) errs.items = 'Choose at least one table, folder or the bucket.';
    if (!purpose.trim()) errs.purpose = 'Tell the owners what you will use the data for.';
    setFieldErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    setError(null);
    try {
      const created = await gql<CreateShareMutation, CreateShareMutationVariables>(CREATE_SHARE, {
        input: {
          datasetId: ds!.id,
          environmentId: envId,
          teamName,
          access,
          purpose,
          expiresAt: expiry ? new Date(`${expiry}T23:59:59Z`).toISOString() : null,
        },
      });
      const shareId = created.createShareRequest.id;
      const have = new Set(created.createShareRequest.items.map((i) => `${i.itemType}:${i.targetId}`));
      for (const it of items.filter((i) => picked.has(i.key))) {
        if (it.id && have.has(`${it.type}:${it.id}`)) continue;
        await gql<AddShareItemMutation, AddShareItemMutationVariables>(ADD_SHARE_ITEM, { input: { shareId, itemType: it.type, itemId: it.id } });
      }
      await gql<SubmitShareMutation, SubmitShareMutationVariables>(SUBMIT_SHARE, { shareId });
      navigate(`/shares/${shareId}`);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'BAD_USER_INPUT' && err.fieldName) setFieldErrors({ [err.fieldName]: err.message });
      else setError(describe(err));
    } finally {
      setBusy(false);
    }
  }

  const fe = (name: string) =>
    fieldErrors[name] ? (
      <p className="field-error" id={`${name}-err`} role="alert">
        {fieldErrors[name]}
      </p>
    ) : null;

  return (
    <div className="page page-narrow">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to={`/datasets/${ds.id}`}>{ds.label}</Link> <span aria-hidden="true">/</span> Request access
      </nav>
      <h1>Request access to {ds.label}</h1>
      <p className="muted">The owner team ({ds.ownerTeam.name}) or its stewards review the request. Granted access shows up under My requests.</p>
      <form className="card form" onSubmit={submit} noValidate>
        <div className="grid-2">
          <div className="field">
            <label htmlFor="env">Your environment</label>
            <select id="env" value={envId} onChange={(e) => setEnv(e.target.value)}>
              {envs.map((en) => (
                <option key={en.id} value={en.id}>
                  {en.label} · {en.region} · {en.accountId}
                </option>
              ))}
            </select>
            {fe('environmentId')}
          </div>
          <div className="field">
            <label htmlFor="team">For team</label>
            <select id="team" value={teamName} onChange={(e) => setTeam(e.target.value)}>
              {teams.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
            {fe('teamName')}
          </div>
        </div>
        <fieldset className="field" aria-describedby={fieldErrors.items ? 'items-err' : undefined}>
          <legend>What you need</legend>
          {items.map((it) => (
            <div key={it.key} className="check">
              <input type="checkbox" id={`item-${it.key}`} checked={picked.has(it.key)} onChange={() => toggle(it.key)} />
              <label htmlFor={`item-${it.key}`}>
                <span className="kind">{it.type.toLowerCase()}</span> {it.label}
              </label>
            </div>
          ))}
          {fe('items')}
        </fieldset>
        <fieldset className="field">
          <legend>Access</legend>
          <div className="check">
            <input type="radio" id="acc-read" name="access" checked={access === 'READ'} onChange={() => setAccess('READ')} />
            <label htmlFor="acc-read">Read — query and download</label>
          </div>
          <div className="check">
            <input type="radio" id="acc-write" name="access" checked={access === 'WRITE'} onChange={() => setAccess('WRITE')} />
            <label htmlFor="acc-write">Write — also insert and delete</label>
          </div>
        </fieldset>
        <div className="field">
          <label htmlFor="purpose">Purpose</label>
          <textarea id="purpose" rows={3} value={purpose} onChange={(e) => setPurpose(e.target.value)} aria-invalid={!!fieldErrors.purpose} aria-describedby={fieldErrors.purpose ? 'purpose-err' : undefined} />
          {fe('purpose')}
        </div>
        <div className="field">
          <label htmlFor="expiry">Access until (optional)</label>
          <input id="expiry" type="date" value={expiry} onChange={(e) => setExpiry(e.target.value)} aria-invalid={!!fieldErrors.expiresAt} aria-describedby={fieldErrors.expiresAt ? 'expiresAt-err' : undefined} />
          {fe('expiresAt')}
        </div>
        {error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
        <div className="actions">
          <button type="submit" className="btn btn-primary" disabled={busy}>
            {busy ? 'Sending…' : 'Submit request'}
          </button>
          <Link to={`/datasets/${ds.id}`} className="btn">
            Cancel
          </Link>
        </div>
      </form>
    </div>
  );
}
