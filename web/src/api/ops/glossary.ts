export const NODE_FIELDS = /* GraphQL */ `
  fragment NodeFields on GlossaryNode {
    id
    kind
    label
    description
    adminTeam
  }
`;

export const GLOSSARIES = /* GraphQL */ `
  query Glossaries {
    glossaries(first: 10) {
      nodes {
        ...NodeFields
        children(first: 30) {
          nodes {
            ...NodeFields
          }
        }
      }
    }
  }
  ${NODE_FIELDS}
`;

/** A category's terms, fetched per category (the API bounds a query's complexity). */
export const CHILDREN = /* GraphQL */ `
  query Children($id: String!) {
    glossaryNode(id: $id) {
      id
      children(first: 100) {
        nodes {
          ...NodeFields
        }
      }
    }
  }
  ${NODE_FIELDS}
`;

export const TERM = /* GraphQL */ `
  query Term($id: String!) {
    glossaryNode(id: $id) {
      ...NodeFields
      version
      links(first: 100) {
        nodes {
          id
          targetId
          targetKind
          approved
          createdBy
          createdAt
        }
      }
    }
  }
  ${NODE_FIELDS}
`;

export const APPROVE_LINK = /* GraphQL */ `
  mutation ApproveLink($linkId: String!) {
    approveTermLink(input: { linkId: $linkId }) {
      id
      approved
    }
  }
`;

export const DISMISS_LINK = /* GraphQL */ `
  mutation DismissLink($linkId: String!) {
    dismissTermLink(input: { linkId: $linkId })
  }
`;
