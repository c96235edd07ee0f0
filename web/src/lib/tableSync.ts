/** The fields of a finished sync the sentence reads. */
export interface SyncCounts {
  tables?: readonly string[] | null;
  tablesCreated: number;
  tablesUpdated: number;
  tablesUnchanged: number;
  tablesDeleted: number;
  tablesRestored: number;
  failures: readonly unknown[];
}

/** Tables named before "and N more". */
const NAMED = 3;

/**
 * What a finished sync did, in one sentence: "Synced <when>: 1 added, 2 updated, 5 unchanged."
 * A sync of some tables only (those Glue's events named) says which.
 */
export function syncOutcome(sync: SyncCounts, when: string): string {
  const names = sync.tables ?? null;
  let of = '';
  if (names && names.length > 0) {
    const shown = names.slice(0, NAMED).join(', ');
    const more = names.length > NAMED ? ` and ${names.length - NAMED} more` : '';
    of = ` (${names.length === 1 ? 'table' : 'tables'} ${shown}${more})`;
  }
  const parts = [`${sync.tablesCreated} added`, `${sync.tablesUpdated} updated`, `${sync.tablesUnchanged} unchanged`];
  if (sync.tablesDeleted > 0) parts.push(`${sync.tablesDeleted} gone from the lake`);
  if (sync.tablesRestored > 0) parts.push(`${sync.tablesRestored} back`);
  if (sync.failures.length > 0) parts.push(`${sync.failures.length} could not be read`);
  return `Synced ${when}${of}: ${parts.join(', ')}.`;
}
