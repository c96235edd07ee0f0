import { describe, expect, it } from 'vitest';
import { parseEvents, stackIsSettling, stackTone } from './stacks';

describe('stack status', () => {
  it('a queued or running deploy is settling, a finished one is not', () => {
    expect(stackIsSettling('PENDING')).toBe(true);
    expect(stackIsSettling('UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')).toBe(true);
    expect(stackIsSettling('CREATE_COMPLETE')).toBe(false);
    expect(stackIsSettling('ROLLBACK_COMPLETE')).toBe(false);
  });
  it('a rollback is bad news even when complete', () => {
    expect(stackTone('CREATE_COMPLETE')).toBe('ok');
    expect(stackTone('UPDATE_COMPLETE')).toBe('ok');
    expect(stackTone('ROLLBACK_COMPLETE')).toBe('bad');
    expect(stackTone('UPDATE_ROLLBACK_COMPLETE')).toBe('bad');
    expect(stackTone('CREATE_FAILED')).toBe('bad');
    expect(stackTone('CREATE_IN_PROGRESS')).toBe('info');
    expect(stackTone('DELETE_COMPLETE')).toBe('warn');
  });
});

describe('stack events', () => {
  it('reads the API shape and leaves malformed entries out', () => {
    const events = parseEvents([
      { timestamp: '2026-12-07T10:00:00Z', logical_id: 'Bucket', resource_type: 'AWS::S3::Bucket', status: 'CREATE_FAILED', reason: 'bucket exists' },
      { timestamp: '2026-12-07T10:00:01Z', logical_id: 'Stack', resource_type: 'AWS::CloudFormation::Stack', status: 'ROLLBACK_COMPLETE', reason: '' },
      { logical_id: 7, status: 'X' },
      null,
      'text',
    ]);
    expect(events).toEqual([
      { timestamp: '2026-12-07T10:00:00Z', logicalId: 'Bucket', resourceType: 'AWS::S3::Bucket', status: 'CREATE_FAILED', reason: 'bucket exists' },
      { timestamp: '2026-12-07T10:00:01Z', logicalId: 'Stack', resourceType: 'AWS::CloudFormation::Stack', status: 'ROLLBACK_COMPLETE', reason: null },
    ]);
    expect(parseEvents({})).toEqual([]);
    expect(parseEvents(null)).toEqual([]);
  });
});
