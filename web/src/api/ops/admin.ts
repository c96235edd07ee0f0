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

export const LOCAL_USER_FIELDS = /* GraphQL */ `
  fragment LocalUserFields on LocalUser {
    username
    email
    teams
  }
`;

export const USERS = /* GraphQL */ `
  query Users {
    users {
      ...LocalUserFields
    }
  }
  ${LOCAL_USER_FIELDS}
`;

export const CREATE_USER = /* GraphQL */ `
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      ...LocalUserFields
    }
  }
  ${LOCAL_USER_FIELDS}
`;

export const SET_USER_TEAMS = /* GraphQL */ `
  mutation SetUserTeams($input: SetUserTeamsInput!) {
    setUserTeams(input: $input) {
      ...LocalUserFields
    }
  }
  ${LOCAL_USER_FIELDS}
`;

export const RESET_USER_PASSWORD = /* GraphQL */ `
  mutation ResetUserPassword($input: ResetUserPasswordInput!) {
    resetUserPassword(input: $input)
  }
`;

export const REMOVE_USER = /* GraphQL */ `
  mutation RemoveUser($input: RemoveUserInput!) {
    removeUser(input: $input)
  }
`;

export const INVITE_ORGANIZATION_TEAM = /* GraphQL */ `
  mutation InviteOrganizationTeam($input: InviteTeamToOrganizationInput!) {
    inviteTeamToOrganization(input: $input) {
      team
      permissions
    }
  }
`;

export const REMOVE_ORGANIZATION_TEAM = /* GraphQL */ `
  mutation RemoveOrganizationTeam($input: RemoveTeamFromOrganizationInput!) {
    removeTeamFromOrganization(input: $input)
  }
`;

export const UPDATE_ORGANIZATION = /* GraphQL */ `
  mutation UpdateOrganization($input: UpdateOrganizationInput!) {
    updateOrganization(input: $input) {
      id
      label
      description
    }
  }
`;

export const ARCHIVE_ORGANIZATION = /* GraphQL */ `
  mutation ArchiveOrganization($input: ResourceInput!) {
    archiveOrganization(input: $input) {
      id
      archived
    }
  }
`;
