import { describe, expect, it } from 'vitest';
import { teamRole } from './access';

describe('teamRole', () => {
  it('names the owner and the stewards', () => {
    expect(teamRole({ team: 'sales', permissions: ['GET_DATASET', 'UPDATE_DATASET'] }, 'sales', 'gov')).toBe('owner');
    expect(teamRole({ team: 'gov', permissions: ['GET_DATASET', 'APPROVE_SHARE'] }, 'sales', 'gov')).toBe('stewards, approve requests');
    expect(teamRole({ team: 'sales', permissions: [] }, 'sales', 'sales')).toBe('owner; stewards, approve requests');
  });
  it('says what an invited team may do', () => {
    expect(teamRole({ team: 'fin', permissions: ['GET_DATASET'] }, 'sales', null)).toBe('can read its details');
    expect(teamRole({ team: 'fin', permissions: ['GET_DATASET', 'UPDATE_DATASET'] }, 'sales', null)).toBe('can edit');
    expect(teamRole({ team: 'fin', permissions: ['GET_DATASET', 'AUDIT_DATASET'] }, 'sales', null)).toBe('get dataset, audit dataset');
  });
});
