import { Link } from 'react-router-dom';
import { CHILDREN, GLOSSARIES } from '../api/ops/glossary';
import type { ChildrenQuery, ChildrenQueryVariables, GlossariesQuery } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { ErrorNote, Loading } from '../components/ui';

export default function GlossaryPage() {
  const q = useQuery<GlossariesQuery, Record<string, never>>(GLOSSARIES, {}, 'g');
  return (
    <div className="page page-narrow">
      <h1>Business glossary</h1>
      <p className="muted">The words your organization agrees on, and the data they describe.</p>
      <ErrorNote error={q.error} />
      {!q.data && !q.error && <Loading />}
      {q.data?.glossaries.nodes.map((g) => (
        <section key={g.id} className="card" aria-labelledby={`g-${g.id}`}>
          <h2 id={`g-${g.id}`}>{g.label}</h2>
          <p className="muted">
            {g.description} · stewards: {g.adminTeam}
          </p>
          {g.children.nodes.map((c) =>
            c.kind === 'TERM' ? (
              <TermRow key={c.id} id={c.id} label={c.label} description={c.description} />
            ) : (
              <Category key={c.id} id={c.id} label={c.label} />
            ),
          )}
        </section>
      ))}
    </div>
  );
}

function Category({ id, label }: { id: string; label: string }) {
  const q = useQuery<ChildrenQuery, ChildrenQueryVariables>(CHILDREN, { id }, id);
  return (
    <div className="category">
      <h3>{label}</h3>
      <ErrorNote error={q.error} />
      <ul className="rows">
        {q.data?.glossaryNode?.children.nodes.map((t) => (
          <TermRow key={t.id} id={t.id} label={t.label} description={t.description} />
        ))}
      </ul>
    </div>
  );
}

function TermRow({ id, label, description }: { id: string; label: string; description: string }) {
  return (
    <li className="row">
      <div>
        <Link to={`/glossary/${id}`} className="row-title">
          {label}
        </Link>
        <p className="muted">{description}</p>
      </div>
    </li>
  );
}
