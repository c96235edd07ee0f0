import { describe, expect, it } from 'vitest';
import { visibleRange } from './virtual';
import { shareTimeline } from './timeline';

describe('visibleRange', () => {
  it('renders only the rows in view plus overscan, even for 10,000 rows', () => {
    const r = visibleRange(52 * 5000, 520, 52, 10000, 5);
    expect(r).toEqual({ start: 4995, end: 5015 });
  });
  it('clamps at both ends', () => {
    expect(visibleRange(0, 520, 52, 3)).toEqual({ start: 0, end: 3 });
    expect(visibleRange(-10, 520, 52, 0)).toEqual({ start: 0, end: 0 });
  });
});

describe('shareTimeline', () => {
  it('marks the current step', () => {
    expect(shareTimeline('SUBMITTED').map((s) => s.state)).toEqual(['done', 'current', 'todo', 'todo', 'todo']);
  });
  it('ends a rejected request at Rejected', () => {
    expect(shareTimeline('REJECTED').at(-1)).toEqual({ label: 'Rejected', state: 'failed' });
  });
  it('shows a granted request as complete', () => {
    expect(shareTimeline('PROCESSED').every((s) => s.state === 'done')).toBe(true);
  });
});
