import { Link } from 'react-router-dom';
import { GLOSSARIES } from '../api/ops/glossary';
import type { GlossariesQuery } from '../generated/graphql';
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
              <div key={c.id} className="category">
                <h3>{c.label}</h3>
                <ul className="rows">
                  {c.children.nodes.map((t) => (
                    <TermRow key={t.id} id={t.id} label={t.label} description={t.description} />
                  ))}
                </ul>
              </div>
            ),
          )}
        </section>
      ))}
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
