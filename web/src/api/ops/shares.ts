export const SHARE_FIELDS = /* GraphQL */ `
  fragment ShareFields on ShareRequest {
    id
    status
    datasetId
    dataset {
      id
      label
      ownerTeam {
        name
      }
      stewardsTeam {
        name
      }
    }
    environmentId
    teamName
    principalRoleArn
    access
    purpose
    rejectReason
    expiresAt
    requestedExpiry
    version
    createdBy
    createdAt
    updatedAt
    items {
      id
      itemType
      targetId
      status
      error
      updatedAt
      consumption {
        glueDatabase
        glueTable
        accessPointAlias
        bucket
        region
        s3Prefix
        s3Uri
      }
    }
  }
`;

export const SHARE_SUMMARY = /* GraphQL */ `
  fragment ShareSummary on ShareRequest {
    id
    status
    datasetId
    dataset {
      id
      label
      ownerTeam {
        name
      }
    }
    teamName
    updatedAt
    items {
      id
    }
  }
`;

export const SHARES_SENT = /* GraphQL */ `
  query SharesSent {
    sharesSent(first: 50) {
      nodes {
        ...ShareSummary
      }
    }
  }
  ${SHARE_SUMMARY}
`;

export const SHARES_RECEIVED = /* GraphQL */ `
  query SharesReceived {
    sharesReceived(first: 50) {
      nodes {
        ...ShareSummary
      }
    }
  }
  ${SHARE_SUMMARY}
`;

export const SHARE = /* GraphQL */ `
  query Share($id: String!) {
    shareRequest(id: $id) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const REQUEST_CONTEXT = /* GraphQL */ `
  query RequestContext($datasetId: String!) {
    me {
      teams
    }
    environments(first: 100) {
      nodes {
        id
        label
        region
        accountId
      }
    }
    dataset(id: $datasetId) {
      id
      label
      ownerTeam {
        name
      }
      tables(first: 100) {
        nodes {
          id
          name
        }
      }
      folders(first: 100) {
        nodes {
          id
          label
          prefix
        }
      }
    }
  }
`;

export const CREATE_SHARE = /* GraphQL */ `
  mutation CreateShare($input: CreateShareRequestInput!) {
    createShareRequest(input: $input) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const ADD_SHARE_ITEM = /* GraphQL */ `
  mutation AddShareItem($input: AddShareItemInput!) {
    addShareItem(input: $input) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const SUBMIT_SHARE = /* GraphQL */ `
  mutation SubmitShare($shareId: String!) {
    submitShareRequest(input: { shareId: $shareId }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const APPROVE_SHARE = /* GraphQL */ `
  mutation ApproveShare($shareId: String!) {
    approveShareRequest(input: { shareId: $shareId }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const REJECT_SHARE = /* GraphQL */ `
  mutation RejectShare($shareId: String!, $reason: String!) {
    rejectShareRequest(input: { shareId: $shareId, reason: $reason }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const REVOKE_SHARE = /* GraphQL */ `
  mutation RevokeShare($shareId: String!) {
    revokeShareItems(input: { shareId: $shareId }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const REQUEST_EXTENSION = /* GraphQL */ `
  mutation RequestExtension($shareId: String!, $expiresAt: DateTime!) {
    requestShareExtension(input: { shareId: $shareId, expiresAt: $expiresAt }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const APPROVE_EXTENSION = /* GraphQL */ `
  mutation ApproveExtension($shareId: String!) {
    approveShareExtension(input: { shareId: $shareId }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

export const REJECT_EXTENSION = /* GraphQL */ `
  mutation RejectExtension($shareId: String!) {
    rejectShareExtension(input: { shareId: $shareId }) {
      ...ShareFields
    }
  }
  ${SHARE_FIELDS}
`;

/**
 * Who holds access to a dataset: its teams (owners, stewards, invited teams; GET_DATASET
 * callers only) and the requests on it the caller's teams decide on.
 */
export const DATASET_ACCESS = /* GraphQL */ `
  query DatasetAccess($id: String!, $filter: ShareListFilter!) {
    dataset(id: $id) {
      id
      teams {
        team
        permissions
      }
    }
    sharesReceived(filter: $filter, first: 50) {
      nodes {
        id
        status
        teamName
        access
        expiresAt
        items {
          id
          status
        }
      }
      totalCount
    }
  }
`;

/** The caller's teams' requests on one dataset. */
export const MY_DATASET_REQUESTS = /* GraphQL */ `
  query MyDatasetRequests($filter: ShareListFilter!) {
    sharesSent(filter: $filter, first: 20) {
      nodes {
        id
        status
        teamName
        expiresAt
        updatedAt
      }
    }
  }
`;
