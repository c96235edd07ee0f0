// Sign-in through an OpenID Connect provider, in a real browser against a real `lakecat serve`
// in oidc mode that serves the UI itself (its Content-Security-Policy included): the
// authorization code flow with PKCE (S256), the token refreshed before it expires, and a
// token the server refuses sending the user to sign in and back to the page they were on.
//
// The provider is `oidc-provider` (panva's certified OpenID Provider for Node.js) with its
// development sign-in pages: a public web client, PKCE required, RS256 ID tokens carrying a
// `groups` claim, rotating refresh tokens.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { REPO, freePort, launchBrowser } from './harness.mjs';

const CLIENT_ID = 'lakecat-web';

/** The identity provider on a free port; `state.lifetime` is the next tokens' life in seconds. */
async function startProvider(redirectUri) {
  const port = await freePort();
  const issuer = `http://localhost:${port}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const state = { lifetime: 3600, exchanges: 0, refreshes: 0, authorizations: [] };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        token_endpoint_auth_method: 'none',
        redirect_uris: [redirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'e2e-1', alg: 'RS256', use: 'sig' }] },
    cookies: { keys: ['lakecat-e2e-cookie-key'] },
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email'], profile: ['preferred_username', 'groups'] },
    conformIdTokenClaims: false,
    findAccount: (_ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, email: `${id}@example.com`, preferred_username: id, groups: ['sales-analytics'] }),
    }),
    issueRefreshToken: () => true,
    clientBasedCORS: () => true,
    ttl: { IdToken: () => state.lifetime, AccessToken: () => state.lifetime, RefreshToken: 24 * 3600, Interaction: 600, Session: 3600, Grant: 3600 },
  });
  provider.on('grant.success', (ctx) => {
    const grant = ctx.oidc.params?.grant_type;
    if (grant === 'authorization_code') state.exchanges += 1;
    if (grant === 'refresh_token') state.refreshes += 1;
  });
  provider.on('authorization.accepted', (ctx) => state.authorizations.push({ ...ctx.oidc.params }));
  const server = provider.listen(port, '127.0.0.1');
  await new Promise((ok) => server.once('listening', ok));
  return { issuer, state, close: () => server.close() };
}

let provider;
let lakecat;
let browser;
let tmp;

before(async () => {
  const bin = process.env.LAKECAT_BIN ?? join(REPO, 'target', 'debug', 'lakecat');
  tmp = mkdtempSync(join(tmpdir(), 'lakecat-oidc-'));
  const apiPort = await freePort();
  provider = await startProvider(`http://127.0.0.1:${apiPort}/login/callback`);
  const logPath = join(tmp, 'serve.log');
  const proc = spawn(bin, ['serve', '--data-dir', join(tmp, 'data'), '--listen', `127.0.0.1:${apiPort}`], {
    stdio: ['ignore', openSync(logPath, 'w'), openSync(logPath, 'a')],
    env: {
      ...process.env,
      LAKECAT_AUTH_MODE: 'oidc',
      LAKECAT_OIDC_ISSUER: provider.issuer,
      LAKECAT_WEB_CLIENT_ID: CLIENT_ID,
      LAKECAT_AUDIENCES: CLIENT_ID,
      LAKECAT_GROUPS_CLAIM: 'groups',
      LAKECAT_CURSOR_KEY: 'e2e-cursor-key-of-at-least-thirty-two-characters',
    },
  });
  const base = `http://127.0.0.1:${apiPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`lakecat serve exited: ${readFileSync(logPath, 'utf8')}`);
    try {
      if ((await fetch(`${base}/readyz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`lakecat serve not ready: ${readFileSync(logPath, 'utf8')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  lakecat = { base, proc, logPath };
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close().catch(() => {});
  lakecat?.proc.kill('SIGTERM');
  provider?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function newPage() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  // The provider's development pages import a web font from the internet, which this machine
  // cannot reach: refuse it at once rather than let the page's load wait for it.
  await context.route(/^https:\/\/fonts\.(googleapis|gstatic)\.com\//, (route) => route.abort());
  const page = await context.newPage();
  page.errors = [];
  // Only lakecat's pages count: the provider's development pages are not under test (and
  // their web font is refused).
  const ours = () => page.url().startsWith(lakecat.base);
  page.on('console', (m) => {
    if (m.type() === 'error' && ours()) page.errors.push(m.text());
  });
  page.on('pageerror', (e) => ours() && page.errors.push(e.message));
  return page;
}

/**
 * At the provider: signs in as `login` and consents when it asks (a provider session from an
 * earlier sign-in in this browser context skips both), until the browser is back at lakecat.
 */
async function atProvider(page, login = 'olivia') {
  // Left lakecat's sign-in page: at the provider, or already back (a redirect chain).
  await page.waitForURL((u) => !(u.origin === lakecat.base && u.pathname === '/login'));
  for (let i = 0; i < 6 && new URL(page.url()).origin !== lakecat.base; i++) {
    const field = page.locator('input[name=login]');
    const submit = page.locator('button[type=submit]').first(); // "Sign-in", then "Continue"
    await submit.waitFor();
    if (await field.count()) {
      // The development sign-in takes any login and any password.
      await field.fill(login);
      await page.locator('input[name=password]').fill('any password');
    }
    const here = page.url();
    await submit.click();
    await page.waitForURL((u) => u.href !== here, { waitUntil: 'commit' });
  }
  await page.waitForURL((u) => u.origin === lakecat.base);
}

/** Waits until `fn()` is true (polling), or fails with `what`. */
async function until(fn, what, ms = 15_000) {
  const deadline = Date.now() + ms;
  while (!(await fn())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('sign in with the identity provider (code + PKCE), then a refresh before the token expires', async () => {
  provider.state.lifetime = 6; // refreshed 5 s in (refreshDelayMs: never sooner than 5 s)
  const page = await newPage();
  await page.goto(`${lakecat.base}/glossary`);
  // Not signed in: the sign-in page, which offers the provider.
  await page.waitForURL(/\/login/);
  await page.getByRole('button', { name: 'Sign in with your organization' }).click();
  await atProvider(page);
  // Provider → callback → the page the user asked for, signed in as the token's user.
  await page.waitForURL(/\/glossary$/);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  await page.getByText('olivia', { exact: true }).first().waitFor();
  const [auth] = provider.state.authorizations;
  assert.equal(auth.code_challenge_method, 'S256');
  assert.ok(auth.code_challenge, 'a PKCE challenge was sent');
  assert.equal(auth.redirect_uri, `${lakecat.base}/login/callback`);
  assert.equal(provider.state.exchanges, 1, 'the code was exchanged once');
  // The UI trades its refresh token before the 6 s token runs out, and keeps working.
  await until(() => provider.state.refreshes >= 1, 'a refresh');
  await page.waitForTimeout(2000); // past the first token's expiry
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Discover' }).click();
  await page.waitForURL(/\/search/);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(page.url().includes('/login'), false, 'still signed in after the first token expired');
  assert.deepEqual(page.errors, [], 'console errors');
  await page.context().close();
});

test('a token the server refuses sends the user to sign in and back', async () => {
  provider.state.lifetime = 3600;
  const page = await newPage();
  await page.goto(`${lakecat.base}/login`);
  await page.getByRole('button', { name: 'Sign in with your organization' }).click();
  await atProvider(page);
  await page.waitForURL(/\/search/);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  // A token whose signature does not verify (as after a key rotation lakecat has not seen):
  // the next request is a 401.
  const before = provider.state.exchanges;
  await page.evaluate(() => {
    const [h, b] = (sessionStorage.getItem('lakecat.token') ?? 'x.y.z').split('.');
    sessionStorage.setItem('lakecat.token', `${h}.${b}.AAAA`);
  });
  await page.goto(`${lakecat.base}/glossary`);
  await page.waitForURL(/\/login/);
  await page.getByRole('button', { name: 'Sign in with your organization' }).click();
  await atProvider(page);
  await page.waitForURL(/\/glossary$/);
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
  assert.equal(provider.state.exchanges, before + 1);
  assert.deepEqual(
    page.errors.filter((e) => !/status of 401/.test(e)),
    [],
    'console errors',
  );
  await page.context().close();
});
