export const SEARCH = /* GraphQL */ `
  query Search($query: String!, $filters: [SearchFilter!]!, $first: Int, $after: String) {
    search(query: $query, filters: $filters, first: $first, after: $after) {
      totalCount
      everyWord
      hits {
        kind
        id
        name
        label
        snippet
        datasetId
      }
      facets {
        facet
        values {
          value
          count
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const SUGGEST = /* GraphQL */ `
  query Suggest($prefix: String!) {
    suggest(prefix: $prefix, first: 8) {
      kind
      id
      text
    }
  }
`;
