// Sign-in with an identity provider (Cognito hosted UI or any OIDC issuer): the OAuth 2.0
// authorization code flow with PKCE (RFC 7636, S256) for a public client, and the refresh
// token grant before the token expires. The server says which mode it runs in and which
// client to use (`GET /auth/config`); nothing here is a secret.
import { ApiError } from './errors';
import { setToken } from './token';

export type AuthConfig =
  | { mode: 'local' }
  | {
      mode: 'oidc';
      issuer: string;
      clientId: string | null;
      scopes: string[] | null;
      authorizationEndpoint: string | null;
      tokenEndpoint: string | null;
    };

export interface Endpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
}

/** What a token endpoint answers (RFC 6749 §5.1). */
export interface TokenAnswer {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  expires_in?: number;
  token_type?: string;
}

/** The sign-in in progress, kept across the redirect to the provider and back. */
export interface Pending {
  state: string;
  verifier: string;
  redirectUri: string;
  next: string;
}

/** The refreshable part of an OIDC session. */
export interface Refreshable {
  refreshToken: string;
  /** Epoch milliseconds at which the current token expires. */
  expiresAt: number;
}

const PENDING_KEY = 'lakecat.oidc.pending';
const REFRESH_KEY = 'lakecat.oidc.refresh';

export function base64url(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A code verifier: 32 random bytes, base64url (43 characters of the unreserved set). */
export function newVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: BASE64URL(SHA256(ASCII(verifier))). */
export async function challengeS256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The provider's authorize URL for this sign-in. */
export function authorizeUrl(endpoint: string, p: { clientId: string; redirectUri: string; scopes: string[]; state: string; challenge: string }): string {
  const u = new URL(endpoint);
  u.searchParams.set('response_type', 'code');
  u.searchParams.set('client_id', p.clientId);
  u.searchParams.set('redirect_uri', p.redirectUri);
  u.searchParams.set('scope', p.scopes.join(' '));
  u.searchParams.set('state', p.state);
  u.searchParams.set('code_challenge', p.challenge);
  u.searchParams.set('code_challenge_method', 'S256');
  return u.toString();
}

/**
 * Reads the provider's answer on the callback URL: the code when `state` is the one this
 * tab sent (else the answer belongs to another sign-in, or was forged), or the provider's
 * error.
 */
export function readCallback(search: string, pending: Pending | null): { code: string } | { error: string } {
  const q = new URLSearchParams(search);
  if (!pending) return { error: 'This sign-in was not started here; start again.' };
  if (q.get('state') !== pending.state) return { error: 'The answer from the identity provider does not match this sign-in; start again.' };
  const err = q.get('error');
  if (err) return { error: q.get('error_description') ?? err };
  const code = q.get('code');
  return code ? { code } : { error: 'The identity provider answered without a code.' };
}

/**
 * When to refresh a token that expires in `expiresInSec`: at 80 % of its life, and at least
 * a minute before it expires; never sooner than 5 s from now.
 */
export function refreshDelayMs(expiresInSec: number): number {
  const life = expiresInSec * 1000;
  return Math.max(5000, Math.min(life - 60_000, life * 0.8));
}

/** Only same-site paths: never bounce to another origin after sign-in. */
export function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/login') ? next : '/search';
}

let configPromise: Promise<AuthConfig> | null = null;

export function loadAuthConfig(): Promise<AuthConfig> {
  configPromise ??= fetch('/auth/config')
    .then((r) => {
      if (!r.ok) throw new ApiError('UNAVAILABLE', 'lakecat is not reachable right now; try again in a moment');
      return r.json() as Promise<AuthConfig>;
    })
    .catch((e: unknown) => {
      configPromise = null;
      throw e instanceof ApiError ? e : new ApiError('NETWORK', 'lakecat is not reachable right now');
    });
  return configPromise;
}

/** The configured endpoints, or the issuer's discovery document's. */
export async function endpoints(c: Extract<AuthConfig, { mode: 'oidc' }>): Promise<Endpoints> {
  if (c.authorizationEndpoint && c.tokenEndpoint) return { authorizationEndpoint: c.authorizationEndpoint, tokenEndpoint: c.tokenEndpoint };
  const r = await fetch(`${c.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!r.ok) throw new ApiError('UNAVAILABLE', 'The identity provider is not reachable right now.');
  const doc = (await r.json()) as { authorization_endpoint?: string; token_endpoint?: string };
  const authorizationEndpoint = c.authorizationEndpoint ?? doc.authorization_endpoint;
  const tokenEndpoint = c.tokenEndpoint ?? doc.token_endpoint;
  if (!authorizationEndpoint || !tokenEndpoint) throw new ApiError('UNAVAILABLE', 'The identity provider publishes no authorize or token endpoint.');
  return { authorizationEndpoint, tokenEndpoint };
}

function store(): Storage | null {
  try {
    return typeof sessionStorage === 'undefined' ? null : sessionStorage;
  } catch {
    return null;
  }
}

function read<T>(key: string): T | null {
  const raw = store()?.getItem(key);
  if (!raw) return null;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return null;
  }
}

export function callbackUri(): string {
  return `${window.location.origin}/login/callback`;
}

/** Starts a sign-in: remembers verifier, state and where to come back, then leaves for the provider. */
export async function startSignIn(c: Extract<AuthConfig, { mode: 'oidc' }>, next: string): Promise<void> {
  if (!c.clientId) throw new ApiError('UNAVAILABLE', 'Sign-in through the identity provider is not configured (LAKECAT_WEB_CLIENT_ID).');
  const ep = await endpoints(c);
  const pending: Pending = { state: newVerifier(), verifier: newVerifier(), redirectUri: callbackUri(), next };
  store()?.setItem(PENDING_KEY, JSON.stringify(pending));
  const challenge = await challengeS256(pending.verifier);
  window.location.assign(authorizeUrl(ep.authorizationEndpoint, { clientId: c.clientId, redirectUri: pending.redirectUri, scopes: c.scopes ?? ['openid'], state: pending.state, challenge }));
}

async function tokenRequest(tokenEndpoint: string, form: Record<string, string>): Promise<TokenAnswer> {
  let r: Response;
  try {
    r = await fetch(tokenEndpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() });
  } catch {
    throw new ApiError('NETWORK', 'The identity provider is not reachable right now.');
  }
  const body = (await r.json().catch(() => ({}))) as Partial<TokenAnswer> & { error?: string; error_description?: string };
  if (!r.ok || !body.access_token) throw new ApiError('UNAUTHENTICATED', body.error_description ?? body.error ?? `The identity provider refused the sign-in (HTTP ${r.status}).`);
  return body as TokenAnswer;
}

/** Keeps what a token answer gives: the bearer (the ID token when there is one: its audience is this client), the refresh token, the expiry. */
export function keep(t: TokenAnswer, now = Date.now()): void {
  setToken(t.id_token ?? t.access_token);
  const prev = read<Refreshable>(REFRESH_KEY);
  const refreshToken = t.refresh_token ?? prev?.refreshToken;
  if (refreshToken) store()?.setItem(REFRESH_KEY, JSON.stringify({ refreshToken, expiresAt: now + (t.expires_in ?? 3600) * 1000 } satisfies Refreshable));
}

/** Finishes a sign-in on the callback page; returns where to go. */
export async function finishSignIn(c: Extract<AuthConfig, { mode: 'oidc' }>, search: string): Promise<string> {
  const pending = read<Pending>(PENDING_KEY);
  store()?.removeItem(PENDING_KEY);
  const answer = readCallback(search, pending);
  if ('error' in answer) throw new ApiError('UNAUTHENTICATED', answer.error);
  const ep = await endpoints(c);
  const t = await tokenRequest(ep.tokenEndpoint, {
    grant_type: 'authorization_code',
    code: answer.code,
    redirect_uri: pending!.redirectUri,
    client_id: c.clientId ?? '',
    code_verifier: pending!.verifier,
  });
  keep(t);
  return safeNext(pending!.next);
}

/** Trades the refresh token for a fresh token. */
export async function refresh(c: Extract<AuthConfig, { mode: 'oidc' }>): Promise<void> {
  const r = read<Refreshable>(REFRESH_KEY);
  if (!r || !c.clientId) throw new ApiError('UNAUTHENTICATED', 'Your session has ended; sign in again');
  const ep = await endpoints(c);
  keep(await tokenRequest(ep.tokenEndpoint, { grant_type: 'refresh_token', refresh_token: r.refreshToken, client_id: c.clientId }));
}

export function forgetRefresh(): void {
  store()?.removeItem(REFRESH_KEY);
}

/**
 * Refreshes the token before it expires, again after each refresh, for as long as the
 * session lasts; returns a function that stops it. A failed refresh leaves the token to run
 * out: the next request's 401 sends the user to sign in and back.
 */
export function keepFresh(c: Extract<AuthConfig, { mode: 'oidc' }>, now = () => Date.now()): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const schedule = () => {
    const r = read<Refreshable>(REFRESH_KEY);
    if (!r || stopped) return;
    timer = globalThis.setTimeout(() => {
      refresh(c).then(schedule, () => forgetRefresh());
    }, refreshDelayMs(Math.max(0, (r.expiresAt - now()) / 1000)));
  };
  schedule();
  return () => {
    stopped = true;
    globalThis.clearTimeout(timer);
  };
}
