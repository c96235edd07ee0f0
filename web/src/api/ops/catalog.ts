export const DATASET = /* GraphQL */ `
  query Dataset($id: String!) {
    dataset(id: $id) {
      id
      label
      slug
      description
      ownerTeam {
        name
      }
      stewardsTeam {
        name
      }
      organization {
        id
        label
      }
      environment {
        id
        label
        region
      }
      environmentId
      confidentiality
      secretPreview
      visibility
      topics
      tags
      autoApproval
      imported
      version
      userRole
      createdBy
      createdAt
      updatedAt
      tableCount
      upvotes
      hasUpvoted
      aws {
        accountId
        region
        bucket
        glueDatabase
        kmsAlias
        adminRoleArn
      }
      terms {
        id
        approved
        term {
          id
          label
        }
      }
      tables(first: 100) {
        nodes {
          id
          name
          label
          description
          format
          columnCount
          tags
        }
      }
      folders(first: 100) {
        nodes {
          id
          label
          prefix
          description
          tags
        }
      }
    }
  }
`;

export const TABLE = /* GraphQL */ `
  query Table($id: String!) {
    table(id: $id) {
      id
      datasetId
      dataset {
        id
        label
        userRole
      }
      name
      label
      location
      format
      description
      tags
      version
      columnCount
      upvotes
      updatedAt
      deletedAt
      terms {
        id
        approved
        term {
          id
          label
        }
      }
    }
  }
`;

export const COLUMN_FIELDS = /* GraphQL */ `
  fragment ColumnFields on Column {
    id
    tableId
    name
    type
    isPartition
    position
    description
    tags
    classification
    version
  }
`;

export const COLUMNS = /* GraphQL */ `
  query Columns($tableId: String!, $after: String) {
    columns(tableId: $tableId, first: 100, after: $after) {
      nodes {
        ...ColumnFields
      }
      pageInfo {
        hasNextPage
        endCursor
      }
    }
  }
  ${COLUMN_FIELDS}
`;

export const COLUMN = /* GraphQL */ `
  query Column($id: String!) {
    column(id: $id) {
      ...ColumnFields
    }
  }
  ${COLUMN_FIELDS}
`;

export const UPDATE_DATASET = /* GraphQL */ `
  mutation UpdateDataset($input: UpdateDatasetInput!) {
    updateDataset(input: $input) {
      id
      description
      tags
      secretPreview
      version
    }
  }
`;

export const UPDATE_TABLE = /* GraphQL */ `
  mutation UpdateTable($input: UpdateTableInput!) {
    updateTable(input: $input) {
      id
      description
      tags
      version
    }
  }
`;

export const UPDATE_COLUMN = /* GraphQL */ `
  mutation UpdateColumn($input: UpdateColumnInput!) {
    updateColumn(input: $input) {
      ...ColumnFields
    }
  }
  ${COLUMN_FIELDS}
`;

export const FEED = /* GraphQL */ `
  query Feed($targetId: String!) {
    feed(targetId: $targetId, first: 50) {
      nodes {
        id
        author
        body
        createdAt
      }
    }
  }
`;

export const POST_FEED = /* GraphQL */ `
  mutation PostFeed($input: PostFeedMessageInput!) {
    postFeedMessage(input: $input) {
      id
      author
      body
      createdAt
    }
  }
`;

export const UPVOTE = /* GraphQL */ `
  mutation Upvote($input: UpvoteInput!) {
    upvote(input: $input) {
      upvotes
      hasUpvoted
    }
  }
`;

export const TABLE_SYNC_FIELDS = /* GraphQL */ `
  fragment TableSyncFields on TableSync {
    taskId
    status
    tables
    tablesCreated
    tablesUpdated
    tablesUnchanged
    tablesDeleted
    tablesRestored
    failures {
      table
      reason
    }
    error
    requestedAt
    finishedAt
  }
`;

export const TABLE_SYNC = /* GraphQL */ `
  query TableSync($id: String!) {
    dataset(id: $id) {
      id
      tableSync {
        ...TableSyncFields
      }
    }
  }
  ${TABLE_SYNC_FIELDS}
`;

export const SYNC_TABLES = /* GraphQL */ `
  mutation SyncTables($input: SyncTablesInput!) {
    syncTables(input: $input) {
      ...TableSyncFields
    }
  }
  ${TABLE_SYNC_FIELDS}
`;

export const PREVIEW_TABLE = /* GraphQL */ `
  query PreviewTable($tableId: String!, $limit: Int!) {
    previewTable(tableId: $tableId, limit: $limit) {
      tableId
      columns {
        name
        type
      }
      rows
      more
    }
  }
`;

export const PROFILE_RUN_FIELDS = /* GraphQL */ `
  fragment ProfileRunFields on TableProfileRun {
    taskId
    status
    error
    requestedAt
    finishedAt
  }
`;

export const COLUMN_STATS_FIELDS = /* GraphQL */ `
  fragment ColumnStatsFields on ColumnStats {
    name
    nulls
    distinct
    min
    max
    topValues {
      value
      count
    }
    histogram {
      low
      high
      count
    }
  }
`;

/**
 * A table's latest profile run and, for those who may read its data, its statistics; the
 * columns' only `withColumns` (a 10,000-column profile is megabytes: loaded on request).
 */
export const TABLE_STATS = /* GraphQL */ `
  query TableStats($id: String!, $withColumns: Boolean!) {
    table(id: $id) {
      id
      profileRun {
        ...ProfileRunFields
      }
      profile {
        taskId
        computedAt
        rowCount
        rowsScanned
        filesRead
        method
        columns @include(if: $withColumns) {
          ...ColumnStatsFields
        }
      }
    }
  }
  ${PROFILE_RUN_FIELDS}
  ${COLUMN_STATS_FIELDS}
`;

/** The run alone, read again while it is PENDING or RUNNING (the statistics can be large). */
export const PROFILE_RUN = /* GraphQL */ `
  query ProfileRun($id: String!) {
    table(id: $id) {
      id
      profileRun {
        ...ProfileRunFields
      }
    }
  }
  ${PROFILE_RUN_FIELDS}
`;

export const PROFILE_TABLE = /* GraphQL */ `
  mutation ProfileTable($input: ProfileTableInput!) {
    profileTable(input: $input) {
      ...ProfileRunFields
    }
  }
  ${PROFILE_RUN_FIELDS}
`;
