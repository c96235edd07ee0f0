// A small fetch-based GraphQL client: one POST per operation, Bearer token, errors mapped
// to ApiError. A 401 / UNAUTHENTICATED clears the token and calls the sign-in handler, so
// the user signs in and comes back where they were.
import { ApiError, fromGraphQLError, fromHttpStatus, type GraphQLErrorBody } from './errors';
import { getToken, setToken } from './token';

type Handler = () => void;
let onUnauthenticated: Handler = () => {};

export function setUnauthenticatedHandler(h: Handler): void {
  onUnauthenticated = h;
}

export interface GraphQLResponse<T> {
  data?: T | null;
  errors?: GraphQLErrorBody[];
}

/** Turns an HTTP status + parsed body into data or an ApiError (pure, unit-tested). */
export function interpret<T>(status: number, body: GraphQLResponse<T> | null, text = ''): T {
  if (body && Array.isArray(body.errors) && body.errors.length > 0) {
    throw fromGraphQLError(body.errors[0]);
  }
  if (status < 200 || status >= 300 || !body || body.data == null) {
    throw fromHttpStatus(status, text);
  }
  return body.data;
}

export async function gql<T, V = Record<string, never>>(query: string, variables?: V, signal?: AbortSignal): Promise<T> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const token = getToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch('/graphql', {
      method: 'POST',
      headers,
      body: JSON.stringify({ query, variables: variables ?? {} }),
      signal,
    });
  } catch (e) {
    if (e instanceof DOMException && e.name === 'AbortError') throw e;
    throw new ApiError('NETWORK', 'lakecat is not reachable right now');
  }
  const text = await res.text();
  let body: GraphQLResponse<T> | null = null;
  try {
    body = JSON.parse(text) as GraphQLResponse<T>;
  } catch {
    body = null;
  }
  try {
    return interpret(res.status, body, text);
  } catch (e) {
    if (e instanceof ApiError && e.code === 'UNAUTHENTICATED') {
      setToken(null);
      onUnauthenticated();
    }
    throw e;
  }
}

export interface LoginAnswer {
  token: string;
  expiresIn: number;
  tokenType: string;
}

/** Local sign-in: POST /auth/login. */
export async function login(username: string, password: string): Promise<void> {
  let res: Response;
  try {
    res = await fetch('/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    throw new ApiError('NETWORK', 'lakecat is not reachable right now');
  }
  const text = await res.text();
  let body: (Partial<LoginAnswer> & GraphQLResponse<unknown>) | null = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (res.ok && body?.token) {
    setToken(body.token);
    return;
  }
  if (body?.errors?.length) throw fromGraphQLError(body.errors[0]);
  throw fromHttpStatus(res.status, text);
}

export function logout(): void {
  setToken(null);
}
