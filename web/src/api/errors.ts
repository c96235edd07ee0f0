// The API's closed set of error codes (extensions.code), mapped to one error type the UI
// switches on.
export type ErrorCode =
  | 'NOT_FOUND'
  | 'FORBIDDEN'
  | 'BAD_USER_INPUT'
  | 'CONFLICT'
  | 'UNAUTHENTICATED'
  | 'UNAVAILABLE'
  | 'INTERNAL'
  | 'NETWORK';

const KNOWN: ReadonlySet<string> = new Set([
  'NOT_FOUND',
  'FORBIDDEN',
  'BAD_USER_INPUT',
  'CONFLICT',
  'UNAUTHENTICATED',
  'UNAVAILABLE',
  'INTERNAL',
]);

export interface GraphQLErrorBody {
  message?: string;
  path?: (string | number)[];
  extensions?: { code?: string; field?: string; reason?: string; requestId?: string };
}

export class ApiError extends Error {
  readonly code: ErrorCode;
  /** The input field a BAD_USER_INPUT is about, e.g. `input.label`. */
  readonly field: string | undefined;
  /** A finer reason, e.g. `stale_version` for a concurrent edit. */
  readonly reason: string | undefined;
  readonly requestId: string | undefined;

  constructor(code: ErrorCode, message: string, opts: { field?: string; reason?: string; requestId?: string } = {}) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.field = opts.field;
    this.reason = opts.reason;
    this.requestId = opts.requestId;
  }

  get isStaleVersion(): boolean {
    return this.code === 'CONFLICT' && this.reason === 'stale_version';
  }

  /** The field name without the `input.` prefix, for matching form fields. */
  get fieldName(): string | undefined {
    return this.field?.replace(/^input\./, '');
  }
}

/** Maps one GraphQL error object to an ApiError. */
export function fromGraphQLError(e: GraphQLErrorBody): ApiError {
  const raw = e.extensions?.code ?? 'INTERNAL';
  const code = (KNOWN.has(raw) ? raw : 'INTERNAL') as ErrorCode;
  return new ApiError(code, e.message ?? 'Something went wrong', {
    field: e.extensions?.field,
    reason: e.extensions?.reason,
    requestId: e.extensions?.requestId,
  });
}

/** Maps an HTTP answer without a usable GraphQL body (proxy error, 5xx, 401) to an ApiError. */
export function fromHttpStatus(status: number, text: string): ApiError {
  if (status === 401) return new ApiError('UNAUTHENTICATED', 'Your session has ended; sign in again');
  if (status === 403) return new ApiError('FORBIDDEN', text || 'Forbidden');
  if (status === 404) return new ApiError('NOT_FOUND', text || 'Not found');
  if (status === 502 || status === 503 || status === 504)
    return new ApiError('UNAVAILABLE', 'lakecat is not reachable right now; try again in a moment');
  return new ApiError('INTERNAL', text || `Unexpected answer (HTTP ${status})`);
}

/** A short sentence for people, by code. */
export function describe(e: unknown): string {
  if (e instanceof ApiError) {
    switch (e.code) {
      case 'FORBIDDEN':
        return `You don't have permission to do that. ${e.message}`;
      case 'NOT_FOUND':
        return 'This no longer exists, or you cannot see it.';
      case 'UNAVAILABLE':
        // Not offered by this deployment (e.g. local users under an identity provider): the
        // API's own sentence says what instead.
        if (e.reason === 'not_offered') return e.message;
        return 'lakecat is not reachable right now; try again in a moment.';
      case 'NETWORK':
        return 'lakecat is not reachable right now; try again in a moment.';
      case 'INTERNAL':
        return `Something went wrong on our side${e.requestId ? ` (request ${e.requestId})` : ''}.`;
      default:
        return e.message;
    }
  }
  return e instanceof Error ? e.message : String(e);
}
