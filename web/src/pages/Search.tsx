import { useEffect, useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';
import { gql } from '../api/client';
import { SEARCH } from '../api/ops/search';
import type { SearchFacet, SearchQuery, SearchQueryVariables } from '../generated/graphql';
import { FACET_LABELS, fromParams, reduceSearch, selected, toFilters, toParams, type SearchAction } from '../lib/searchState';
import { entityPath } from '../lib/links';
import { humanize } from '../lib/format';
import { SearchBox } from '../components/SearchBox';
import { Snippet } from '../components/Snippet';
import { ErrorNote } from '../components/ui';

const PAGE = 20;

export function SearchPage() {
  const [params, setParams] = useSearchParams();
  const state = useMemo(() => fromParams(params), [params]);
  const key = params.toString();
  const [data, setData] = useState<SearchQuery['search']>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);

  const dispatch = (a: SearchAction) => setParams(toParams(reduceSearch(state, a)));

  useEffect(() => {
    const ctrl = new AbortController();
    setLoading(true);
    const s = fromParams(new URLSearchParams(key));
    const vars: SearchQueryVariables = { query: s.query, filters: toFilters(s), first: PAGE, after: s.cursors.at(-1) ?? null };
    gql<SearchQuery, SearchQueryVariables>(SEARCH, vars, ctrl.signal)
      .then((d) => {
        performance.mark('search:answer');
        setData(d.search);
        setError(undefined);
        setLoading(false);
      })
      .catch((e) => {
        if (ctrl.signal.aborted) return;
        setError(e);
        setLoading(false);
      });
    return () => ctrl.abort();
  }, [key]);

  // Time from the API's answer to the results on screen (the frame after React commits).
  useEffect(() => {
    if (!data) return;
    requestAnimationFrame(() => {
      performance.mark('search:shown');
      try {
        performance.measure('search:answer-to-shown', 'search:answer', 'search:shown');
      } catch {
        /* no answer mark yet */
      }
    });
  }, [data]);

  const chips = selected(state);
  const kinds = data?.facets.find((f) => f.facet === 'KIND');
  const facets = data?.facets.filter((f) => f.facet !== 'KIND' && f.values.length > 0) ?? [];
  const isSelected = (facet: SearchFacet, value: string) => state.filters[facet]?.includes(value) ?? false;

  return (
    <div className="page page-search">
      <section className="search-hero">
        <h1>Discover data</h1>
        <SearchBox initial={state.query} onSearch={(q) => dispatch({ type: 'query', query: q })} />
        {kinds && (
          <div className="kind-tabs" role="group" aria-label="Kind">
            {kinds.values.map((v) => (
              <button
                key={v.value}
                type="button"
                className="kind-tab"
                aria-pressed={isSelected('KIND', v.value)}
                onClick={() => dispatch({ type: 'toggle', facet: 'KIND', value: v.value })}
              >
                {humanize(v.value)}s <span className="count">{v.count}</span>
              </button>
            ))}
          </div>
        )}
      </section>

      <div className="search-body">
        <aside className="facets" aria-label="Filters">
          {facets.map((f) => (
            <fieldset key={f.facet} className="facet">
              <legend>{FACET_LABELS[f.facet]}</legend>
              {f.values.map((v) => {
                const id = `facet-${f.facet}-${v.value}`;
                return (
                  <div key={v.value} className="facet-value">
                    <input type="checkbox" id={id} checked={isSelected(f.facet, v.value)} onChange={() => dispatch({ type: 'toggle', facet: f.facet, value: v.value })} />
                    <label htmlFor={id}>
                      <span className="facet-name">{f.facet === 'TERM' ? v.value.split('/').at(-1) : v.value}</span>
                      <span className="count">{v.count}</span>
                    </label>
                  </div>
                );
              })}
            </fieldset>
          ))}
        </aside>

        <section className="results" aria-labelledby="results-heading">
          <div className="results-head">
            <h2 id="results-heading" aria-live="polite">
              {data ? `${data.totalCount} ${data.totalCount === 1 ? 'result' : 'results'}` : 'Results'}
              {state.query && <span className="muted"> for “{state.query}”</span>}
            </h2>
            {chips.length > 0 && (
              <ul className="chips" aria-label="Active filters">
                {chips.map((c) => (
                  <li key={`${c.facet}:${c.value}`}>
                    <button type="button" className="chip" onClick={() => dispatch({ type: 'remove', facet: c.facet, value: c.value })} aria-label={`Remove filter ${FACET_LABELS[c.facet]}: ${c.facet === 'KIND' ? humanize(c.value) : c.value}`}>
                      <span className="chip-facet">{FACET_LABELS[c.facet]}:</span> {c.facet === 'KIND' ? humanize(c.value) : c.value}
                      <span aria-hidden="true"> ×</span>
                    </button>
                  </li>
                ))}
                <li>
                  <button type="button" className="btn btn-link" onClick={() => dispatch({ type: 'clear' })}>
                    Clear all
                  </button>
                </li>
              </ul>
            )}
          </div>
          <ErrorNote error={error} />
          {data && !data.everyWord && data.hits.length > 0 && <p className="note">No entry has every word; showing entries with any of them.</p>}
          <ol className={`hits${loading ? ' stale' : ''}`} aria-busy={loading} data-testid="hits">
            {data?.hits.map((h) => (
              <li key={`${h.kind}-${h.id}`} className="hit">
                <div className="hit-head">
                  <span className={`kind kind-${h.kind.toLowerCase()}`}>{humanize(h.kind)}</span>
                  <Link to={entityPath(h.kind, h.id, h.datasetId)} className="hit-title">
                    {h.label}
                  </Link>
                  {h.label !== h.name && <code className="hit-name">{h.name}</code>}
                </div>
                {h.snippet && (
                  <p className="hit-snippet">
                    <Snippet text={h.snippet} />
                  </p>
                )}
              </li>
            ))}
          </ol>
          {data && data.hits.length === 0 && (
            <div className="empty" role="status">
              <h3>Nothing matches{state.query ? ` “${state.query}”` : ''}{chips.length > 0 ? ' with these filters' : ''}</h3>
              <ul>
                {chips.length > 0 && (
                  <li>
                    <button type="button" className="btn btn-link" onClick={() => dispatch({ type: 'clear' })}>
                      Remove all filters
                    </button>{' '}
                    and search again.
                  </li>
                )}
                <li>Try fewer or shorter words, or the start of a table name such as “sales”.</li>
                <li>
                  Browse the <Link to="/glossary">business glossary</Link> for the terms your organization uses.
                </li>
                <li>Some datasets are visible only to their teams; ask the owner team to invite you.</li>
              </ul>
            </div>
          )}
          {data && (state.cursors.length > 0 || data.pageInfo.hasNextPage) && (
            <nav className="pager" aria-label="Pages">
              <button type="button" className="btn" disabled={state.cursors.length === 0} onClick={() => dispatch({ type: 'prev' })}>
                ← Previous
              </button>
              <span className="muted">Page {state.cursors.length + 1} of {Math.max(1, Math.ceil(data.totalCount / PAGE))}</span>
              <button
                type="button"
                className="btn"
                disabled={!data.pageInfo.hasNextPage || !data.pageInfo.endCursor}
                onClick={() => data.pageInfo.endCursor && dispatch({ type: 'next', cursor: data.pageInfo.endCursor })}
              >
                Next →
              </button>
            </nav>
          )}
        </section>
      </div>
    </div>
  );
}
