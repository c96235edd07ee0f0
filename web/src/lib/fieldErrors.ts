import { ApiError, describe } from '../api/errors';

/**
 * Splits a failed save into what goes under a form field (a BAD_USER_INPUT naming one of
 * `fields` in `extensions.field`) and what goes above the form (anything else).
 */
export function splitError(e: unknown, fields: readonly string[]): { fields: Record<string, string>; form: string | null } {
  if (e instanceof ApiError && e.code === 'BAD_USER_INPUT' && e.fieldName && fields.includes(e.fieldName)) {
    return { fields: { [e.fieldName]: e.message.replace(/^input\.\w+:\s*/, '') }, form: null };
  }
  return { fields: {}, form: describe(e) };
}
