// Drives Debian's Chromium through Gatehouse's interactive sign-in for interop/msal_browser_test.py.
//
// One browser and ONE browser context for the whole process, so the SSO cookie set by a first
// sign-in is there for the next one. Commands arrive on stdin, one JSON object a line; each gets
// one JSON line on stdout (diagnostics go to stderr):
//
//   {"auth_uri": "...", "redirect_prefix": "http://localhost:PORT", "username": "...",
//    "password": "...", "screenshot": "path.png" (optional), "kmsi": "yes"|"no" (default "yes")}
//   -> {"ok": true, "redirect": "http://localhost:PORT/?code=...&state=...",
//       "password_page_shown": bool, "kmsi_page_shown": bool, "documents": [...], "console": [...]}
//   -> {"ok": false, "error": "...", "url": "...", "html": "...", "documents": [...], ...}
//
//   {"device_login": ..., "user_code": ...} (see deviceLogin) approves a device code at /devicelogin.
//
// The redirect to the loopback address reaches a listener the caller runs on that port (as MSAL's
// acquire_token_interactive does); the URL the page ends on is reported. (page.route is not used:
// in Playwright 1.65 with Chromium it does not see a redirect that follows a page.goto, which is
// exactly the SSO case.)
//
// TLS: the server's certificate is issued by Gatehouse's development CA, which Chromium does not
// trust. Instead of ignoring every certificate error, Chromium is told to accept exactly this
// certificate's public key (--ignore-certificate-errors-spki-list=<base64 SHA-256 of the SPKI>),
// computed from GATEHOUSE_SERVER_CERT (DATA_DIR/tls/server.pem).

import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

import { chromium } from 'playwright-core';

const EXECUTABLE = process.env.CHROMIUM || '/usr/bin/chromium';
const STEP_TIMEOUT_MS = 30_000;

function log(...args) {
  console.error('sign_in.mjs:', ...args);
}

function reply(value) {
  process.stdout.write(JSON.stringify(value) + '\n');
}

/** base64(SHA-256(SubjectPublicKeyInfo DER)) of the first certificate in a PEM file. */
function spkiHash(pemPath) {
  const cert = new X509Certificate(readFileSync(pemPath));
  const spki = cert.publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

function launchArgs(spki) {
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
  ];
  if (spki) args.push(`--ignore-certificate-errors-spki-list=${spki}`);
  return args;
}

const certPath = process.env.GATEHOUSE_SERVER_CERT;
const allowInsecureFallback = process.env.SIGN_IN_ALLOW_IGNORE_HTTPS_ERRORS === '1';
const userDataDir = mkdtempSync(join(tmpdir(), 'gatehouse-chromium-'));

let context;
let tlsMode;

async function launch() {
  const spki = certPath ? spkiHash(certPath) : null;
  const common = {
    executablePath: EXECUTABLE,
    headless: true,
    viewport: { width: 1024, height: 720 },
    timeout: 60_000,
  };
  context = await chromium.launchPersistentContext(userDataDir, { ...common, args: launchArgs(spki) });
  tlsMode = spki ? `--ignore-certificate-errors-spki-list=${spki}` : 'none';
  log(`Chromium ${context.browser()?.version() ?? '(persistent context)'}; TLS: ${tlsMode}`);
}

/** Throws when the HTTPS page does not load with the SPKI pin (the caller may then fall back). */
async function probe(url) {
  const page = await context.newPage();
  try {
    await page.goto(url, { timeout: STEP_TIMEOUT_MS });
  } finally {
    await page.close();
  }
}

async function fallbackToIgnoreHttpsErrors(reason) {
  if (!allowInsecureFallback) throw reason;
  log(`the SPKI pin did not work (${reason}); falling back to ignoreHTTPSErrors: true`);
  await context.close();
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: EXECUTABLE,
    headless: true,
    viewport: { width: 1024, height: 720 },
    timeout: 60_000,
    args: launchArgs(null),
    ignoreHTTPSErrors: true,
  });
  tlsMode = 'ignoreHTTPSErrors: true (fallback)';
}

/** Records the page's documents, console and HTML bodies into `result`; returns the bodies. */
function watch(page, result) {
  const bodies = [];
  Object.assign(result, { documents: [], console: [], tls: tlsMode });
  page.on('console', (m) => result.console.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => result.console.push(`pageerror: ${e.message}`));
  page.on('response', (r) => {
    const req = r.request();
    if (req.resourceType() !== 'document' || req.frame() !== page.mainFrame()) return;
    result.documents.push({ method: req.method(), url: req.url(), status: r.status() });
    // Bodies of every HTML document served during this run: proof of which pages were shown even
    // if a page navigated away before a locator could look at it.
    if (r.status() < 300 || r.status() >= 400) {
      bodies.push(r.text().catch(() => ''));
    }
  });
  return bodies;
}

/** On the sign-in page: user name, password, Sign in, then "Stay signed in?" answered. */
async function enterPassword(page, cmd, password) {
  if (cmd.screenshot) await page.screenshot({ path: cmd.screenshot, fullPage: true });
  await page.getByLabel('Email, phone, or Skype').fill(cmd.username, { timeout: STEP_TIMEOUT_MS });
  await password.fill(cmd.password, { timeout: STEP_TIMEOUT_MS });
  await page.getByRole('button', { name: 'Sign in', exact: true }).click({ timeout: STEP_TIMEOUT_MS });
  await page.getByRole('heading', { name: 'Stay signed in?' }).waitFor({ timeout: STEP_TIMEOUT_MS });
  if (cmd.kmsi_screenshot) await page.screenshot({ path: cmd.kmsi_screenshot, fullPage: true });
  const answer = cmd.kmsi === 'no' ? 'No' : 'Yes';
  await page.getByRole('button', { name: answer, exact: true }).click({ timeout: STEP_TIMEOUT_MS });
}

/** Runs `steps` on a new page; `result` says ok with what they return, or what went wrong. */
async function onNewPage(steps) {
  const page = await context.newPage();
  const result = {};
  const bodies = watch(page, result);
  try {
    const found = await steps(page);
    const html = await Promise.all(bodies);
    Object.assign(result, found, {
      ok: true,
      password_page_shown: html.some((b) => /<input[^>]*type="password"/.test(b)),
      kmsi_page_shown: html.some((b) => b.includes('Stay signed in?')),
    });
  } catch (e) {
    let html = '';
    try {
      html = (await page.content()).slice(0, 4000);
    } catch {
      // The page may be gone.
    }
    Object.assign(result, { ok: false, error: String(e && e.message ? e.message : e), url: page.url(), html });
  } finally {
    await page.close().catch(() => {});
  }
  return result;
}

async function signIn(cmd) {
  return onNewPage(async (page) => {
    const atClient = () => page.url().startsWith(`${cmd.redirect_prefix}/`);
    // goto waits for the load event: either the sign-in page (server-rendered, no scripts) or,
    // with an SSO session, the client's loopback page after the authorization endpoint's redirect.
    await page.goto(cmd.auth_uri, { timeout: STEP_TIMEOUT_MS });
    if (!atClient()) {
      if (cmd.expect_sso) {
        throw new Error('expected the SSO session to skip the sign-in page, but the browser stayed on the server');
      }
      const password = page.getByLabel('Password', { exact: true });
      await password.waitFor({ timeout: STEP_TIMEOUT_MS });
      await enterPassword(page, cmd, password);
      await page.waitForURL((url) => url.href.startsWith(`${cmd.redirect_prefix}/`), {
        timeout: STEP_TIMEOUT_MS,
      });
    }
    return { redirect: page.url() };
  });
}

// {"device_login": "https://.../devicelogin", "user_code": "...", "username", "password",
//  "clear_cookies": bool} -> {"ok": true, "question": "Are you trying to sign in to ...?",
//  "done": "You have signed in to ...", "password_page_shown": bool, ...}
// Enters the code, signs in if the page asks (no SSO session), and answers Continue.
async function deviceLogin(cmd) {
  if (cmd.clear_cookies) await context.clearCookies();
  return onNewPage(async (page) => {
    await page.goto(cmd.device_login, { timeout: STEP_TIMEOUT_MS });
    await page.getByLabel('Code', { exact: true }).fill(cmd.user_code, { timeout: STEP_TIMEOUT_MS });
    await page.getByRole('button', { name: 'Next', exact: true }).click({ timeout: STEP_TIMEOUT_MS });
    const question = page.getByRole('heading', { name: /^Are you trying to sign in to / });
    const password = page.getByLabel('Password', { exact: true });
    await question.or(password).waitFor({ timeout: STEP_TIMEOUT_MS });
    if (await password.isVisible()) {
      await enterPassword(page, cmd, password);
      await question.waitFor({ timeout: STEP_TIMEOUT_MS });
    }
    const asked = await question.textContent();
    await page.getByRole('button', { name: 'Continue', exact: true }).click({ timeout: STEP_TIMEOUT_MS });
    const done = page.locator('#message');
    await done.waitFor({ timeout: STEP_TIMEOUT_MS });
    return { question: asked, done: await done.textContent() };
  });
}

// {"logout": "https://.../oauth2/v2.0/logout?..."} -> {"ok": true, "heading": "...", "url": final URL,
//  "cookies": names of the cookies left}
// Opens the end-session URL and waits for the signed-out page.
async function logout(cmd) {
  return onNewPage(async (page) => {
    await page.goto(cmd.logout, { timeout: STEP_TIMEOUT_MS });
    const heading = page.getByRole('heading', { name: 'You signed out of your account' });
    await heading.waitFor({ timeout: STEP_TIMEOUT_MS });
    const cookies = (await context.cookies()).map((c) => c.name);
    return { heading: await heading.textContent(), url: page.url(), cookies };
  });
}

async function main() {
  await launch();
  if (process.env.SIGN_IN_PROBE_URL) {
    try {
      await probe(process.env.SIGN_IN_PROBE_URL);
    } catch (e) {
      await fallbackToIgnoreHttpsErrors(e);
    }
  }
  reply({ ready: true, tls: tlsMode, chromium: context.browser()?.version() ?? null });
  const lines = createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let cmd;
    try {
      cmd = JSON.parse(line);
    } catch (e) {
      reply({ ok: false, error: `bad command: ${e}` });
      continue;
    }
    const run = cmd.logout ? logout : cmd.device_login ? deviceLogin : signIn;
    reply(await run(cmd));
  }
}

try {
  await main();
} catch (e) {
  log(e && e.stack ? e.stack : e);
  reply({ ok: false, fatal: true, error: String(e && e.message ? e.message : e) });
  process.exitCode = 1;
} finally {
  await context?.close().catch(() => {});
  rmSync(userDataDir, { recursive: true, force: true });
}
