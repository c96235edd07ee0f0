// The browser journeys against a real `lakecat serve --demo`: sign in, find, understand,
// curate (with a concurrent edit), request and grant access, notifications, keyboard-only
// search, no console errors, no serious axe violations, screenshots and measured figures.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { OUT, SHOTS, WEB, apiQuery, apiToken, startAll } from './harness.mjs';

const require = createRequire(import.meta.url);
const AXE = require.resolve('axe-core/axe.min.js');
const metrics = {};
let env;
let ctx;

async function newPage(viewport = { width: 1440, height: 900 }) {
  const context = await env.browser.newContext({ viewport });
  const page = await context.newPage();
  page.consoleErrors = [];
  page.on('console', (m) => {
    if (m.type() === 'error') page.consoleErrors.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => page.consoleErrors.push(`${page.url()}: ${e.message}`));
  return page;
}

function noConsoleErrors(page, allowed = []) {
  const errors = page.consoleErrors.filter((e) => !allowed.some((re) => re.test(e)));
  assert.deepEqual(errors, [], 'console errors');
}

async function signIn(page, username) {
  await page.goto(`${env.base}/login`);
  await page.getByLabel('Username').fill(username);
  await page.getByLabel('Password').fill('lakecat-demo');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

async function axe(page, name) {
  await page.addScriptTag({ path: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'best-practice'] }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    bad.map((v) => `${name}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    [],
    `axe violations on ${name}`,
  );
}

async function shot(page, name) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

before(async () => {
  env = await startAll();
  const ana = await apiToken(env.api, 'ana');
  const d = await apiQuery(env.api, ana, '{ datasets(first: 50) { nodes { id label ownerTeam { name } tables(first: 10) { nodes { id name } } } } }');
  const byLabel = (l) => d.datasets.nodes.find((n) => n.label === l);
  const own = byLabel('Sales Orders');
  const other = d.datasets.nodes.find((n) => n.ownerTeam.name === 'finance');
  // Which demo user owns which dataset: ana is sales-analytics, ben is finance.
  ctx = { anaToken: ana, own, ownTable: own.tables.nodes.find((t) => t.name === 'sales_orders'), other, approver: 'ben' };
});

after(async () => {
  mkdirSync(OUT, { recursive: true });
  writeFileSync(join(OUT, 'metrics.json'), JSON.stringify(metrics, null, 2));
  console.log(`metrics: ${JSON.stringify(metrics)}`);
  await env?.stop();
});

describe('lakecat web', () => {
  test('sign-in shows errors, then signs in and out', async () => {
    const page = await newPage();
    await page.goto(`${env.base}/datasets/${ctx.own.id}`);
    await page.waitForURL(/\/login\?next=/);
    await axe(page, 'login');
    await shot(page, 'login');
    await page.getByLabel('Username').fill('ana');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong username or password' }).waitFor();
    await page.getByLabel('Password').fill('lakecat-demo');
    await page.getByRole('button', { name: 'Sign in' }).click();
    // Back where the user was going.
    await page.getByRole('heading', { name: 'Sales Orders', level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login$/);
    noConsoleErrors(page, [/status of 401/]);
    await page.context().close();
  });

  test('search with a facet; highlights, chips, pagination, LCP and render time', async () => {
    const page = await newPage();
    await signIn(page, 'ana');
    await page.goto(`${env.base}/search?q=order`);
    const hits = page.getByTestId('hits').locator('li.hit');
    await hits.first().waitFor();
    const lcp = await page.evaluate(
      () =>
        new Promise((ok) => {
          new PerformanceObserver((l) => {
            const e = l.getEntries();
            ok(e[e.length - 1].startTime);
          }).observe({ type: 'largest-contentful-paint', buffered: true });
        }),
    );
    metrics.searchLcpMs = Math.round(lcp);
    await page.waitForFunction(() => performance.getEntriesByName('search:answer-to-shown').length > 0);
    metrics.searchAnswerToShownMs = await page.evaluate(() => Math.round(performance.getEntriesByName('search:answer-to-shown').at(-1).duration * 10) / 10);
    assert.ok(await page.locator('.hit-snippet mark').count() > 0, 'highlights');
    const before = await page.getByRole('heading', { name: /results/ }).textContent();
    await page.getByRole('button', { name: /^Columns/ }).click();
    await page.getByRole('button', { name: /Remove filter Kind: Column/ }).waitFor();
    await page.waitForFunction(() => !document.querySelector('.hits.stale'));
    const kinds = await page.locator('.hit .kind').allTextContents();
    assert.ok(kinds.length > 0 && kinds.every((k) => k === 'Column'), `only columns: ${kinds}`);
    assert.notEqual(await page.getByRole('heading', { name: /results/ }).textContent(), before);
    await axe(page, 'search');
    await shot(page, 'search');
    await page.getByRole('button', { name: /Remove filter Kind: Column/ }).click();
    await page.waitForFunction(() => !document.querySelector('[aria-label^="Remove filter"]'));
    // Pagination over everything visible.
    await page.goto(`${env.base}/search`);
    await page.getByRole('button', { name: 'Next →' }).click();
    await page.getByText(/Page 2 of/).waitFor();
    // An empty state that helps.
    await page.goto(`${env.base}/search?q=zzzqqq`);
    await page.getByText(/Nothing matches/).waitFor();
    noConsoleErrors(page);
    await page.context().close();
  });

  test('search with the keyboard only', async () => {
    const page = await newPage();
    await signIn(page, 'ana');
    await page.goto(`${env.base}/search`);
    // Skip link first, then the nav: Tab until the search box has focus.
    for (let i = 0; i < 15; i++) {
      await page.keyboard.press('Tab');
      if (await page.evaluate(() => document.activeElement?.id === 'search-input')) break;
    }
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'search-input');
    await page.keyboard.type('sales_');
    const box = page.getByRole('combobox');
    await page.getByRole('listbox', { name: 'Suggestions' }).waitFor();
    await page.keyboard.press('ArrowDown');
    assert.ok(await box.getAttribute('aria-activedescendant'));
    await page.keyboard.press('Escape');
    assert.equal(await box.getAttribute('aria-expanded'), 'false');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=sales_/);
    await page.locator('li.hit').first().waitFor();
    // Tab into the filters and toggle one with Space.
    await page.keyboard.press('Tab');
    let onCheckbox = false;
    for (let i = 0; i < 12 && !onCheckbox; i++) {
      await page.keyboard.press('Tab');
      onCheckbox = await page.evaluate(() => document.activeElement?.getAttribute('type') === 'checkbox');
    }
    assert.ok(onCheckbox, 'a facet checkbox is reachable by Tab');
    await page.keyboard.press('Space');
    await page.waitForURL(/f=/);
    // Suggestion chosen with arrows + Enter opens the entity.
    await box.focus();
    await box.fill('');
    await page.keyboard.type('sales_ord');
    await page.getByRole('option').first().waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/(tables|datasets)\//);
    noConsoleErrors(page);
    await page.context().close();
  });

  test('understand a dataset and edit a column description', async () => {
    const page = await newPage();
    await signIn(page, 'ana');
    await page.goto(`${env.base}/datasets/${ctx.own.id}`);
    await page.getByRole('heading', { name: 'Tables' }).waitFor();
    await page.getByRole('heading', { name: 'On AWS' }).waitFor();
    await axe(page, 'dataset');
    await shot(page, 'dataset');
    await page.getByRole('link', { name: 'sales_orders' }).click();
    await page.getByRole('heading', { name: 'sales_orders', level: 1 }).waitFor();
    await page.getByRole('button', { name: /order_id/ }).click();
    await page.getByRole('button', { name: 'Edit column description' }).click();
    await page.getByLabel('Column description').fill('Unique order number, assigned by the order service');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.locator('.column-pane').getByText('assigned by the order service').waitFor();
    await page.getByTestId('columns').getByText('assigned by the order service').waitFor();
    await axe(page, 'table');
    await shot(page, 'table');
    noConsoleErrors(page);
    await page.context().close();
  });

  test('a concurrent edit shows the conflict and the retry wins', async () => {
    const page = await newPage();
    await signIn(page, 'ana');
    await page.goto(`${env.base}/tables/${ctx.ownTable.id}`);
    await page.getByRole('button', { name: /customer_id/ }).click();
    await page.getByRole('button', { name: 'Edit column description' }).click();
    await page.getByLabel('Column description').fill('Mine: the customer who ordered');
    // Someone else saves first.
    const col = (await apiQuery(env.api, ctx.anaToken, '{ columns(tableId: "' + ctx.ownTable.id + '", first: 10) { nodes { id name version } } }')).columns.nodes.find((c) => c.name === 'customer_id');
    await apiQuery(env.api, ctx.anaToken, 'mutation($i: UpdateColumnInput!) { updateColumn(input: $i) { version } }', { i: { id: col.id, expectedVersion: col.version, description: 'Theirs: customer key' } });
    await page.getByRole('button', { name: 'Save' }).click();
    const conflict = page.getByTestId('conflict');
    await conflict.waitFor();
    assert.match(await conflict.textContent(), /Theirs: customer key/);
    assert.match(await conflict.textContent(), /Mine: the customer who ordered/);
    await shot(page, 'conflict');
    await page.getByRole('button', { name: 'Save mine over it' }).click();
    await conflict.waitFor({ state: 'detached' });
    await page.locator('.column-pane .editable-value').getByText('Mine: the customer who ordered').waitFor();
    noConsoleErrors(page);
    await page.context().close();
  });

  test('request access as ana, approve as the owner team, see the grant and notifications', async () => {
    const page = await newPage();
    await signIn(page, 'ana');
    await page.goto(`${env.base}/datasets/${ctx.other.id}`);
    await page.getByRole('link', { name: 'Request access' }).click();
    await page.getByRole('heading', { name: /Request access to/ }).waitFor();
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.getByText('Choose at least one table').waitFor();
    await page.locator('input[id^="item-t:"]').first().check();
    await page.getByLabel('Purpose').fill('Quarterly revenue reconciliation');
    await axe(page, 'request-access');
    await shot(page, 'request-access');
    await page.getByRole('button', { name: 'Submit request' }).click();
    await page.waitForURL(/\/shares\/shr_/);
    const shareUrl = page.url();
    assert.equal(await page.getByTestId('share-status').textContent(), 'Submitted');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, ctx.approver);
    // The owner team was notified.
    await page.getByTestId('unread-count').waitFor();
    await page.getByRole('link', { name: /Notifications, \d+ unread/ }).click();
    await page.getByTestId('notifications').locator('li.unread').first().waitFor();
    await axe(page, 'notifications');
    await shot(page, 'notifications');
    await page.getByRole('link', { name: 'Approvals' }).click();
    await page.getByRole('link', { name: ctx.other.label }).first().waitFor();
    await shot(page, 'approvals');
    await page.goto(shareUrl);
    await page.getByRole('button', { name: 'Approve' }).click();
    await page.waitForFunction(() => document.querySelector('[data-testid="share-status"]')?.textContent === 'Processed', null, { timeout: 20_000 });
    await page.getByTestId('consumption').waitFor();
    await axe(page, 'share');
    await page.getByRole('button', { name: 'Sign out' }).click();

    await signIn(page, 'ana');
    await page.getByTestId('unread-count').waitFor();
    await page.goto(`${env.base}/notifications`);
    await page.getByTestId('notifications').locator('li.unread').first().waitFor();
    const unread = await page.getByTestId('notifications').locator('li.unread').count();
    assert.ok(unread > 0);
    await page.getByRole('button', { name: 'Mark read' }).first().click();
    await page.waitForFunction((n) => document.querySelectorAll('[data-testid="notifications"] li.unread').length === n - 1, unread);
    await page.getByRole('link', { name: 'My requests' }).click();
    await page.getByRole('link', { name: ctx.other.label }).first().click();
    await page.getByTestId('consumption').waitFor();
    assert.equal(await page.getByTestId('share-status').textContent(), 'Processed');
    await shot(page, 'share-granted');
    noConsoleErrors(page);
    await page.context().close();
  });

  test('glossary and term pages', async () => {
    const page = await newPage();
    await signIn(page, 'carla');
    await page.goto(`${env.base}/glossary`);
    await page.getByRole('link', { name: 'Net Revenue' }).click();
    await page.getByRole('heading', { name: 'Linked data' }).waitFor();
    await axe(page, 'term');
    await page.goto(`${env.base}/glossary`);
    await axe(page, 'glossary');
    await shot(page, 'glossary');
    noConsoleErrors(page);
    await page.context().close();
  });

  test('the search page ships a small initial bundle', () => {
    const html = readFileSync(join(WEB, 'dist', 'index.html'), 'utf8');
    const files = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1]);
    const bytes = files.reduce((n, f) => n + gzipSync(readFileSync(join(WEB, 'dist', f)), { level: 9 }).length, 0);
    metrics.searchInitialJsGzipKB = Math.round(bytes / 102.4) / 10;
    assert.ok(bytes <= 200 * 1024, `initial JS ${bytes} B gzipped`);
  });
});
