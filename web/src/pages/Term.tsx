import { useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { gql } from '../api/client';
import { describe } from '../api/errors';
import { APPROVE_LINK, DISMISS_LINK, TERM } from '../api/ops/glossary';
import type { TermQuery, TermQueryVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate, humanize } from '../lib/format';
import { useSession } from '../session';
import { Badge, ErrorNote, Loading } from '../components/ui';

function targetPath(kind: string, id: string): string | null {
  if (kind.toLowerCase() === 'dataset') return `/datasets/${id}`;
  if (kind.toLowerCase() === 'table') return `/tables/${id}`;
  if (kind.toLowerCase() === 'column') return `/columns/${id}`;
  return null;
}

export default function TermPage() {
  const { id = '' } = useParams();
  const { me } = useSession();
  const q = useQuery<TermQuery, TermQueryVariables>(TERM, { id }, id);
  const [error, setError] = useState<string | null>(null);
  if (q.error) return <section className="page"><ErrorNote error={q.error} /></section>;
  if (!q.data) return <section className="page"><Loading /></section>;
  const t = q.data.glossaryNode;
  if (!t) return <section className="page"><h1>Term not found</h1></section>;
  const steward = me.isAdmin || me.teams.includes(t.adminTeam);

  async function act(query: string, linkId: string) {
    try {
      await gql(query, { linkId });
      setError(null);
      await q.reload();
    } catch (e) {
      setError(describe(e));
    }
  }

  return (
    <div className="page page-narrow">
      <nav aria-label="Breadcrumb" className="crumbs">
        <Link to="/glossary">Glossary</Link> <span aria-hidden="true">/</span> {t.label}
      </nav>
      <p className="eyebrow">{humanize(t.kind)}</p>
      <h1>{t.label}</h1>
      <p className="lead">{t.description}</p>
      <p className="muted">Stewards: {t.adminTeam}</p>
      {error && (
        <p className="note note-error" role="alert">
          {error}
        </p>
      )}
      <section className="card" aria-labelledby="links-h">
        <h2 id="links-h">Linked data</h2>
        <ul className="rows">
          {t.links.nodes.map((l) => {
            const to = targetPath(l.targetKind, l.targetId);
            return (
              <li key={l.id} className="row">
                <div>
                  <span className="kind">{humanize(l.targetKind)}</span> {to ? <Link to={to}>{l.targetId}</Link> : <span className="mono">{l.targetId}</span>}
                  <p className="muted">
                    proposed by {l.createdBy.replace(/^local:/, '')} · {formatDate(l.createdAt)}
                  </p>
                </div>
                <div className="actions">
                  {l.approved ? <Badge tone="ok">Approved</Badge> : <Badge tone="info">Pending approval</Badge>}
                  {!l.approved && steward && (
                    <>
                      <button type="button" className="btn btn-small btn-primary" onClick={() => void act(APPROVE_LINK, l.id)}>
                        Approve
                      </button>
                      <button type="button" className="btn btn-small" onClick={() => void act(DISMISS_LINK, l.id)}>
                        Dismiss
                      </button>
                    </>
                  )}
                </div>
              </li>
            );
          })}
          {t.links.nodes.length === 0 && <li className="muted">Nothing is linked to this term yet.</li>}
        </ul>
      </section>
    </div>
  );
}
