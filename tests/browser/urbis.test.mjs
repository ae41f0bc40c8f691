// Browser tests for Urbis: real Chromium against a real server with a fresh
// demo database. One test walks the site with JavaScript on and runs axe-core
// on every page it sees; the other does the core journeys with JavaScript off,
// as the site is meant to work without it.
//
//   cd tests/browser && npm ci && node --test
//
// Env: URBIS_BIN (server binary, default ../../target/debug/urbis),
//      CHROMIUM (browser, default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const URBIS_BIN = process.env.URBIS_BIN || resolve(here, '../../target/debug/urbis');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const PASSWORD = 'urbis-demo-password';
const PROGRAMME = '/programmes/digital-innovation-initiative';
const AXE_OPTIONS = {
  runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
};
const INVITE_LINK = /\/invitations\/([0-9a-f]{64})\b/;

let server; // child process
let serverLog = '';
let workDir;
let baseURL;
let browser;

// ---------------------------------------------------------------- server

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.unref();
    s.on('error', fail);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

function logTail() {
  return serverLog.slice(-4000);
}

async function startServer() {
  workDir = mkdtempSync(join(tmpdir(), 'urbis-browser-'));
  const port = await freePort();
  baseURL = `http://127.0.0.1:${port}`;
  server = spawn(
    URBIS_BIN,
    ['serve', '--demo', '--bind', `127.0.0.1:${port}`, '--database-url', `sqlite://${join(workDir, 'urbis.db')}`],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } },
  );
  const keep = (chunk) => {
    serverLog = (serverLog + chunk).slice(-64_000);
  };
  server.stdout.on('data', keep);
  server.stderr.on('data', keep);
  let exited = null;
  server.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  server.on('error', (e) => {
    exited = { error: e.message };
  });

  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (exited) {
      throw new Error(`urbis (${URBIS_BIN}) exited before it was ready: ${JSON.stringify(exited)}\n${logTail()}`);
    }
    try {
      const r = await fetch(`${baseURL}/readyz`, { signal: AbortSignal.timeout(2000) });
      if (r.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`urbis was not ready on ${baseURL}/readyz within 60 s\n${logTail()}`);
}

async function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) {
    const gone = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    const timer = setTimeout(() => server.kill('SIGKILL'), 5000);
    await gone;
    clearTimeout(timer);
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
}

// Last resort if the runner dies without running `after`.
process.on('exit', () => {
  if (server && server.exitCode === null) server.kill('SIGKILL');
});

before(async () => {
  await startServer();
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});

after(async () => {
  try {
    if (browser) await browser.close();
  } finally {
    await stopServer();
  }
});

// ---------------------------------------------------------------- helpers

/** Waits for the navigation a click (or form submit) causes; returns its final response. */
async function submit(page, locator) {
  const [response] = await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), locator.click()]);
  return response;
}

async function signIn(page, email) {
  await page.goto('/login');
  await page.locator('#field-email').fill(email);
  await page.locator('#field-password').fill(PASSWORD);
  const response = await submit(page, page.locator('main').getByRole('button', { name: 'Sign in' }));
  assert.equal(response.status(), 200, `signing in as ${email}`);
  await assertSignedIn(page);
  return response;
}

async function assertSignedIn(page, name) {
  const account = page.getByRole('navigation', { name: 'Account' });
  assert.equal(await account.getByRole('button', { name: 'Sign out' }).count(), 1, `signed in on ${page.url()}`);
  if (name) {
    assert.equal(await account.getByRole('link', { name: `Your account (${name})` }).count(), 1, `signed in as ${name}`);
  }
}

async function inviteLinkFrom(page) {
  const field = page.locator('.copy-field');
  assert.equal(await field.count(), 1, `invitation link shown on ${page.url()}`);
  const text = await field.textContent();
  const m = INVITE_LINK.exec(text);
  assert.ok(m, `invitation link in .copy-field: ${text}`);
  return `/invitations/${m[1]}`;
}

function formatViolations(found) {
  return found
    .map(({ label, url, violations }) =>
      [
        `${label} <${url}>:`,
        ...violations.map((v) =>
          [
            `  - ${v.id} [${v.impact}] ${v.help}`,
            ...v.nodes.map((n) => `      at ${n.target.join(' ')}${n.failureSummary ? `\n         ${n.failureSummary.replace(/\n/g, '\n         ')}` : ''}`),
            `      ${v.helpUrl}`,
          ].join('\n'),
        ),
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Runs axe-core on whatever the page shows now and records any violation.
 */
function a11yChecker() {
  const found = [];
  const pages = [];
  let asserted = false;
  async function check(page, label) {
    const hasAxe = await page.evaluate(() => typeof window.axe !== 'undefined');
    if (!hasAxe) await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate((opts) => window.axe.run(document, opts), AXE_OPTIONS);
    pages.push(label);
    const violations = result.violations;
    if (violations.length) found.push({ label, url: page.url().replace(baseURL, ''), violations });
  }
  function assertClean() {
    asserted = true;
    assert.ok(pages.length > 0, 'axe ran on at least one page');
    assert.equal(found.length, 0, `axe-core found accessibility violations:\n${formatViolations(found)}`);
  }
  function report(t) {
    t.diagnostic(`axe-core checked ${pages.length} pages: ${pages.join(', ')}`);
    // If the journey failed before assertClean, still show what axe found so far.
    if (!asserted && found.length) for (const line of formatViolations(found).split('\n')) t.diagnostic(line);
  }
  return { check, assertClean, report };
}

async function newContext(options = {}) {
  return browser.newContext({ baseURL, locale: 'en-GB', ...options });
}

// ---------------------------------------------------------------- tests

test('pages are accessible (axe-core) along the main journeys, JavaScript on', { timeout: 600_000 }, async (t) => {
  const axe = a11yChecker();
  const contexts = [];
  const ctx = async () => {
    const c = await newContext({ bypassCSP: true });
    contexts.push(c);
    return c.newPage();
  };
  try {
    // --- Public pages, signed out.
    const page = await ctx();

    let r = await page.goto('/');
    assert.equal(r.status(), 200);
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');
    await axe.check(page, 'home');

    r = await page.goto('/programmes');
    assert.equal(r.status(), 200);
    assert.ok(await page.locator(`a[href="${PROGRAMME}"]`).count() > 0, 'programmes list links the programme');
    await axe.check(page, 'programmes');

    r = await page.goto(PROGRAMME);
    assert.equal(r.status(), 200);
    assert.ok(await page.locator('svg').count(), 'programme page has the SVG map');
    assert.ok(await page.locator('table tbody tr').count(), 'programme page has the cohort table');
    await page.screenshot({ path: '/tmp/urbis-programme.png', fullPage: true });
    await axe.check(page, 'programme');

    // Diagnostic pages (the demo publishes sample assessments for t0 and t1).
    r = await page.goto(`${PROGRAMME}/diagnostic`);
    assert.equal(r.status(), 200);
    assert.ok((await page.locator('svg.heat-map[role="img"] title').count()) === 1, 'heat map has a title');
    assert.ok((await page.locator('table tbody tr').count()) >= 21, 'cohort table lists the cities');
    await axe.check(page, 'cohort diagnostic');
    r = await page.goto(`${PROGRAMME}/diagnostic?wave=t0`);
    await axe.check(page, 'cohort diagnostic t0');
    // Services (the demo publishes a labelled sample service for each participating city).
    r = await page.goto(`${PROGRAMME}/services`);
    assert.equal(r.status(), 200);
    assert.equal(await page.locator('table.matrix tbody tr').count(), 5, 'one matrix row per focus area');
    await axe.check(page, 'cohort services');
    r = await page.goto(`${PROGRAMME}/results`);
    assert.equal(r.status(), 200);
    assert.ok((await page.locator('main table').nth(1).locator('tbody tr').count()) >= 21, 'every indicator listed');
    await page.screenshot({ path: '/tmp/urbis-results.png', fullPage: true });
    await axe.check(page, 'cohort results');
    r = await page.goto('/cities/riga/service');
    assert.equal(r.status(), 200);
    assert.match(new URL(page.url()).pathname, /^\/services\//, 'the city link leads to its service');
    assert.ok((await page.locator('svg.line-chart[role="img"] title').count()) >= 1, 'indicator charts have titles');
    await page.screenshot({ path: '/tmp/urbis-service.png', fullPage: true });
    await axe.check(page, 'service timeline');
    {
      // Every measurement of an indicator, a page at a time.
      const indicator = (await page.locator('section.indicator h3').first().getAttribute('id')).replace(/^indicator-/, '');
      r = await page.goto(`/indicators/${indicator}/measurements`);
      assert.equal(r.status(), 200);
      assert.ok((await page.locator('main table tbody tr').count()) >= 1, 'the measurements are listed');
      await axe.check(page, 'indicator measurements');
      await page.goBack();
    }
    r = await page.goto('/cities/paris/service');
    assert.equal(r.status(), 200, 'a city without a published service says so');
    await axe.check(page, 'no service');

    r = await page.goto('/cities/riga/diagnostic');
    assert.equal(r.status(), 200);
    assert.ok((await page.locator('svg.radar[role="img"] desc').count()) === 1, 'radar has a description');
    await axe.check(page, 'city diagnostic');

    r = await page.goto('/cities/riga');
    assert.equal(r.status(), 200);
    assert.equal((await page.locator('h1').textContent()).trim(), 'Riga');
    await axe.check(page, 'city');

    r = await page.goto('/people');
    assert.equal(r.status(), 200);
    await axe.check(page, 'people');

    r = await page.goto('/login');
    assert.equal(r.status(), 200);
    await axe.check(page, 'login');

    r = await submit(page, page.locator('main').getByRole('button', { name: 'Sign in' }));
    assert.equal(r.status(), 422, 'empty sign-in form is rejected');
    assert.equal(await page.locator('.error-summary').count(), 1, 'error summary shown');
    assert.equal(await page.locator('.error-summary a[href="#field-email"]').count(), 1);
    assert.equal(await page.locator('#field-email').getAttribute('aria-invalid'), 'true');
    await axe.check(page, 'login with errors');

    r = await page.goto('/cities/nowhere-at-all');
    assert.equal(r.status(), 404);
    assert.match(await page.locator('h1').textContent(), /Page not found/);
    await axe.check(page, '404');

    // --- Language switch (signed out).
    await page.goto('/');
    await submit(page, page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }));
    assert.equal(new URL(page.url()).pathname, '/', 'language switch returns to the page');
    assert.equal(await page.locator('html').getAttribute('lang'), 'de');
    assert.match(await page.locator('h1').textContent(), /Programme zur digitalen Innovation in Städten/);
    assert.equal(await page.getByRole('link', { name: 'Anmelden' }).count(), 1);
    await axe.check(page, 'home (de)');

    await page.goto(PROGRAMME);
    assert.equal(await page.locator('html').getAttribute('lang'), 'de', 'language choice persists');
    await axe.check(page, 'programme (de)');

    await submit(page, page.getByRole('navigation', { name: 'Sprache' }).getByRole('link', { name: 'Français' }));
    assert.equal(new URL(page.url()).pathname, PROGRAMME);
    assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
    assert.equal(await page.getByRole('link', { name: 'Se connecter' }).count(), 1);
    await axe.check(page, 'programme (fr)');
    await page.goto(`${PROGRAMME}/results`);
    assert.match(await page.locator('h1').textContent(), /Résultats de la cohorte/);
    await axe.check(page, 'cohort results (fr)');
    await page.goto('/cities/riga/service');
    assert.match(await page.locator('main').textContent(), /Indicateurs de résultat/);
    await axe.check(page, 'service timeline (fr)');

    await submit(page, page.getByRole('navigation', { name: 'Langue' }).getByRole('link', { name: 'English' }));
    assert.equal(await page.locator('html').getAttribute('lang'), 'en');

    // --- Programme manager creates an invitation.
    const manager = await ctx();
    await signIn(manager, 'manager@demo.urbis.example');
    await axe.check(manager, 'home (manager)');

    await manager.goto(PROGRAMME);
    await axe.check(manager, 'programme (manager)');

    // --- The questionnaire: start an assessment for a city without one, answer a section
    // (first with a mistake), check the answers.
    r = await manager.goto('/cities/paris/diagnostic');
    assert.equal(r.status(), 200);
    await axe.check(manager, 'city diagnostic (can start)');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Start the assessment' }));
    assert.equal(r.status(), 200);
    assert.match(manager.url(), /\/assessments\/[0-9a-f-]{36}$/);
    await axe.check(manager, 'questionnaire overview');
    await manager.locator('main .task-list').getByRole('link', { name: 'Governance' }).click();
    await axe.check(manager, 'questionnaire section');
    const governanceSection = new URL(manager.url()).pathname;
    const group = manager.locator('main fieldset').filter({ has: manager.locator('input[type=checkbox][value=none]') }).first();
    const none = group.locator('input[type=checkbox][value=none]');
    await none.check();
    await group.locator('input[type=checkbox]').first().check();
    await manager.locator('main input[type=radio][value="3"]').first().check();
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Save and continue' }));
    assert.equal(r.status(), 422, 'none together with an item is refused');
    assert.equal(await manager.locator('.error-summary').count(), 1);
    await axe.check(manager, 'questionnaire section with errors');
    await none.uncheck();
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Save and continue' }));
    assert.equal(r.status(), 200);
    assert.match(manager.url(), /sections\/technology-systems$/);
    await manager.goto(manager.url().replace(/sections\/.*$/, 'check'));
    await axe.check(manager, 'check answers');
    await submit(manager, manager.getByRole('link', { name: 'Consolidate the answers of several respondents' }));
    await axe.check(manager, 'consolidation');
    await manager.locator('main form').first().getByRole('button', { name: /^Save the city/ }).click();
    await manager.waitForLoadState();
    assert.equal(await manager.locator('.error-summary').count(), 1, 'a reason is required');
    await axe.check(manager, 'consolidation with errors');
    await manager.goto(manager.url().replace(/consolidate.*$/, 'check'));
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Submit' }));
    assert.equal(r.status(), 409, 'incomplete assessment is not submitted');
    await axe.check(manager, 'check answers with missing questions');
    // --- Cohort diagnostic with a peer group, the waves page, expert validation.
    r = await manager.goto(`${PROGRAMME}/diagnostic?wave=t1&region=northern-europe`);
    assert.equal(r.status(), 200);
    assert.equal(await manager.locator('#field-region').inputValue(), 'northern-europe');
    await axe.check(manager, 'cohort diagnostic (peer group)');
    await submit(manager, manager.getByRole('link', { name: 'Manage waves' }));
    await axe.check(manager, 'waves');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Add a wave' }));
    assert.equal(r.status(), 422, 'an empty wave is refused');
    assert.equal(await manager.locator('.error-summary').count(), 1);
    await axe.check(manager, 'waves with errors');
    r = await manager.goto('/cities/riga/diagnostic');
    await submit(manager, manager.getByRole('link', { name: 'Validate this assessment' }));
    await axe.check(manager, 'validation');
    await manager.locator('#field-governance-score').fill('150');
    r = await submit(manager, manager.locator('main section').filter({ hasText: 'Governance' }).getByRole('button'));
    assert.equal(r.status(), 422, 'a score above 100 is refused');
    await axe.check(manager, 'validation with errors');
    r = await manager.goto('/cities/riga/diagnostic');
    await submit(manager, manager.getByRole('link', { name: 'Reopen this assessment for changes' }));
    await axe.check(manager, 'reopen');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Reopen for changes' }));
    assert.equal(r.status(), 422, 'a reason is required');
    await axe.check(manager, 'reopen with errors');


    // --- The instrument in the viewer's language: questionnaire, check page and city diagnostic
    // in German and French (the instrument's own translations), then back to English.
    await submit(manager, manager.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'Deutsch' }));
    await manager.goto(governanceSection);
    assert.equal(await manager.locator('html').getAttribute('lang'), 'de');
    assert.match(await manager.locator('h1').textContent(), /Governance/);
    assert.match(await manager.locator('main').textContent(), /Wie werden in der Stadtverwaltung Entscheidungen über digitale Investitionen/);
    await axe.check(manager, 'questionnaire section (de)');
    await manager.goto(governanceSection.replace(/sections\/.*$/, 'check'));
    assert.match(await manager.locator('main').textContent(), /Hat die Stadt eine aktuelle Digitalstrategie/);
    await axe.check(manager, 'check answers (de)');
    await submit(manager, manager.getByRole('navigation', { name: 'Sprache' }).getByRole('link', { name: 'Français' }));
    await manager.goto(governanceSection.replace(/governance$/, 'user-centric-design'));
    assert.equal(await manager.locator('html').getAttribute('lang'), 'fr');
    assert.match(await manager.locator('h1').textContent(), /Conception centrée sur l’utilisateur/);
    assert.match(await manager.locator('main').textContent(), /Comment la ville apprend-elle à connaître les besoins des habitants/);
    await axe.check(manager, 'questionnaire section (fr)');
    await manager.goto('/cities/riga/diagnostic');
    assert.match(await manager.locator('main').textContent(), /Infrastructure de données/);
    await axe.check(manager, 'city diagnostic (fr)');
    await submit(manager, manager.getByRole('navigation', { name: 'Langue' }).getByRole('link', { name: 'English' }));
    assert.equal(await manager.locator('html').getAttribute('lang'), 'en');
    // --- Pulse surveys: the sample survey and its report, then a new survey sent to a city
    // outside the cohort, answered by its respondent through the link.
    r = await manager.goto('/pulse');
    assert.equal(r.status(), 200);
    await axe.check(manager, 'pulse surveys');
    r = await submit(manager, manager.locator('main table').getByRole('link', { name: 'Innovation capacity pulse 2026 (sample data)', exact: true }));
    assert.equal(r.status(), 200);
    await axe.check(manager, 'pulse survey (sample, open)');
    r = await submit(manager, manager.locator('main').getByRole('link', { name: 'See the report' }));
    assert.equal(r.status(), 200);
    assert.ok((await manager.locator('main svg.bar-chart').count()) > 10, 'a chart per question');
    assert.ok((await manager.locator('main .text-answers li').count()) > 0, 'staff read the free text');
    await axe.check(manager, 'pulse report');
    await manager.locator('#field-region').selectOption('northern-europe');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Apply the filter' }));
    assert.match(manager.url(), /region=northern-europe/);
    await axe.check(manager, 'pulse report (region)');
    r = await manager.goto(`${new URL(manager.url()).pathname}?country=IS`);
    assert.equal(r.status(), 200);
    assert.equal(await manager.locator('#privacy').count(), 1, 'fewer than 5: counts only, saying why');
    await axe.check(manager, 'pulse report (too few responses)');

    // Convenings: the programme's events, an event with its agenda, the new-event form and its errors.
    r = await manager.goto(`${PROGRAMME}/events`);
    assert.equal(r.status(), 200);
    await axe.check(manager, 'events');
    const eventHref = await manager.locator('main table tbody tr th a').first().getAttribute('href');
    r = await manager.goto(eventHref);
    assert.equal(r.status(), 200);
    assert.equal(await manager.locator('script[type="application/ld+json"]').count(), 1, 'schema.org Event');
    await axe.check(manager, 'event');
    r = await manager.goto(`${eventHref}/status?to=cancelled`);
    assert.equal(r.status(), 200);
    await axe.check(manager, 'cancel event (confirmation)');
    r = await manager.goto(`${PROGRAMME}/events/new`);
    await axe.check(manager, 'new event');
    await manager.locator('#field-starts_at').fill('2030-03-31T02:30');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Save changes' }));
    assert.equal(r.status(), 422);
    assert.equal(await manager.locator('.error-summary a[href="#field-title"]').count(), 1);
    await axe.check(manager, 'new event with errors');

    // Grants: the calls, the demo call, and its ranking (programme staff).
    r = await manager.goto('/grants');
    assert.equal(r.status(), 200);
    await axe.check(manager, 'grants calls');
    const callHref = await manager.locator('main table tbody tr th a').first().getAttribute('href');
    r = await manager.goto(callHref);
    assert.equal(r.status(), 200);
    await axe.check(manager, 'grants call');
    r = await manager.goto(`${callHref}/ranking`);
    assert.equal(r.status(), 200);
    await axe.check(manager, 'grants ranking');

    r = await manager.goto('/pulse/new');
    await axe.check(manager, 'new pulse survey');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Create the survey' }));
    assert.equal(r.status(), 422);
    assert.equal(await manager.locator('.error-summary a[href="#field-title"]').count(), 1);
    await axe.check(manager, 'new pulse survey with errors');
    await manager.locator('#field-title').fill('Axe pulse');
    await manager.locator('#field-opens_on').fill('2026-03-01');
    await manager.locator('#field-closes_on').fill('2026-03-31');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Create the survey' }));
    assert.equal(r.status(), 200);
    await axe.check(manager, 'pulse survey (draft)');
    await manager.locator('#field-new_name').fill('City of Porto');
    await manager.locator('#field-new_country_code').fill('Portugal');
    await manager.locator('#field-new_emails').fill('cio@porto.example');
    r = await submit(manager, manager.locator('main form', { has: manager.locator('#field-new_name') }).getByRole('button', { name: 'Add' }));
    assert.equal(r.status(), 422);
    assert.equal(await manager.locator('#field-new_name').inputValue(), 'City of Porto', 'input is kept');
    await axe.check(manager, 'pulse recipients with errors');
    await manager.locator('#field-new_country_code').fill('PT');
    r = await submit(manager, manager.locator('main form', { has: manager.locator('#field-new_name') }).getByRole('button', { name: 'Add' }));
    assert.equal(r.status(), 200);
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Open the survey and send the links' }));
    assert.equal(r.status(), 200);
    const surveyLink = new URL((await manager.locator('main td.copy-field').first().textContent()).trim()).pathname;
    await axe.check(manager, 'pulse survey opened (links shown once)');

    const respondent = await ctx();
    r = await respondent.goto(surveyLink);
    assert.equal(r.status(), 200);
    await axe.check(respondent, 'survey (respondent)');
    await respondent.locator('main .task-list a').first().click();
    await axe.check(respondent, 'survey section');
    const items = respondent.locator('main fieldset').filter({ has: respondent.locator('input[type=checkbox][value=none]') }).first();
    await items.locator('input[type=checkbox][value=none]').check();
    await items.locator('input[type=checkbox]').first().check();
    r = await submit(respondent, respondent.locator('main').getByRole('button', { name: 'Save and continue' }));
    assert.equal(r.status(), 422);
    await axe.check(respondent, 'survey section with errors');
    await respondent.goto(`${surveyLink}/check`);
    await axe.check(respondent, 'survey check answers');
    r = await submit(respondent, respondent.locator('main').getByRole('button', { name: 'Submit' }));
    assert.equal(r.status(), 409);
    await axe.check(respondent, 'survey check answers with missing questions');
    await respondent.goto(surveyLink);
    await respondent.locator('main .task-list a').first().click();
    for (let page = 0; page < 10 && !/\/check$/.test(respondent.url()); page++) {
      const groups = respondent.locator('main fieldset');
      for (let i = 0; i < (await groups.count()); i++) {
        const first = groups.nth(i).locator('input').first();
        if ((await first.getAttribute('type')) === 'checkbox') {
          for (const box of await groups.nth(i).locator('input').all()) await box.uncheck();
        }
        await first.check();
      }
      r = await submit(respondent, respondent.locator('main').getByRole('button', { name: 'Save and continue' }));
      assert.equal(r.status(), 200, `survey page ${page} saved`);
    }
    r = await submit(respondent, respondent.locator('main').getByRole('button', { name: 'Submit' }));
    assert.equal(r.status(), 200);
    await axe.check(respondent, 'survey thank you');

    r = await manager.goto(`${PROGRAMME}/invitations`);
    assert.equal(r.status(), 200);
    await axe.check(manager, 'invitations');

    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Send invitation' }));
    assert.equal(r.status(), 422, 'empty invitation form is rejected');
    assert.equal(await manager.locator('.error-summary').count(), 1);
    await axe.check(manager, 'invitations with errors');

    const newEmail = `new.person.${Date.now()}@riga.example`;
    await manager.locator('#field-city').selectOption('riga');
    await manager.locator('#field-email').fill(newEmail);
    await manager.locator('#field-name').fill('Ilze Test');
    await manager.locator('#field-role').selectOption('city-member');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Send invitation' }));
    assert.ok(r.ok(), `invitation created (status ${r.status()})`);
    const link = await inviteLinkFrom(manager);
    assert.match(await manager.locator('main table').first().textContent(), new RegExp(newEmail.replace(/\./g, '\\.')));
    await axe.check(manager, 'invitation created');

    // --- The invited person, in a fresh browser, creates an account.
    const invitee = await ctx();
    r = await invitee.goto(link);
    assert.equal(r.status(), 200);
    assert.match(await invitee.locator('main').textContent(), new RegExp(newEmail.replace(/\./g, '\\.')));
    await axe.check(invitee, 'invitation (new account)');

    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422, 'empty accept form is rejected');
    assert.equal(await invitee.locator('.error-summary').count(), 1);
    await axe.check(invitee, 'invitation with errors');

    await invitee.locator('#field-name').fill('Ilze Test');
    await invitee.locator('#field-password').fill('correct horse battery staple');
    await invitee.locator('#field-password_confirm').fill('correct horse battery staple');
    await invitee.locator('#field-listed').check();
    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    assert.equal(r.status(), 200);
    assert.equal(new URL(invitee.url()).pathname, '/cities/riga', 'accepting lands on the city');
    await assertSignedIn(invitee, 'Ilze Test');
    assert.match(await invitee.locator('main table').textContent(), /Ilze Test/);
    await axe.check(invitee, 'city after accepting');

    r = await invitee.goto('/account');
    assert.equal(r.status(), 200);
    assert.match(await invitee.locator('main').textContent(), /City team member, Riga/);
    await axe.check(invitee, 'account');
    await invitee.locator('#field-job_title').fill('Data steward');
    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    assert.equal(new URL(invitee.url()).pathname + new URL(invitee.url()).search, '/account?saved=1');
    assert.equal(await invitee.locator('#field-job_title').inputValue(), 'Data steward');
    await axe.check(invitee, 'account saved');

    // API tokens on the account page: listed, and revoking one asks for confirmation first.
    const issued = await invitee.request.post('/api/v1/auth/token', { data: { email: newEmail, password: 'correct horse battery staple' } });
    assert.equal(issued.status(), 200);
    const { token } = await issued.json();
    r = await invitee.goto('/account');
    assert.equal(await invitee.locator('#tokens + p + table tbody tr').count(), 1);
    await axe.check(invitee, 'account with an API token');
    r = await submit(invitee, invitee.locator('main table').getByRole('link', { name: /^Revoke/ }));
    assert.equal(r.status(), 200);
    assert.match(await invitee.locator('main').textContent(), /This cannot be undone/);
    await axe.check(invitee, 'revoke an API token');
    r = await submit(invitee, invitee.locator('main').getByRole('button', { name: 'Yes, revoke the token' }));
    assert.equal(new URL(invitee.url()).pathname + new URL(invitee.url()).search, '/account?revoked=1');
    await axe.check(invitee, 'API token revoked');
    const me = await invitee.request.get('/api/v1/me', { headers: { Authorization: `Bearer ${token}` } });
    assert.equal(me.status(), 401, 'a revoked token stops working at once');

    r = await invitee.goto(link);
    assert.equal(r.status(), 200);
    await axe.check(invitee, 'invitation already accepted');

    // Changing one's password: errors name the field; then this browser stays signed in.
    r = await invitee.goto('/account');
    r = await submit(invitee, invitee.locator('main').getByRole('link', { name: 'Change your password' }));
    assert.equal(r.status(), 200);
    await axe.check(invitee, 'change password');
    await invitee.locator('#field-current_password').fill('not my password');
    await invitee.locator('#field-new_password').fill('short');
    await invitee.locator('#field-new_password_confirm').fill('other');
    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422);
    assert.equal(await invitee.locator('.error-summary a').count(), 2, 'the new password, and its confirmation');
    await axe.check(invitee, 'change password with errors');
    {
      const size = invitee.viewportSize();
      await invitee.setViewportSize({ width: 390, height: 900 });
      await invitee.screenshot({ path: '/tmp/urbis-password.png', fullPage: true });
      await invitee.setViewportSize(size);
    }
    await invitee.locator('#field-current_password').fill('correct horse battery staple');
    await invitee.locator('#field-new_password').fill('another horse battery staple');
    await invitee.locator('#field-new_password_confirm').fill('another horse battery staple');
    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    assert.equal(new URL(invitee.url()).pathname + new URL(invitee.url()).search, '/account?password=1');
    await assertSignedIn(invitee, 'Ilze Test');
    await axe.check(invitee, 'password changed');

    // Signing out everywhere asks for confirmation first, then ends this session too.
    r = await submit(invitee, invitee.locator('main').getByRole('link', { name: 'Sign out everywhere' }));
    assert.equal(r.status(), 200);
    assert.match(await invitee.locator('main').textContent(), /This cannot be undone/);
    await axe.check(invitee, 'sign out everywhere');
    {
      const size = invitee.viewportSize();
      await invitee.setViewportSize({ width: 390, height: 900 });
      await invitee.screenshot({ path: '/tmp/urbis-everywhere.png', fullPage: true });
      await invitee.setViewportSize(size);
    }
    r = await submit(invitee, invitee.locator('main').getByRole('button', { name: 'Yes, sign out everywhere' }));
    assert.equal(new URL(invitee.url()).pathname, '/login');
    await invitee.locator('#field-email').fill(newEmail);
    await invitee.locator('#field-password').fill('another horse battery staple');
    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    await assertSignedIn(invitee, 'Ilze Test');

    // --- An admin: people's accounts, searched and paged; the confirmation pages to deactivate
    // and reactivate a person, and their refusals (nothing is changed here: deactivating oneself
    // is refused, and so is reactivating an active person).
    const admin = await ctx();
    await signIn(admin, 'admin@demo.urbis.example');
    r = await submit(admin, admin.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: "People's accounts" }));
    assert.equal(r.status(), 200);
    await axe.check(admin, "people's accounts");
    await admin.locator('#field-q').fill('riga');
    r = await submit(admin, admin.locator('main form[role=search] button[type=submit]'));
    assert.ok(new URL(admin.url()).search.includes('q=riga'));
    assert.ok((await admin.locator('main table tbody tr').count()) >= 1, 'search finds the Riga accounts');
    await axe.check(admin, "people's accounts (searched)");
    r = await submit(admin, admin.locator('main table tbody tr').first().getByRole('link', { name: /^Deactivate/ }));
    assert.equal(r.status(), 200);
    assert.match(await admin.locator('main').textContent(), /Deactivate this person\?/);
    await axe.check(admin, 'deactivate a person (confirm)');
    {
      const size = admin.viewportSize();
      await admin.setViewportSize({ width: 390, height: 900 });
      await admin.screenshot({ path: '/tmp/urbis-deactivate.png', fullPage: true });
      await admin.setViewportSize(size);
    }
    const confirmPath = new URL(admin.url()).pathname;
    r = await admin.goto(confirmPath.replace(/deactivate$/, 'reactivate'));
    assert.equal(r.status(), 200);
    await axe.check(admin, 'reactivate a person (confirm)');
    r = await submit(admin, admin.locator('main').getByRole('button', { name: 'Yes, reactivate' }));
    assert.equal(r.status(), 409, 'an active person is not reactivated');
    assert.equal(await admin.locator('.error-summary a[href="#field-person"]').count(), 1);
    await axe.check(admin, 'reactivate a person (refused)');

    // --- Riga's city lead: team page and an invalid city edit.
    const lead = await ctx();
    await signIn(lead, 'lead.riga@demo.urbis.example');
    r = await lead.goto('/cities/riga');
    await axe.check(lead, 'city (lead)');
    // The sample pulse survey was sent to Riga: its lead reads the aggregate report, without free text.
    r = await lead.goto('/pulse');
    assert.equal(r.status(), 200);
    await axe.check(lead, 'pulse surveys (city lead)');
    r = await submit(lead, lead.locator('main table').getByRole('link', { name: /^Report/ }).first());
    assert.equal(r.status(), 200);
    assert.equal(await lead.locator('main .text-answers').count(), 0, 'no free text for city teams');
    await axe.check(lead, 'pulse report (city lead)');
    r = await lead.goto('/cities/riga/team');
    assert.equal(r.status(), 200);
    assert.match(await lead.locator('main table').first().textContent(), /Ilze Test/);
    await axe.check(lead, 'team');

    // The improvement plan, from a recommended action.
    r = await lead.goto('/cities/riga/diagnostic');
    await axe.check(lead, 'city diagnostic (lead: plan, publication)');
    await submit(lead, lead.locator('main').getByRole('link', { name: /^Add “.*” to the plan$/ }).first());
    await axe.check(lead, 'plan item (new)');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422, 'an owner is required');
    await axe.check(lead, 'plan item with errors');

    r = await lead.goto('/cities/riga/edit');
    assert.equal(r.status(), 200);
    await axe.check(lead, 'city edit');
    await lead.locator('#field-website').fill('not a web address');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422, 'invalid website is rejected');
    assert.equal(await lead.locator('.error-summary a[href="#field-website"]').count(), 1);
    assert.equal(await lead.locator('#field-website').getAttribute('aria-invalid'), 'true');
    assert.equal(await lead.locator('#field-website').inputValue(), 'not a web address', 'input is kept');
    await lead.screenshot({ path: '/tmp/urbis-edit-error.png', fullPage: true });
    await axe.check(lead, 'city edit with errors');

    // Error summary links move focus to the field.
    await lead.locator('.error-summary a[href="#field-website"]').click();
    assert.equal(await lead.evaluate(() => document.activeElement && document.activeElement.id), 'field-website');

    // --- Riga's lead works on the city's service: every form and its error state.
    r = await lead.goto('/cities/riga/service');
    const servicePath = new URL(lead.url()).pathname;
    assert.match(servicePath, /^\/services\//);
    await axe.check(lead, 'service timeline (lead)');
    r = await lead.goto(`${servicePath}/edit`);
    assert.equal(r.status(), 200);
    await axe.check(lead, 'service edit');
    await lead.locator('#field-title').fill('');
    await lead.locator('#field-languages').fill('lv, klingon');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422, 'an empty title is refused');
    assert.equal(await lead.locator('.error-summary a[href="#field-title"]').count(), 1);
    assert.equal(await lead.locator('#field-languages').inputValue(), 'lv, klingon', 'input is kept');
    await axe.check(lead, 'service edit with errors');
    for (const [path, label, field] of [
      ['/phases/live', 'phase form', 'ends_on'],
      ['/milestones/new', 'milestone form', 'due_on'],
      ['/research/new', 'research form', 'participants'],
    ]) {
      r = await lead.goto(`${servicePath}${path}`);
      assert.equal(r.status(), 200, label);
      await axe.check(lead, label);
      await lead.locator(`#field-${field}`).fill(field === 'participants' ? 'many' : '2019-02-30');
      r = await submit(lead, lead.locator('main form button[type=submit]'));
      assert.equal(r.status(), 422, `${label} refuses bad input`);
      assert.equal(await lead.locator(`.error-summary a[href="#field-${field}"]`).count(), 1, label);
      await axe.check(lead, `${label} with errors`);
    }
    await lead.goto(servicePath);
    r = await lead.goto(await lead.locator('a[href^="/milestones/"][href$="/edit"]').first().getAttribute('href'));
    assert.equal(r.status(), 200);
    await axe.check(lead, 'milestone edit form');
    r = await lead.goto(`${servicePath}/indicators/new`);
    await axe.check(lead, 'indicator form');
    await lead.locator('#field-name').fill('Calls to the help line');
    await lead.locator('#field-baseline_value').fill('forty');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422);
    assert.equal(await lead.locator('.error-summary a[href="#field-baseline_value"]').count(), 1);
    await axe.check(lead, 'indicator form with errors');
    await lead.goto(servicePath);
    const measureHref = await lead.locator('a[href$="/measurements/new"]').first().getAttribute('href');
    r = await lead.goto(measureHref);
    assert.equal(r.status(), 200);
    await axe.check(lead, 'measurement form');
    await lead.locator('#field-date').fill('2019-01-01');
    await lead.locator('#field-value').fill('lots');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422);
    assert.equal(await lead.locator('.error-summary a[href="#field-date"]').count(), 1, 'before the baseline');
    assert.equal(await lead.locator('.error-summary a[href="#field-value"]').count(), 1, 'not a number');
    await axe.check(lead, 'measurement form with errors');
    r = await lead.goto(measureHref.replace('/measurements/new', '/import'));
    assert.equal(r.status(), 200);
    await axe.check(lead, 'import form');
    await lead.locator('#field-csv').fill('date,value,quality\n2021-12-01,50,final\n2019-01-01,x,guessed\n');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 422, 'a wrong file is refused whole');
    assert.match(await lead.locator('.error-summary').textContent(), /Row 3/);
    await axe.check(lead, 'import form with errors');
    r = await lead.goto('/cities/riga/services/new');
    assert.equal(r.status(), 200);
    await axe.check(lead, 'new service form');

    axe.assertClean();
  } finally {
    axe.report(t);
    for (const c of contexts) await c.close();
  }
});

test('core journeys work without JavaScript', { timeout: 180_000 }, async () => {
  const contexts = [];
  const ctx = async () => {
    const c = await newContext({ javaScriptEnabled: false });
    contexts.push(c);
    return c.newPage();
  };
  try {
    // Sign in as Riga's city lead.
    const lead = await ctx();
    await signIn(lead, 'lead.riga@demo.urbis.example');
    await assertSignedIn(lead, 'Sample Riga Lead');

    // Edit the description; the city page shows it.
    const description = `Riga tests its services with residents (${Date.now()}).`;
    let r = await lead.goto('/cities/riga/edit');
    assert.equal(r.status(), 200);
    await lead.locator('#field-description').fill(description);
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 200);
    assert.equal(new URL(lead.url()).pathname, '/cities/riga');
    assert.equal(await lead.locator('.notice[role=status]').count(), 1, 'saved notice');
    assert.equal((await lead.locator('main .lead').textContent()).trim(), description);
    // ...and so does a fresh, signed-out view.
    const reader = await ctx();
    await reader.goto('/cities/riga');
    assert.equal((await reader.locator('main .lead').textContent()).trim(), description);

    // Invite a city team member from the team page.
    const email = `member.${Date.now()}@riga.example`;
    r = await lead.goto('/cities/riga/team');
    assert.equal(r.status(), 200);
    await lead.locator('#field-email').fill(email);
    await lead.locator('#field-name').fill('Jānis Bērziņš');
    await lead.locator('#field-role').selectOption('city-member');
    r = await submit(lead, lead.locator('main').getByRole('button', { name: 'Send invitation' }));
    assert.ok(r.ok(), `invitation created (status ${r.status()})`);
    const link = await inviteLinkFrom(lead);

    // The invitee accepts in a fresh browser, also without JavaScript.
    const invitee = await ctx();
    r = await invitee.goto(link);
    assert.equal(r.status(), 200);
    await invitee.locator('#field-name').fill('Jānis Bērziņš');
    await invitee.locator('#field-password').fill('violet stapler moonlight');
    await invitee.locator('#field-password_confirm').fill('violet stapler moonlight');
    await invitee.locator('#field-listed').check();
    r = await submit(invitee, invitee.locator('main form button[type=submit]'));
    assert.equal(r.status(), 200);
    assert.equal(new URL(invitee.url()).pathname, '/cities/riga');
    await assertSignedIn(invitee, 'Jānis Bērziņš');
    assert.match(await invitee.locator('main table').textContent(), /Jānis Bērziņš/);

    // The lead sees the accepted invitation and the new member.
    await lead.goto('/cities/riga/team');
    const row = lead.locator('main table').nth(1).locator('tr', { hasText: email });
    assert.match(await row.textContent(), /Accepted/);

    // The lead adds an item to the improvement plan, without JavaScript.
    r = await lead.goto('/cities/riga/plan/new');
    assert.equal(r.status(), 200);
    const title = `Open the service catalogue (${Date.now()})`;
    await lead.locator('#field-title').fill(title);
    await lead.locator('#field-owner').fill('Chief Digital Officer');
    await lead.locator('#field-due_on').fill('2027-06-30');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 200);
    assert.equal(new URL(lead.url()).pathname, '/cities/riga/diagnostic');
    assert.match(await lead.locator('#plan + table').textContent(), new RegExp(title.replace(/[()]/g, '\\$&')));
    // A pulse survey: the manager sends it to a city outside the cohort; its respondent answers
    // every page through the link, checks and submits, and the link then thanks and refuses changes.
    const manager = await ctx();
    await signIn(manager, 'manager@demo.urbis.example');
    r = await manager.goto('/pulse/new');
    await manager.locator('#field-title').fill(`No-JS pulse ${Date.now()}`);
    await manager.locator('#field-programme').selectOption('digital-innovation-initiative');
    await manager.locator('#field-opens_on').fill('2026-03-01');
    await manager.locator('#field-closes_on').fill('2026-03-31');
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Create the survey' }));
    assert.equal(r.status(), 200);
    await manager.locator('#field-new_name').fill('City of Braga');
    await manager.locator('#field-new_country_code').fill('PT');
    await manager.locator('#field-new_emails').fill('cio@braga.example');
    r = await submit(manager, manager.locator('main form', { has: manager.locator('#field-new_name') }).getByRole('button', { name: 'Add' }));
    assert.equal(r.status(), 200);
    assert.match(await manager.locator('main').textContent(), /cio@braga\.example/);
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Open the survey and send the links' }));
    assert.equal(r.status(), 200);
    const surveyLink = new URL((await manager.locator('main td.copy-field').first().textContent()).trim()).pathname;
    const respondent = await ctx();
    r = await respondent.goto(surveyLink);
    assert.equal(r.status(), 200);
    await respondent.locator('main .task-list a').first().click();
    for (let page = 0; page < 10 && !/\/check$/.test(respondent.url()); page++) {
      const groups = respondent.locator('main fieldset');
      for (let i = 0; i < (await groups.count()); i++) await groups.nth(i).locator('input').first().check();
      r = await submit(respondent, respondent.locator('main').getByRole('button', { name: 'Save and continue' }));
      assert.equal(r.status(), 200, `page ${page} saved`);
    }
    assert.match(respondent.url(), /\/check$/);
    r = await submit(respondent, respondent.locator('main').getByRole('button', { name: 'Submit' }));
    assert.equal(r.status(), 200);
    assert.match(await respondent.locator('main h1').textContent(), /Thank you/);
    r = await respondent.goto(`${surveyLink}/sections/leadership`);
    assert.match(await respondent.locator('main h1').textContent(), /Thank you/, 'no more changes');
    r = await manager.goto(new URL(manager.url()).pathname.replace(/\/status$/, ''));
    assert.equal(r.status(), 200);
    assert.match(await manager.locator('main').textContent(), /Submitted/);

    // Sign out.
    r = await submit(invitee, invitee.getByRole('button', { name: 'Sign out' }));
    assert.equal(r.status(), 200);
    assert.equal(new URL(invitee.url()).pathname, '/');
    assert.equal(await invitee.getByRole('button', { name: 'Sign out' }).count(), 0);
    assert.equal(await invitee.getByRole('navigation', { name: 'Account' }).getByRole('link', { name: 'Sign in' }).count(), 1);
    r = await invitee.goto('/account');
    assert.equal(new URL(invitee.url()).pathname, '/login', 'signed out: /account asks to sign in');

    // The questionnaire in French, then German, without JavaScript: start, answer a section, check.
    const polyglot = await ctx();
    await signIn(polyglot, 'manager@demo.urbis.example');
    r = await polyglot.goto('/language/fr?next=/cities/lisbon/diagnostic');
    assert.equal(await polyglot.locator('html').getAttribute('lang'), 'fr');
    r = await submit(polyglot, polyglot.locator('main').getByRole('button', { name: 'Commencer l’évaluation' }));
    assert.equal(r.status(), 200);
    await polyglot.locator('main .task-list').getByRole('link', { name: 'Vision numérique' }).click();
    assert.match(await polyglot.locator('main').textContent(), /La ville dispose-t-elle d’une stratégie numérique à jour/);
    await polyglot.locator('main input[type=radio][value="2"]').first().check();
    r = await submit(polyglot, polyglot.locator('main').getByRole('button', { name: 'Enregistrer et continuer' }));
    assert.equal(r.status(), 200);
    assert.match(polyglot.url(), /sections\/governance$/);
    assert.match(await polyglot.locator('h1').textContent(), /Gouvernance/);
    await polyglot.goto(polyglot.url().replace(/sections\/.*$/, 'check'));
    assert.match(await polyglot.locator('main').textContent(), /Niveau 2/);
    r = await polyglot.goto('/language/de?next=' + encodeURIComponent(new URL(polyglot.url()).pathname));
    assert.equal(await polyglot.locator('html').getAttribute('lang'), 'de');
    assert.match(await polyglot.locator('main').textContent(), /Hat die Stadt eine aktuelle Digitalstrategie/);
    await polyglot.goto('/language/en?next=/');
    // The lead records a measurement of Riga's service, then imports a CSV file twice.
    r = await lead.goto('/cities/riga/service');
    const servicePath = new URL(lead.url()).pathname;
    const measureHref = await lead.locator('a[href$="/measurements/new"]').first().getAttribute('href');
    r = await lead.goto(measureHref);
    assert.equal(r.status(), 200);
    await lead.locator('#field-date').fill('2021-12-15');
    await lead.locator('#field-value').fill('77.5');
    await lead.locator('#field-quality').selectOption('provisional');
    await lead.locator('#field-note').fill('Recorded without JavaScript');
    r = await submit(lead, lead.locator('main form button[type=submit]'));
    assert.equal(r.status(), 200);
    assert.equal(new URL(lead.url()).pathname, servicePath);
    assert.equal(await lead.locator('.notice[role=status]').count(), 1, 'saved notice');
    assert.match(await lead.locator('main').textContent(), /Recorded without JavaScript/);
    const importHref = measureHref.replace('/measurements/new', '/import');
    for (const expected of ['1 added, 0 changed, 0 unchanged', '0 added, 0 changed, 1 unchanged']) {
      r = await lead.goto(importHref);
      await lead.locator('#field-csv').fill('date,value,quality,breakdown,note\n2021-12-20,78,provisional,,From a file\n');
      r = await submit(lead, lead.locator('main form button[type=submit]'));
      assert.equal(r.status(), 200);
      assert.match(await lead.locator('.notice[role=status]').textContent(), new RegExp(expected));
    }
  } finally {
    for (const c of contexts) await c.close();
  }
});
