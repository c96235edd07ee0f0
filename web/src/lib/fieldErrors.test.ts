import { describe, expect, it } from 'vitest';
import { ApiError } from '../api/errors';
import { splitError } from './fieldErrors';

describe('splitError', () => {
  it("puts a BAD_USER_INPUT under the field named by extensions.field", () => {
    const e = new ApiError('BAD_USER_INPUT', 'input.accountId: must be 12 digits', { field: 'input.accountId' });
    expect(splitError(e, ['label', 'accountId'])).toEqual({ fields: { accountId: 'must be 12 digits' }, form: null });
  });
  it('keeps errors about other fields, or without one, above the form', () => {
    const other = new ApiError('BAD_USER_INPUT', 'input.tags: too many', { field: 'input.tags' });
    expect(splitError(other, ['label'])).toEqual({ fields: {}, form: 'input.tags: too many' });
    expect(splitError(new ApiError('FORBIDDEN', 'no'), ['label']).form).toMatch(/permission/);
  });
});
