// The search page's state: query, selected facet values and the page cursors. The URL is
// the source of truth (shareable, back/forward work); this reducer is pure.
import type { SearchFacet, SearchFilter } from '../generated/graphql';

export interface SearchState {
  query: string;
  /** Selected values per facet (OR-ed within a facet, AND-ed across facets). */
  filters: Partial<Record<SearchFacet, string[]>>;
  /** `after` cursors of the pages walked through; empty on the first page. */
  cursors: string[];
}

export type SearchAction =
  | { type: 'query'; query: string }
  | { type: 'toggle'; facet: SearchFacet; value: string }
  | { type: 'remove'; facet: SearchFacet; value: string }
  | { type: 'clear' }
  | { type: 'next'; cursor: string }
  | { type: 'prev' };

export const FACETS: SearchFacet[] = ['KIND', 'TAG', 'TOPIC', 'CONFIDENTIALITY', 'ORGANIZATION', 'ENVIRONMENT', 'REGION', 'OWNER_TEAM', 'TERM'];

export const emptySearch: SearchState = { query: '', filters: {}, cursors: [] };

export function reduceSearch(state: SearchState, action: SearchAction): SearchState {
  switch (action.type) {
    case 'query':
      return { ...state, query: action.query.trim(), cursors: [] };
    case 'toggle': {
      const have = state.filters[action.facet] ?? [];
      const values = have.includes(action.value) ? have.filter((v) => v !== action.value) : [...have, action.value];
      return { ...state, filters: withFacet(state.filters, action.facet, values), cursors: [] };
    }
    case 'remove': {
      const values = (state.filters[action.facet] ?? []).filter((v) => v !== action.value);
      return { ...state, filters: withFacet(state.filters, action.facet, values), cursors: [] };
    }
    case 'clear':
      return { ...state, filters: {}, cursors: [] };
    case 'next':
      return { ...state, cursors: [...state.cursors, action.cursor] };
    case 'prev':
      return { ...state, cursors: state.cursors.slice(0, -1) };
  }
}

function withFacet(filters: SearchState['filters'], facet: SearchFacet, values: string[]): SearchState['filters'] {
  const next = { ...filters };
  if (values.length === 0) delete next[facet];
  else next[facet] = values;
  return next;
}

/** The API's `filters` argument, in a stable order. */
export function toFilters(state: SearchState): SearchFilter[] {
  return FACETS.filter((f) => (state.filters[f]?.length ?? 0) > 0).map((facet) => ({ facet, values: state.filters[facet] ?? [] }));
}

/** Every selected value, for the removable chips. */
export function selected(state: SearchState): { facet: SearchFacet; value: string }[] {
  return toFilters(state).flatMap((f) => f.values.map((value) => ({ facet: f.facet, value })));
}

export function toParams(state: SearchState): URLSearchParams {
  const p = new URLSearchParams();
  if (state.query) p.set('q', state.query);
  for (const f of toFilters(state)) for (const v of f.values) p.append('f', `${f.facet}:${v}`);
  for (const c of state.cursors) p.append('c', c);
  return p;
}

export function fromParams(p: URLSearchParams): SearchState {
  const filters: SearchState['filters'] = {};
  for (const raw of p.getAll('f')) {
    const i = raw.indexOf(':');
    if (i < 0) continue;
    const facet = raw.slice(0, i) as SearchFacet;
    if (!FACETS.includes(facet)) continue;
    const value = raw.slice(i + 1);
    const have = filters[facet] ?? [];
    if (!have.includes(value)) filters[facet] = [...have, value];
  }
  return { query: (p.get('q') ?? '').trim(), filters, cursors: p.getAll('c') };
}

export const FACET_LABELS: Record<SearchFacet, string> = {
  KIND: 'Kind',
  TAG: 'Tag',
  TOPIC: 'Topic',
  CONFIDENTIALITY: 'Confidentiality',
  ORGANIZATION: 'Organization',
  ENVIRONMENT: 'Environment',
  REGION: 'Region',
  OWNER_TEAM: 'Owner team',
  TERM: 'Glossary term',
};
