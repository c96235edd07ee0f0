export const STACK_FIELDS = /* GraphQL */ `
  fragment StackFields on Stack {
    id
    targetId
    name
    status
    outputs
    events
    error
    updatedAt
  }
`;

export const STACK = /* GraphQL */ `
  query Stack($targetId: String!) {
    stack(targetId: $targetId) {
      ...StackFields
    }
  }
  ${STACK_FIELDS}
`;

export const UPDATE_STACK = /* GraphQL */ `
  mutation UpdateStack($input: UpdateStackInput!) {
    updateStack(input: $input) {
      ...StackFields
    }
  }
  ${STACK_FIELDS}
`;

export const ACCESS_CHECK_FIELDS = /* GraphQL */ `
  fragment AccessCheckFields on AccessCheck {
    taskId
    status
    checked
    error
    requestedAt
    checkedAt
  }
`;

export const ENVIRONMENT = /* GraphQL */ `
  query Environment($id: String!) {
    environment(id: $id) {
      id
      organizationId
      organization {
        id
        label
      }
      label
      description
      tags
      accountId
      region
      ownerTeam
      type
      resourcePrefix
      pivotRoleName
      pivotRoleArn
      createdBy
      createdAt
      userRole
      teams {
        team
        permissions
      }
      accessCheck {
        ...AccessCheckFields
      }
    }
  }
  ${ACCESS_CHECK_FIELDS}
`;

export const CHECK_ENVIRONMENT_ACCESS = /* GraphQL */ `
  mutation CheckEnvironmentAccess($input: CheckEnvironmentAccessInput!) {
    checkEnvironmentAccess(input: $input) {
      ...AccessCheckFields
    }
  }
  ${ACCESS_CHECK_FIELDS}
`;

export const BOOTSTRAP_TEMPLATE = /* GraphQL */ `
  query BootstrapTemplate($environmentId: String!) {
    environmentBootstrapTemplate(environmentId: $environmentId) {
      stackName
      template
      parameters {
        key
        value
        description
      }
      missing
      deployCommand
    }
  }
`;

export const INVITE_ENVIRONMENT_TEAM = /* GraphQL */ `
  mutation InviteEnvironmentTeam($input: InviteTeamToEnvironmentInput!) {
    inviteTeamToEnvironment(input: $input) {
      team
      permissions
    }
  }
`;

export const REMOVE_ENVIRONMENT_TEAM = /* GraphQL */ `
  mutation RemoveEnvironmentTeam($input: RemoveTeamFromEnvironmentInput!) {
    removeTeamFromEnvironment(input: $input)
  }
`;
