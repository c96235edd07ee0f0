export const ME = /* GraphQL */ `
  query Me {
    me {
      username
      teams
      isAdmin
      tenantPermissions
    }
    unreadNotificationCount
  }
`;
