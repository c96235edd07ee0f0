import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { authorizeUrl, challengeS256, finishSignIn, keep, keepFresh, newVerifier, readCallback, refreshDelayMs, safeNext, type AuthConfig } from './oidc';
import { getToken, setToken } from './token';

class MemoryStorage {
  private m = new Map<string, string>();
  getItem(k: string) {
    return this.m.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    this.m.set(k, v);
  }
  removeItem(k: string) {
    this.m.delete(k);
  }
}

const config: Extract<AuthConfig, { mode: 'oidc' }> = {
  mode: 'oidc',
  issuer: 'https://id.example.com',
  clientId: 'lakecat-web',
  scopes: ['openid', 'email'],
  authorizationEndpoint: 'https://auth.example.com/oauth2/authorize',
  tokenEndpoint: 'https://auth.example.com/oauth2/token',
};

describe('PKCE (RFC 7636)', () => {
  it('computes the S256 challenge of the RFC 7636 appendix B verifier', async () => {
    expect(await challengeS256('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe('E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  });
  it('makes 43-character verifiers of unreserved characters, a new one each time', () => {
    const a = newVerifier();
    expect(a).toMatch(/^[A-Za-z0-9\-._~]{43}$/);
    expect(newVerifier()).not.toBe(a);
  });
  it('asks for the code with the S256 challenge, state, client and scopes', () => {
    const u = new URL(authorizeUrl(config.authorizationEndpoint!, { clientId: 'lakecat-web', redirectUri: 'https://lakecat.example.com/login/callback', scopes: ['openid', 'email'], state: 's1', challenge: 'c1' }));
    expect(u.origin + u.pathname).toBe('https://auth.example.com/oauth2/authorize');
    expect(Object.fromEntries(u.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'lakecat-web',
      redirect_uri: 'https://lakecat.example.com/login/callback',
      scope: 'openid email',
      state: 's1',
      code_challenge: 'c1',
      code_challenge_method: 'S256',
    });
  });
});

describe('the callback', () => {
  const pending = { state: 'st', verifier: 'v', redirectUri: 'https://x/login/callback', next: '/tables/t1' };
  it('takes the code only with the state this tab sent', () => {
    expect(readCallback('?code=abc&state=st', pending)).toEqual({ code: 'abc' });
    expect(readCallback('?code=abc&state=other', pending)).toHaveProperty('error');
    expect(readCallback('?code=abc&state=st', null)).toHaveProperty('error');
  });
  it("shows the provider's error", () => {
    expect(readCallback('?error=access_denied&error_description=User+cancelled&state=st', pending)).toEqual({ error: 'User cancelled' });
  });
  it('goes back only to paths of this site', () => {
    expect(safeNext('/tables/t1?x=1')).toBe('/tables/t1?x=1');
    expect(safeNext('//evil.example.com')).toBe('/search');
    expect(safeNext('https://evil.example.com')).toBe('/search');
    expect(safeNext(null)).toBe('/search');
  });
});

describe('token refresh', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    vi.useFakeTimers();
    vi.stubGlobal('sessionStorage', new MemoryStorage());
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
    setToken(null);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
    setToken(null);
  });

  it('refreshes at 80 % of the life and at least a minute before expiry, never within 5 s', () => {
    expect(refreshDelayMs(3600)).toBe(2_880_000);
    expect(refreshDelayMs(200)).toBe(140_000);
    expect(refreshDelayMs(60)).toBe(5000);
    expect(refreshDelayMs(0)).toBe(5000);
  });

  it('trades the code with the verifier, then keeps the session fresh with the refresh token', async () => {
    sessionStorage.setItem('lakecat.oidc.pending', JSON.stringify({ state: 'st', verifier: 'ver', redirectUri: 'https://x/login/callback', next: '/datasets/d1' }));
    fetchMock.mockResolvedValueOnce(new Response(JSON.stringify({ access_token: 'a1', id_token: 'id1', refresh_token: 'r1', expires_in: 3600 }), { status: 200 }));
    expect(await finishSignIn(config, '?code=c0&state=st')).toBe('/datasets/d1');
    const [url, init] = fetchMock.mock.calls[0] as [string, RequestInit];
    expect(url).toBe(config.tokenEndpoint);
    expect(Object.fromEntries(new URLSearchParams(init.body as string))).toEqual({
      grant_type: 'authorization_code',
      code: 'c0',
      redirect_uri: 'https://x/login/callback',
      client_id: 'lakecat-web',
      code_verifier: 'ver',
    });
    expect(getToken()).toBe('id1');
    // A replayed callback finds no pending sign-in.
    await expect(finishSignIn(config, '?code=c0&state=st')).rejects.toThrow(/not started here/);

    fetchMock.mockResolvedValue(new Response(JSON.stringify({ access_token: 'a2', id_token: 'id2', expires_in: 3600 }), { status: 200 }));
    const stop = keepFresh(config);
    await vi.advanceTimersByTimeAsync(2_879_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1000);
    expect(fetchMock).toHaveBeenCalledTimes(2);
    const body = new URLSearchParams((fetchMock.mock.calls[1] as [string, RequestInit])[1].body as string);
    expect(Object.fromEntries(body)).toEqual({ grant_type: 'refresh_token', refresh_token: 'r1', client_id: 'lakecat-web' });
    expect(getToken()).toBe('id2');
    // The provider kept the refresh token the same: the next refresh uses it again.
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ access_token: 'a3', id_token: 'id3', expires_in: 3600 }), { status: 200 }));
    await vi.advanceTimersByTimeAsync(2_880_000);
    expect(getToken()).toBe('id3');
    stop();
    await vi.advanceTimersByTimeAsync(10_000_000);
    expect(fetchMock).toHaveBeenCalledTimes(3);
  });

  it('stops refreshing when the provider refuses the refresh token', async () => {
    keep({ access_token: 'a', refresh_token: 'r', expires_in: 100 }, Date.now());
    fetchMock.mockResolvedValue(new Response(JSON.stringify({ error: 'invalid_grant' }), { status: 400 }));
    keepFresh(config);
    await vi.advanceTimersByTimeAsync(80_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(sessionStorage.getItem('lakecat.oidc.refresh')).toBeNull();
    await vi.advanceTimersByTimeAsync(1_000_000);
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });
});
