import { useState, type FormEvent } from 'react';
import { gql } from '../api/client';
import { describe } from '../api/errors';
import { FEED, POST_FEED } from '../api/ops/catalog';
import type { FeedQuery, FeedQueryVariables, PostFeedMutation, PostFeedMutationVariables } from '../generated/graphql';
import { useQuery } from '../lib/useQuery';
import { formatDate } from '../lib/format';

/** Comments on a dataset, table or folder. */
export function Feed({ targetId }: { targetId: string }) {
  const q = useQuery<FeedQuery, FeedQueryVariables>(FEED, { targetId }, targetId);
  const [body, setBody] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function post(e: FormEvent) {
    e.preventDefault();
    if (!body.trim()) return;
    try {
      await gql<PostFeedMutation, PostFeedMutationVariables>(POST_FEED, { input: { targetId, body } });
      setBody('');
      setError(null);
      void q.reload();
    } catch (err) {
      setError(describe(err));
    }
  }

  return (
    <section className="card" aria-labelledby="feed-h">
      <h2 id="feed-h">Activity and comments</h2>
      <ol className="feed">
        {q.data?.feed.nodes.map((m) => (
          <li key={m.id}>
            <div className="feed-meta">
              <strong>{m.author.replace(/^local:/, '')}</strong> <span className="muted">{formatDate(m.createdAt)}</span>
            </div>
            <p>{m.body}</p>
          </li>
        ))}
        {q.data && q.data.feed.nodes.length === 0 && <li className="muted">No comments yet. Ask the owners a question.</li>}
      </ol>
      <form onSubmit={post} className="feed-form">
        <label htmlFor={`feed-${targetId}`}>Add a comment</label>
        <textarea id={`feed-${targetId}`} rows={2} value={body} onChange={(e) => setBody(e.target.value)} />
        {error && (
          <p className="note note-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" className="btn btn-small">
          Comment
        </button>
      </form>
    </section>
  );
}
