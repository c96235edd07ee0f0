// Administration: organizations, environments, teams and tenant permissions, the audit
// trail and background tasks.

export const ORGANIZATIONS = /* GraphQL */ `
  query Organizations($after: String, $includeArchived: Boolean) {
    organizations(first: 25, after: $after, includeArchived: $includeArchived) {
      nodes {
        id
        label
        description
        adminTeam
        archived
        createdAt
        teams {
          team
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const CREATE_ORGANIZATION = /* GraphQL */ `
  mutation CreateOrganization($input: CreateOrganizationInput!) {
    createOrganization(input: $input) {
      id
      label
    }
  }
`;

export const ORGANIZATION = /* GraphQL */ `
  query Organization($id: String!, $after: String) {
    organization(id: $id) {
      id
      label
      description
      adminTeam
      teams {
        team
        permissions
      }
    }
    environments(first: 25, after: $after, organizationId: $id) {
      nodes {
        id
        label
        accountId
        region
        ownerTeam
        type
        pivotRoleArn
        createdAt
        stack {
          status
        }
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const CREATE_ENVIRONMENT = /* GraphQL */ `
  mutation CreateEnvironment($input: CreateEnvironmentInput!) {
    createEnvironment(input: $input) {
      id
      label
    }
  }
`;

export const TEAMS = /* GraphQL */ `
  query Teams($after: String) {
    teams(first: 50, after: $after) {
      nodes {
        name
        createdAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const TEAM_PERMISSIONS = /* GraphQL */ `
  query TeamPermissions($team: String!) {
    teamTenantPermissions(team: $team)
  }
`;

export const SET_TEAM_PERMISSIONS = /* GraphQL */ `
  mutation SetTeamPermissions($input: SetTeamTenantPermissionsInput!) {
    setTeamTenantPermissions(input: $input)
  }
`;

/** Resources an admin can look into (audit trail, tasks): organizations, environments, datasets. */
export const RESOURCES = /* GraphQL */ `
  query AdminResources {
    organizations(first: 100) {
      nodes {
        id
        label
      }
    }
    environments(first: 100) {
      nodes {
        id
        label
      }
    }
    datasets(first: 100) {
      nodes {
        id
        label
      }
    }
  }
`;

export const AUDIT_EVENTS = /* GraphQL */ `
  query AuditEvents($targetId: String!, $after: String) {
    auditEvents(targetId: $targetId, first: 20, after: $after) {
      nodes {
        id
        actor
        action
        targetKind
        targetId
        before
        after
        requestId
        at
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const TASKS = /* GraphQL */ `
  query Tasks($targetId: String!, $after: String) {
    tasks(targetId: $targetId, first: 50, after: $after) {
      nodes {
        id
        kind
        targetId
        status
        attempts
        runAfter
        lastError
        createdAt
        updatedAt
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
`;

export const RETRY_TASK = /* GraphQL */ `
  mutation RetryTask($id: String!) {
    retryTask(input: { id: $id }) {
      id
      status
      attempts
    }
  }
`;
