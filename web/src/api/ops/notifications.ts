export const NOTIFICATIONS = /* GraphQL */ `
  query Notifications {
    notifications(first: 100) {
      nodes {
        id
        team
        kind
        message
        targetId
        read
        createdAt
      }
    }
    unreadNotificationCount
  }
`;

export const UNREAD_COUNT = /* GraphQL */ `
  query UnreadCount {
    unreadNotificationCount
  }
`;

export const MARK_READ = /* GraphQL */ `
  mutation MarkRead($id: String!) {
    markNotificationRead(input: { id: $id })
  }
`;

export const MARK_ALL_READ = /* GraphQL */ `
  mutation MarkAllRead {
    markAllNotificationsRead
  }
`;
