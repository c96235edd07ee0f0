/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
export type AddShareItemInput = {
  /** The table's or folder's id; omitted for the bucket. */
  itemId?: string | null | undefined;
  itemType: ShareItemType;
  shareId: string;
};

export type CheckEnvironmentAccessInput = {
  environmentId: string;
};

export type Confidentiality =
  | 'OFFICIAL'
  | 'SECRET'
  | 'UNCLASSIFIED';

export type CreateEnvironmentInput = {
  /** 12-digit AWS account id. */
  accountId: string;
  description?: string | null | undefined;
  label: string;
  organizationId: string;
  /** One of your teams; it gets ENVIRONMENT_ALL. */
  ownerTeam: string;
  /** Name of the pivot role lakecat assumes in the account (default `lakecat-pivot-role`). */
  pivotRoleName?: string | null | undefined;
  region: string;
  /** Prefix of the AWS resources lakecat creates there (default `lakecat`). */
  resourcePrefix?: string | null | undefined;
  tags?: Array<string> | null | undefined;
  type?: EnvironmentType;
};

export type CreateOrganizationInput = {
  /** One of your teams; it gets ORGANIZATION_ALL. */
  adminTeam: string;
  description?: string | null | undefined;
  label: string;
  tags?: Array<string> | null | undefined;
};

export type CreateShareRequestInput = {
  /**
   * READ: Lake Formation DESCRIBE + SELECT, s3:GetObject. WRITE adds INSERT and DELETE,
   * s3:PutObject and s3:DeleteObject.
   */
  access?: ShareAccessLevel;
  datasetId: string;
  /** The consumer environment (where the consumer team works). */
  environmentId: string;
  expiresAt?: string | null | undefined;
  purpose?: string | null | undefined;
  /** The consumer team; the caller must be a member. */
  teamName: string;
};

export type CreateUserInput = {
  email?: string | null | undefined;
  /** At least 12 characters. */
  password: string;
  teams: Array<string>;
  /** 1–64 characters of a-z, 0-9, '.', '_' and '-', starting with a letter or digit. */
  username: string;
};

export type EnvironmentType =
  | 'COMPUTE'
  | 'DATA';

export type GlossaryNodeKind =
  | 'CATEGORY'
  | 'GLOSSARY'
  | 'TERM';

export type InviteTeamToEnvironmentInput = {
  environmentId: string;
  /** Extra environment permissions (e.g. CREATE_DATASET); GET_ENVIRONMENT is always granted. */
  permissions?: Array<string> | null | undefined;
  team: string;
};

export type InviteTeamToOrganizationInput = {
  organizationId: string;
  /** Extra organization permissions; GET_ORGANIZATION is always granted. */
  permissions?: Array<string> | null | undefined;
  team: string;
};

export type PostFeedMessageInput = {
  body: string;
  targetId: string;
};

export type ProfileTableInput = {
  tableId: string;
};

export type RemoveTeamFromEnvironmentInput = {
  environmentId: string;
  team: string;
};

export type RemoveTeamFromOrganizationInput = {
  organizationId: string;
  team: string;
};

export type RemoveUserInput = {
  username: string;
};

export type ResetUserPasswordInput = {
  /** At least 12 characters. */
  password: string;
  username: string;
};

export type ResourceInput = {
  id: string;
};

export type SearchFacet =
  | 'CONFIDENTIALITY'
  | 'ENVIRONMENT'
  | 'KIND'
  | 'ORGANIZATION'
  | 'OWNER_TEAM'
  | 'REGION'
  | 'TAG'
  | 'TERM'
  | 'TOPIC';

/** Selected values of one facet (OR-ed); facets are AND-ed. */
export type SearchFilter = {
  facet: SearchFacet;
  values: Array<string>;
};

export type SearchKind =
  | 'COLUMN'
  | 'DATASET'
  | 'FOLDER'
  | 'TABLE'
  | 'TERM';

export type SetTeamTenantPermissionsInput = {
  /** The complete new set, e.g. `["MANAGE_DATASETS"]`; an empty list removes all. */
  permissions: Array<string>;
  team: string;
};

export type SetUserTeamsInput = {
  /** The complete new set; an empty list leaves the user in no team. */
  teams: Array<string>;
  username: string;
};

export type ShareAccessLevel =
  | 'READ'
  | 'WRITE';

export type ShareItemStatus =
  | 'DELETED'
  | 'PENDING_APPROVAL'
  | 'PENDING_EXTENSION'
  | 'REVOKE_APPROVED'
  | 'REVOKE_FAILED'
  | 'REVOKE_IN_PROGRESS'
  | 'REVOKE_SUCCEEDED'
  | 'SHARE_APPROVED'
  | 'SHARE_FAILED'
  | 'SHARE_IN_PROGRESS'
  | 'SHARE_REJECTED'
  | 'SHARE_SUCCEEDED';

export type ShareItemType =
  | 'BUCKET'
  | 'FOLDER'
  | 'TABLE';

export type ShareListFilter = {
  datasetId?: string | null | undefined;
  status?: ShareRequestStatus | null | undefined;
  /** Sent list: the dataset's owner team. Received list: the requesting team. */
  teamName?: string | null | undefined;
};

export type ShareRequestStatus =
  | 'APPROVED'
  | 'DELETED'
  | 'DRAFT'
  | 'EXTENSION_REJECTED'
  | 'PROCESSED'
  | 'REJECTED'
  | 'REVOKED'
  | 'REVOKE_IN_PROGRESS'
  | 'SHARE_IN_PROGRESS'
  | 'SUBMITTED'
  | 'SUBMITTED_FOR_EXTENSION';

export type StackStatus =
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'CREATE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'IMPORT_COMPLETE'
  | 'IMPORT_IN_PROGRESS'
  | 'IMPORT_ROLLBACK_COMPLETE'
  | 'IMPORT_ROLLBACK_FAILED'
  | 'IMPORT_ROLLBACK_IN_PROGRESS'
  | 'PENDING'
  | 'REVIEW_IN_PROGRESS'
  | 'ROLLBACK_COMPLETE'
  | 'ROLLBACK_FAILED'
  | 'ROLLBACK_IN_PROGRESS'
  | 'UPDATE_COMPLETE'
  | 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_FAILED'
  | 'UPDATE_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_COMPLETE'
  | 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS'
  | 'UPDATE_ROLLBACK_FAILED'
  | 'UPDATE_ROLLBACK_IN_PROGRESS';

export type SyncTablesInput = {
  datasetId: string;
};

export type TaskStatus =
  | 'FAILED'
  | 'PENDING'
  | 'RUNNING'
  | 'SUCCEEDED';

export type Topic =
  | 'CUSTOMERS'
  | 'ENERGY'
  | 'FINANCES'
  | 'HUMAN_RESOURCES'
  | 'MISC'
  | 'OPERATIONS'
  | 'ORDERS'
  | 'PRODUCTS'
  | 'RESEARCH'
  | 'SALES'
  | 'SERVICES'
  | 'SITES';

export type UpdateColumnInput = {
  /** PII, SENSITIVE, PUBLIC, INTERNAL, or "" to clear. */
  classification?: string | null | undefined;
  description?: string | null | undefined;
  expectedVersion: number;
  id: string;
  tags?: Array<string> | null | undefined;
};

export type UpdateDatasetInput = {
  autoApproval?: boolean | null | undefined;
  confidentiality?: Confidentiality | null | undefined;
  description?: string | null | undefined;
  /** The `version` you read; a stale version gets CONFLICT. */
  expectedVersion: number;
  id: string;
  label?: string | null | undefined;
  /** For a SECRET dataset: let teams holding a granted share preview its tables. */
  secretPreview?: boolean | null | undefined;
  /** A team name, or "" to clear. */
  stewardsTeam?: string | null | undefined;
  tags?: Array<string> | null | undefined;
  topics?: Array<Topic> | null | undefined;
  visibility?: Visibility | null | undefined;
};

export type UpdateOrganizationInput = {
  description?: string | null | undefined;
  id: string;
  label?: string | null | undefined;
  tags?: Array<string> | null | undefined;
};

export type UpdateStackInput = {
  /** The environment or dataset whose stack to deploy again. */
  targetId: string;
};

export type UpdateTableInput = {
  description?: string | null | undefined;
  expectedVersion: number;
  id: string;
  tags?: Array<string> | null | undefined;
};

export type UpvoteInput = {
  targetId: string;
  /** true to upvote, false to take the upvote back. */
  upvote: boolean;
};

/** The caller's role on a resource. */
export type UserRole =
  | 'ADMIN'
  | 'MEMBER'
  | 'NO_PERMISSION'
  | 'OWNER';

export type Visibility =
  | 'EVERYONE'
  | 'ORGANIZATION'
  | 'RESTRICTED';

export type OrganizationsQueryVariables = Exact<{
  after?: string | null | undefined;
  includeArchived?: boolean | null | undefined;
}>;


export type OrganizationsQuery = { organizations: { nodes: Array<{ id: string, label: string, description: string, adminTeam: string, archived: boolean, createdAt: string, teams: Array<{ team: string }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateOrganizationMutationVariables = Exact<{
  input: CreateOrganizationInput;
}>;


export type CreateOrganizationMutation = { createOrganization: { id: string, label: string } };

export type OrganizationQueryVariables = Exact<{
  id: string;
  after?: string | null | undefined;
}>;


export type OrganizationQuery = { organization: { id: string, label: string, description: string, adminTeam: string, teams: Array<{ team: string, permissions: Array<string> }> } | null, environments: { nodes: Array<{ id: string, label: string, accountId: string, region: string, ownerTeam: string, type: EnvironmentType, pivotRoleArn: string, createdAt: string, stack: { status: StackStatus } | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type CreateEnvironmentMutationVariables = Exact<{
  input: CreateEnvironmentInput;
}>;


export type CreateEnvironmentMutation = { createEnvironment: { id: string, label: string } };

export type TeamsQueryVariables = Exact<{
  after?: string | null | undefined;
}>;


export type TeamsQuery = { teams: { nodes: Array<{ name: string, createdAt: string | null }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type TeamPermissionsQueryVariables = Exact<{
  team: string;
}>;


export type TeamPermissionsQuery = { teamTenantPermissions: Array<string> };

export type SetTeamPermissionsMutationVariables = Exact<{
  input: SetTeamTenantPermissionsInput;
}>;


export type SetTeamPermissionsMutation = { setTeamTenantPermissions: Array<string> };

export type AdminResourcesQueryVariables = Exact<{ [key: string]: never; }>;


export type AdminResourcesQuery = { organizations: { nodes: Array<{ id: string, label: string }> }, environments: { nodes: Array<{ id: string, label: string }> }, datasets: { nodes: Array<{ id: string, label: string }> } };

export type AuditEventsQueryVariables = Exact<{
  targetId: string;
  after?: string | null | undefined;
}>;


export type AuditEventsQuery = { auditEvents: { nodes: Array<{ id: string, actor: string, action: string, targetKind: string, targetId: string, before: unknown, after: unknown, requestId: string, at: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type TasksQueryVariables = Exact<{
  targetId: string;
  after?: string | null | undefined;
}>;


export type TasksQuery = { tasks: { nodes: Array<{ id: string, kind: string, targetId: string | null, status: TaskStatus, attempts: number, runAfter: string, lastError: string | null, createdAt: string, updatedAt: string }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type RetryTaskMutationVariables = Exact<{
  id: string;
}>;


export type RetryTaskMutation = { retryTask: { id: string, status: TaskStatus, attempts: number } };

export type LocalUserFieldsFragment = { username: string, email: string | null, teams: Array<string> };

export type UsersQueryVariables = Exact<{ [key: string]: never; }>;


export type UsersQuery = { users: Array<{ username: string, email: string | null, teams: Array<string> }> };

export type CreateUserMutationVariables = Exact<{
  input: CreateUserInput;
}>;


export type CreateUserMutation = { createUser: { username: string, email: string | null, teams: Array<string> } };

export type SetUserTeamsMutationVariables = Exact<{
  input: SetUserTeamsInput;
}>;


export type SetUserTeamsMutation = { setUserTeams: { username: string, email: string | null, teams: Array<string> } };

export type ResetUserPasswordMutationVariables = Exact<{
  input: ResetUserPasswordInput;
}>;


export type ResetUserPasswordMutation = { resetUserPassword: boolean };

export type RemoveUserMutationVariables = Exact<{
  input: RemoveUserInput;
}>;


export type RemoveUserMutation = { removeUser: boolean };

export type InviteOrganizationTeamMutationVariables = Exact<{
  input: InviteTeamToOrganizationInput;
}>;


export type InviteOrganizationTeamMutation = { inviteTeamToOrganization: { team: string, permissions: Array<string> } };

export type RemoveOrganizationTeamMutationVariables = Exact<{
  input: RemoveTeamFromOrganizationInput;
}>;


export type RemoveOrganizationTeamMutation = { removeTeamFromOrganization: boolean };

export type UpdateOrganizationMutationVariables = Exact<{
  input: UpdateOrganizationInput;
}>;


export type UpdateOrganizationMutation = { updateOrganization: { id: string, label: string, description: string } };

export type ArchiveOrganizationMutationVariables = Exact<{
  input: ResourceInput;
}>;


export type ArchiveOrganizationMutation = { archiveOrganization: { id: string, archived: boolean } };

export type DatasetQueryVariables = Exact<{
  id: string;
}>;


export type DatasetQuery = { dataset: { id: string, label: string, slug: string, description: string, environmentId: string, confidentiality: Confidentiality, secretPreview: boolean, visibility: Visibility, topics: Array<Topic>, tags: Array<string>, autoApproval: boolean, imported: boolean, version: number, userRole: UserRole, createdBy: string, createdAt: string, updatedAt: string, tableCount: number, upvotes: number, hasUpvoted: boolean, ownerTeam: { name: string }, stewardsTeam: { name: string } | null, organization: { id: string, label: string } | null, environment: { id: string, label: string, region: string } | null, aws: { accountId: string, region: string, bucket: string, glueDatabase: string, kmsAlias: string | null, adminRoleArn: string } | null, terms: Array<{ id: string, approved: boolean, term: { id: string, label: string } | null }>, tables: { nodes: Array<{ id: string, name: string, label: string, description: string, format: string, columnCount: number, tags: Array<string> }> }, folders: { nodes: Array<{ id: string, label: string, prefix: string, description: string, tags: Array<string> }> } } | null };

export type TableQueryVariables = Exact<{
  id: string;
}>;


export type TableQuery = { table: { id: string, datasetId: string, name: string, label: string, location: string, format: string, description: string, tags: Array<string>, version: number, columnCount: number, upvotes: number, updatedAt: string, deletedAt: string | null, dataset: { id: string, label: string, userRole: UserRole } | null, terms: Array<{ id: string, approved: boolean, term: { id: string, label: string } | null }> } | null };

export type ColumnFieldsFragment = { id: string, tableId: string, name: string, type: string, isPartition: boolean, position: number, description: string, tags: Array<string>, classification: string | null, version: number };

export type ColumnsQueryVariables = Exact<{
  tableId: string;
  after?: string | null | undefined;
}>;


export type ColumnsQuery = { columns: { nodes: Array<{ id: string, tableId: string, name: string, type: string, isPartition: boolean, position: number, description: string, tags: Array<string>, classification: string | null, version: number }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type ColumnQueryVariables = Exact<{
  id: string;
}>;


export type ColumnQuery = { column: { id: string, tableId: string, name: string, type: string, isPartition: boolean, position: number, description: string, tags: Array<string>, classification: string | null, version: number } | null };

export type UpdateDatasetMutationVariables = Exact<{
  input: UpdateDatasetInput;
}>;


export type UpdateDatasetMutation = { updateDataset: { id: string, description: string, tags: Array<string>, secretPreview: boolean, version: number } };

export type UpdateTableMutationVariables = Exact<{
  input: UpdateTableInput;
}>;


export type UpdateTableMutation = { updateTable: { id: string, description: string, tags: Array<string>, version: number } };

export type UpdateColumnMutationVariables = Exact<{
  input: UpdateColumnInput;
}>;


export type UpdateColumnMutation = { updateColumn: { id: string, tableId: string, name: string, type: string, isPartition: boolean, position: number, description: string, tags: Array<string>, classification: string | null, version: number } };

export type FeedQueryVariables = Exact<{
  targetId: string;
}>;


export type FeedQuery = { feed: { nodes: Array<{ id: string, author: string, body: string, createdAt: string }> } };

export type PostFeedMutationVariables = Exact<{
  input: PostFeedMessageInput;
}>;


export type PostFeedMutation = { postFeedMessage: { id: string, author: string, body: string, createdAt: string } };

export type UpvoteMutationVariables = Exact<{
  input: UpvoteInput;
}>;


export type UpvoteMutation = { upvote: { upvotes: number, hasUpvoted: boolean } };

export type TableSyncFieldsFragment = { taskId: string, status: TaskStatus, tables: Array<string> | null, tablesCreated: number, tablesUpdated: number, tablesUnchanged: number, tablesDeleted: number, tablesRestored: number, error: string | null, requestedAt: string, finishedAt: string | null, failures: Array<{ table: string, reason: string }> };

export type TableSyncQueryVariables = Exact<{
  id: string;
}>;


export type TableSyncQuery = { dataset: { id: string, tableSync: { taskId: string, status: TaskStatus, tables: Array<string> | null, tablesCreated: number, tablesUpdated: number, tablesUnchanged: number, tablesDeleted: number, tablesRestored: number, error: string | null, requestedAt: string, finishedAt: string | null, failures: Array<{ table: string, reason: string }> } | null } | null };

export type SyncTablesMutationVariables = Exact<{
  input: SyncTablesInput;
}>;


export type SyncTablesMutation = { syncTables: { taskId: string, status: TaskStatus, tables: Array<string> | null, tablesCreated: number, tablesUpdated: number, tablesUnchanged: number, tablesDeleted: number, tablesRestored: number, error: string | null, requestedAt: string, finishedAt: string | null, failures: Array<{ table: string, reason: string }> } };

export type PreviewTableQueryVariables = Exact<{
  tableId: string;
  limit: number;
}>;


export type PreviewTableQuery = { previewTable: { tableId: string, rows: Array<unknown>, more: boolean, columns: Array<{ name: string, type: string }> } };

export type ProfileRunFieldsFragment = { taskId: string, status: TaskStatus, error: string | null, requestedAt: string, finishedAt: string | null };

export type ColumnStatsFieldsFragment = { name: string, nulls: number, distinct: number, min: unknown, max: unknown, topValues: Array<{ value: unknown, count: number }>, histogram: Array<{ low: number, high: number, count: number }> };

export type TableStatsQueryVariables = Exact<{
  id: string;
  withColumns: boolean;
}>;


export type TableStatsQuery = { table: { id: string, profileRun: { taskId: string, status: TaskStatus, error: string | null, requestedAt: string, finishedAt: string | null } | null, profile: { taskId: string, computedAt: string, rowCount: number, rowsScanned: number, filesRead: number, method: string, columns?: Array<{ name: string, nulls: number, distinct: number, min: unknown, max: unknown, topValues: Array<{ value: unknown, count: number }>, histogram: Array<{ low: number, high: number, count: number }> }> } | null } | null };

export type ProfileRunQueryVariables = Exact<{
  id: string;
}>;


export type ProfileRunQuery = { table: { id: string, profileRun: { taskId: string, status: TaskStatus, error: string | null, requestedAt: string, finishedAt: string | null } | null } | null };

export type ProfileTableMutationVariables = Exact<{
  input: ProfileTableInput;
}>;


export type ProfileTableMutation = { profileTable: { taskId: string, status: TaskStatus, error: string | null, requestedAt: string, finishedAt: string | null } };

export type NodeFieldsFragment = { id: string, kind: GlossaryNodeKind, label: string, description: string, adminTeam: string };

export type GlossariesQueryVariables = Exact<{ [key: string]: never; }>;


export type GlossariesQuery = { glossaries: { nodes: Array<{ id: string, kind: GlossaryNodeKind, label: string, description: string, adminTeam: string, children: { nodes: Array<{ id: string, kind: GlossaryNodeKind, label: string, description: string, adminTeam: string }> } }> } };

export type ChildrenQueryVariables = Exact<{
  id: string;
}>;


export type ChildrenQuery = { glossaryNode: { id: string, children: { nodes: Array<{ id: string, kind: GlossaryNodeKind, label: string, description: string, adminTeam: string }> } } | null };

export type TermQueryVariables = Exact<{
  id: string;
}>;


export type TermQuery = { glossaryNode: { version: number, id: string, kind: GlossaryNodeKind, label: string, description: string, adminTeam: string, links: { nodes: Array<{ id: string, targetId: string, targetKind: string, approved: boolean, createdBy: string, createdAt: string }> } } | null };

export type ApproveLinkMutationVariables = Exact<{
  linkId: string;
}>;


export type ApproveLinkMutation = { approveTermLink: { id: string, approved: boolean } };

export type DismissLinkMutationVariables = Exact<{
  linkId: string;
}>;


export type DismissLinkMutation = { dismissTermLink: boolean };

export type MeQueryVariables = Exact<{ [key: string]: never; }>;


export type MeQuery = { unreadNotificationCount: number, me: { username: string, teams: Array<string>, isAdmin: boolean, tenantPermissions: Array<string> } };

export type NotificationsQueryVariables = Exact<{ [key: string]: never; }>;


export type NotificationsQuery = { unreadNotificationCount: number, notifications: { nodes: Array<{ id: string, team: string, kind: string, message: string, targetId: string | null, read: boolean, createdAt: string }> } };

export type UnreadCountQueryVariables = Exact<{ [key: string]: never; }>;


export type UnreadCountQuery = { unreadNotificationCount: number };

export type MarkReadMutationVariables = Exact<{
  id: string;
}>;


export type MarkReadMutation = { markNotificationRead: boolean };

export type MarkAllReadMutationVariables = Exact<{ [key: string]: never; }>;


export type MarkAllReadMutation = { markAllNotificationsRead: number };

export type SearchQueryVariables = Exact<{
  query: string;
  filters: Array<SearchFilter> | SearchFilter;
  first?: number | null | undefined;
  after?: string | null | undefined;
}>;


export type SearchQuery = { search: { totalCount: number, everyWord: boolean, hits: Array<{ kind: SearchKind, id: string, name: string, label: string, snippet: string, datasetId: string | null }>, facets: Array<{ facet: SearchFacet, values: Array<{ value: string, count: number }> }>, pageInfo: { hasNextPage: boolean, endCursor: string | null } } };

export type SuggestQueryVariables = Exact<{
  prefix: string;
}>;


export type SuggestQuery = { suggest: Array<{ kind: SearchKind, id: string, text: string }> };

export type ShareFieldsFragment = { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> };

export type ShareSummaryFragment = { id: string, status: ShareRequestStatus, datasetId: string, teamName: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string } } | null, items: Array<{ id: string }> };

export type SharesSentQueryVariables = Exact<{ [key: string]: never; }>;


export type SharesSentQuery = { sharesSent: { nodes: Array<{ id: string, status: ShareRequestStatus, datasetId: string, teamName: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string } } | null, items: Array<{ id: string }> }> } };

export type SharesReceivedQueryVariables = Exact<{ [key: string]: never; }>;


export type SharesReceivedQuery = { sharesReceived: { nodes: Array<{ id: string, status: ShareRequestStatus, datasetId: string, teamName: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string } } | null, items: Array<{ id: string }> }> } };

export type ShareQueryVariables = Exact<{
  id: string;
}>;


export type ShareQuery = { shareRequest: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type RequestContextQueryVariables = Exact<{
  datasetId: string;
}>;


export type RequestContextQuery = { me: { teams: Array<string> }, environments: { nodes: Array<{ id: string, label: string, region: string, accountId: string }> }, dataset: { id: string, label: string, ownerTeam: { name: string }, tables: { nodes: Array<{ id: string, name: string }> }, folders: { nodes: Array<{ id: string, label: string, prefix: string }> } } | null };

export type CreateShareMutationVariables = Exact<{
  input: CreateShareRequestInput;
}>;


export type CreateShareMutation = { createShareRequest: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type AddShareItemMutationVariables = Exact<{
  input: AddShareItemInput;
}>;


export type AddShareItemMutation = { addShareItem: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type SubmitShareMutationVariables = Exact<{
  shareId: string;
}>;


export type SubmitShareMutation = { submitShareRequest: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type ApproveShareMutationVariables = Exact<{
  shareId: string;
}>;


export type ApproveShareMutation = { approveShareRequest: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type RejectShareMutationVariables = Exact<{
  shareId: string;
  reason: string;
}>;


export type RejectShareMutation = { rejectShareRequest: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type RevokeShareMutationVariables = Exact<{
  shareId: string;
}>;


export type RevokeShareMutation = { revokeShareItems: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type RequestExtensionMutationVariables = Exact<{
  shareId: string;
  expiresAt: string;
}>;


export type RequestExtensionMutation = { requestShareExtension: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type ApproveExtensionMutationVariables = Exact<{
  shareId: string;
}>;


export type ApproveExtensionMutation = { approveShareExtension: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type RejectExtensionMutationVariables = Exact<{
  shareId: string;
}>;


export type RejectExtensionMutation = { rejectShareExtension: { id: string, status: ShareRequestStatus, datasetId: string, environmentId: string, teamName: string, principalRoleArn: string, access: ShareAccessLevel, purpose: string, rejectReason: string | null, expiresAt: string | null, requestedExpiry: string | null, version: number, createdBy: string, createdAt: string, updatedAt: string, dataset: { id: string, label: string, ownerTeam: { name: string }, stewardsTeam: { name: string } | null } | null, items: Array<{ id: string, itemType: ShareItemType, targetId: string, status: ShareItemStatus, error: string | null, updatedAt: string, consumption: { glueDatabase: string | null, glueTable: string | null, accessPointAlias: string | null, bucket: string, region: string, s3Prefix: string | null, s3Uri: string | null } | null }> } };

export type DatasetAccessQueryVariables = Exact<{
  id: string;
  filter: ShareListFilter;
}>;


export type DatasetAccessQuery = { dataset: { id: string, teams: Array<{ team: string, permissions: Array<string> }> } | null, sharesReceived: { totalCount: number, nodes: Array<{ id: string, status: ShareRequestStatus, teamName: string, access: ShareAccessLevel, expiresAt: string | null, items: Array<{ id: string, status: ShareItemStatus }> }> } };

export type MyDatasetRequestsQueryVariables = Exact<{
  filter: ShareListFilter;
}>;


export type MyDatasetRequestsQuery = { sharesSent: { nodes: Array<{ id: string, status: ShareRequestStatus, teamName: string, expiresAt: string | null, updatedAt: string }> } };

export type StackFieldsFragment = { id: string, targetId: string, name: string, status: StackStatus, outputs: unknown, events: unknown, error: string | null, updatedAt: string };

export type StackQueryVariables = Exact<{
  targetId: string;
}>;


export type StackQuery = { stack: { id: string, targetId: string, name: string, status: StackStatus, outputs: unknown, events: unknown, error: string | null, updatedAt: string } };

export type UpdateStackMutationVariables = Exact<{
  input: UpdateStackInput;
}>;


export type UpdateStackMutation = { updateStack: { id: string, targetId: string, name: string, status: StackStatus, outputs: unknown, events: unknown, error: string | null, updatedAt: string } };

export type AccessCheckFieldsFragment = { taskId: string, status: TaskStatus, checked: string | null, error: string | null, requestedAt: string, checkedAt: string | null };

export type EnvironmentQueryVariables = Exact<{
  id: string;
}>;


export type EnvironmentQuery = { environment: { id: string, organizationId: string, label: string, description: string, tags: Array<string>, accountId: string, region: string, ownerTeam: string, type: EnvironmentType, resourcePrefix: string, pivotRoleName: string, pivotRoleArn: string, createdBy: string, createdAt: string, userRole: UserRole, organization: { id: string, label: string } | null, teams: Array<{ team: string, permissions: Array<string> }>, accessCheck: { taskId: string, status: TaskStatus, checked: string | null, error: string | null, requestedAt: string, checkedAt: string | null } | null } | null };

export type CheckEnvironmentAccessMutationVariables = Exact<{
  input: CheckEnvironmentAccessInput;
}>;


export type CheckEnvironmentAccessMutation = { checkEnvironmentAccess: { taskId: string, status: TaskStatus, checked: string | null, error: string | null, requestedAt: string, checkedAt: string | null } };

export type BootstrapTemplateQueryVariables = Exact<{
  environmentId: string;
}>;


export type BootstrapTemplateQuery = { environmentBootstrapTemplate: { stackName: string, template: string, missing: Array<string>, deployCommand: string, parameters: Array<{ key: string, value: string | null, description: string }> } };

export type InviteEnvironmentTeamMutationVariables = Exact<{
  input: InviteTeamToEnvironmentInput;
}>;


export type InviteEnvironmentTeamMutation = { inviteTeamToEnvironment: { team: string, permissions: Array<string> } };

export type RemoveEnvironmentTeamMutationVariables = Exact<{
  input: RemoveTeamFromEnvironmentInput;
}>;


export type RemoveEnvironmentTeamMutation = { removeTeamFromEnvironment: boolean };
