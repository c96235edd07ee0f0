import { describe, expect, it } from 'vitest';
import { syncOutcome } from './tableSync';

const counts = { tablesCreated: 1, tablesUpdated: 2, tablesUnchanged: 5, tablesDeleted: 0, tablesRestored: 0, failures: [] };

describe('a sync in one sentence', () => {
  it('a whole dataset: what changed, and what went wrong only when something did', () => {
    expect(syncOutcome({ ...counts, tables: null }, '7 Dec 2026, 16:40')).toBe('Synced 7 Dec 2026, 16:40: 1 added, 2 updated, 5 unchanged.');
    expect(syncOutcome({ ...counts, tablesDeleted: 2, tablesRestored: 1, failures: [{}] }, 'now')).toBe(
      'Synced now: 1 added, 2 updated, 5 unchanged, 2 gone from the lake, 1 back, 1 could not be read.',
    );
  });
  it("the tables Glue's events named, the first three by name", () => {
    expect(syncOutcome({ ...counts, tables: ['order_lines'] }, 'now')).toBe('Synced now (table order_lines): 1 added, 2 updated, 5 unchanged.');
    expect(syncOutcome({ ...counts, tables: ['a', 'b', 'c', 'd', 'e'] }, 'now')).toBe('Synced now (tables a, b, c and 2 more): 1 added, 2 updated, 5 unchanged.');
  });
});
