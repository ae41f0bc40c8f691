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

test('pages are accessible (axe-core) along the main journeys, JavaScript on', { timeout: 240_000 }, async (t) => {
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
    r = await submit(manager, manager.locator('main').getByRole('button', { name: 'Submit' }));
    assert.equal(r.status(), 409, 'incomplete assessment is not submitted');
    await axe.check(manager, 'check answers with missing questions');
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

    r = await invitee.goto(link);
    assert.equal(r.status(), 200);
    await axe.check(invitee, 'invitation already accepted');

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
  } finally {
    for (const c of contexts) await c.close();
  }
});
