import { describe, expect, it } from 'vitest';
import { interpret } from './client';
import { ApiError, describe as describeError, fromGraphQLError, fromHttpStatus } from './errors';

describe('error mapping', () => {
  it('maps extensions.code, field and reason', () => {
    const e = fromGraphQLError({ message: 'must not be empty', extensions: { code: 'BAD_USER_INPUT', field: 'input.label', reason: 'invalid_value' } });
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.fieldName).toBe('label');
    expect(e.isStaleVersion).toBe(false);
  });
  it('recognises a stale edit', () => {
    const e = fromGraphQLError({ message: 'changed', extensions: { code: 'CONFLICT', reason: 'stale_version' } });
    expect(e.isStaleVersion).toBe(true);
  });
  it('maps an unknown code to INTERNAL', () => {
    expect(fromGraphQLError({ message: 'x', extensions: { code: 'WAT' } }).code).toBe('INTERNAL');
  });
  it('maps HTTP statuses without a GraphQL body', () => {
    expect(fromHttpStatus(401, '').code).toBe('UNAUTHENTICATED');
    expect(fromHttpStatus(502, '').code).toBe('UNAVAILABLE');
    expect(fromHttpStatus(500, 'boom').code).toBe('INTERNAL');
  });
  it('interpret returns data, or throws the first GraphQL error', () => {
    expect(interpret(200, { data: { a: 1 } })).toEqual({ a: 1 });
    expect(() => interpret(200, { data: null, errors: [{ message: 'sign in first', extensions: { code: 'UNAUTHENTICATED' } }] })).toThrow(ApiError);
    try {
      interpret(200, { data: null, errors: [{ message: 'nope', extensions: { code: 'FORBIDDEN' } }] });
    } catch (e) {
      expect((e as ApiError).code).toBe('FORBIDDEN');
    }
    expect(() => interpret(401, null)).toThrow(/sign in/);
  });
  it('describes errors for people', () => {
    expect(describeError(new ApiError('NOT_FOUND', 'x'))).toMatch(/no longer exists/);
    expect(describeError(new ApiError('INTERNAL', 'x', { requestId: 'r1' }))).toMatch(/r1/);
    // What this deployment does not offer is said as the API says it, not as an outage.
    const notOffered = 'users are managed in the identity provider (Cognito or OIDC) on this deployment';
    expect(describeError(new ApiError('UNAVAILABLE', notOffered, { reason: 'not_offered' }))).toBe(notOffered);
    expect(describeError(new ApiError('UNAVAILABLE', 'db down'))).toMatch(/not reachable/);
  });
});
