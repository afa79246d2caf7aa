"""MSAL for Python's authorization code flow (PKCE) through Gatehouse's real sign-in page, in Chromium.

Run by crates/cli/tests/interop_browser.rs against the real binary. MSAL builds the authorization
request (initiate_auth_code_flow: PKCE S256, state, nonce) and redeems the code
(acquire_token_by_auth_code_flow: state and nonce checks); between the two, interop/browser/sign_in.mjs
drives Debian's Chromium with playwright-core through the pages a person would see: the sign-in page
(user name and password found by their labels), "Stay signed in?" (Yes), and the redirect to the
loopback redirect URI, where this script listens (as MSAL's acquire_token_interactive does). The browser context lives for the whole script, so the
second authorization request finds the SSO cookie the first one set. Last, MSAL's device code flow
(initiate_device_flow, acquire_token_by_device_flow polling in a thread) with the code approved at
/devicelogin in the same browser: once with its cookies cleared (the code page leads through the
sign-in pages), once with the session (straight to "Are you trying to sign in to ...?").

Configuration (environment):
  INTEROP_BASE_URL         https://localhost (port 443: as in interop/msal_test.py)
  INTEROP_CA_FILE          the development CA (DATA_DIR/tls/ca.pem), for MSAL and requests
  INTEROP_SERVER_CERT      the server certificate (DATA_DIR/tls/server.pem), for Chromium's SPKI pin
  INTEROP_TENANT           the tenant's domain, e.g. defaultdirectory.gatehouse.test
  INTEROP_MEMBER_UPN       a user who can sign in with a password (security defaults off)
  INTEROP_MEMBER_PASSWORD  their password
  INTEROP_SCREENSHOT       where to save a PNG of the sign-in page (optional)
  INTEROP_NODE             node (default: node)
  INTEROP_ALLOW_IGNORE_HTTPS_ERRORS=1  let sign_in.mjs fall back to ignoreHTTPSErrors if the SPKI
                           pin does not work (the fallback is reported)

Prints one line per check; on failure, the browser's view (documents loaded, console, page HTML)
and MSAL's HTTP exchanges (secrets redacted), and exits 1. Exit 2 means a setup error.
"""

import hashlib
import json
import os
import queue
import subprocess
import sys
import threading
import time
import warnings
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, urlsplit

import msal
import requests

from harness import CHECKS, CheckFailed, check, env, exchanges, expect, jwt_claims, report_exchanges, show

# MSAL suggests response_mode=form_post for web apps; a public client on a loopback redirect URI
# gets the code in the query, as MSAL's own acquire_token_interactive does.
warnings.filterwarnings("ignore", message="response_mode='form_post' is recommended", category=UserWarning)

GRAPH_CLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e"  # Microsoft Graph Command Line Tools
HTTP_TIMEOUT = 60  # seconds, per HTTP request
BROWSER_TIMEOUT = 120  # seconds, per browser command (sign_in.mjs has 30 s per step)
HERE = Path(__file__).resolve().parent


# --- a record of MSAL's HTTP exchanges, for failure reports ----------------------------------------


# --- the browser --------------------------------------------------------------------------------

class Browser:
    """interop/browser/sign_in.mjs: one Chromium, one browser context, JSON lines both ways."""

    def __init__(self, base, server_cert, allow_fallback):
        env = dict(os.environ)
        env["GATEHOUSE_SERVER_CERT"] = server_cert
        env["SIGN_IN_PROBE_URL"] = f"{base}/healthz"
        if allow_fallback:
            env["SIGN_IN_ALLOW_IGNORE_HTTPS_ERRORS"] = "1"
        node = os.environ.get("INTEROP_NODE") or "node"
        self.process = subprocess.Popen(
            [node, str(HERE / "browser" / "sign_in.mjs")],
            cwd=str(HERE / "browser"),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=None,  # straight through: the Rust test shows it
            text=True,
            env=env,
        )
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        ready = self._next("start Chromium")
        if not ready.get("ready"):
            raise RuntimeError(f"sign_in.mjs did not start: {ready}")
        self.tls = ready.get("tls")

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def _next(self, what):
        try:
            line = self.lines.get(timeout=BROWSER_TIMEOUT)
        except queue.Empty:
            raise RuntimeError(f"sign_in.mjs: no answer to '{what}' within {BROWSER_TIMEOUT}s") from None
        if line is None:
            raise RuntimeError(f"sign_in.mjs exited ({self.process.wait()}) during '{what}'")
        return json.loads(line)

    def command(self, what, **command):
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        return self._next(what)

    def sign_in(self, **command):
        return self.command("sign in", **command)

    def device_login(self, **command):
        return self.command("device login", **command)

    def logout(self, **command):
        return self.command("logout", **command)

    def close(self):
        try:
            self.process.stdin.close()
            self.process.wait(timeout=30)
        except Exception:  # noqa: BLE001 - best effort, then kill
            self.process.kill()


# --- checks -------------------------------------------------------------------------------------


class Loopback:
    """The client's side of the redirect: a listener on a free loopback port, as MSAL's own
    acquire_token_interactive runs (msal/oauth2cli/authcode.py). Records the requests it gets."""

    def __init__(self):
        self.paths = []
        paths = self.paths

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                if self.path.startswith("/favicon.ico"):
                    self.send_error(404)
                    return
                paths.append(self.path)
                body = b"<!DOCTYPE html><title>Signed in</title><p>Authentication complete.</p>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Context:
    def __init__(self):
        self.base = env("INTEROP_BASE_URL").rstrip("/")
        self.ca = env("INTEROP_CA_FILE")
        self.server_cert = env("INTEROP_SERVER_CERT")
        self.tenant = env("INTEROP_TENANT")
        self.member = env("INTEROP_MEMBER_UPN")
        self.member_password = env("INTEROP_MEMBER_PASSWORD")
        screenshot = os.environ.get("INTEROP_SCREENSHOT")
        self.screenshot = os.path.abspath(screenshot) if screenshot else None  # sign_in.mjs runs elsewhere
        self.allow_fallback = os.environ.get("INTEROP_ALLOW_IGNORE_HTTPS_ERRORS") == "1"
        # The one line an Entra user changes: the authority (see interop/msal_test.py).
        self.app = msal.PublicClientApplication(
            GRAPH_CLI,
            authority=f"{self.base}/{self.tenant}",
            instance_discovery=False,
            verify=self.ca,
            timeout=HTTP_TIMEOUT,
        )
        self.tenant_id = self.app.authority.tenant
        self.browser = None
        self.loopback = None
        self.user_id = None

    def graph_me(self, access_token):
        response = requests.get(f"{self.base}/v1.0/me", headers={"Authorization": f"Bearer {access_token}"},
                                verify=self.ca, timeout=HTTP_TIMEOUT)
        try:
            body = response.json()
        except ValueError:
            body = {"non-json body": response.text}
        return response.status_code, body

    def flow(self, **kwargs):
        """MSAL's authorization request to a loopback redirect URI on a free port."""
        self.loopback = Loopback()
        redirect_uri = f"http://localhost:{self.loopback.port}"
        flow = self.app.initiate_auth_code_flow(scopes=["User.Read"], redirect_uri=redirect_uri, **kwargs)
        query = parse_qs(urlsplit(flow["auth_uri"]).query)
        expect(urlsplit(flow["auth_uri"]).path == f"/{self.tenant_id}/oauth2/v2.0/authorize",
               f"auth_uri {flow['auth_uri']} is not the tenant's authorization endpoint", flow)
        expect(query.get("code_challenge_method") == ["S256"] and query.get("code_challenge"),
               "MSAL's authorization request has no S256 code challenge", flow)
        return flow, redirect_uri

    def browse(self, flow, redirect_uri, **command):
        try:
            result = self.browser.sign_in(auth_uri=flow["auth_uri"], redirect_prefix=redirect_uri,
                                          username=self.member, password=self.member_password, **command)
        finally:
            self.loopback.close()
        result["loopback_received"] = self.loopback.paths
        expect(result.get("ok"), f"the browser did not reach the redirect URI: {result.get('error')}", result)
        redirect = urlsplit(result["redirect"])
        expect(f"{redirect.scheme}://{redirect.netloc}" == redirect_uri and redirect.path in ("", "/"),
               f"redirected to {result['redirect']}, not {redirect_uri}", result)
        expect(self.loopback.paths == [f"/?{redirect.query}"],
               f"the loopback listener got {self.loopback.paths}, not the browser's final URL", result)
        params = dict(parse_qsl(redirect.query, keep_blank_values=True))
        expect("error" not in params, f"the server redirected with an error: {params}", result)
        expect(params.get("code"), f"no code in {result['redirect']}", result)
        expect(params.get("state") == flow["state"],
               f"state {params.get('state')!r} != MSAL's {flow['state']!r}", result)
        return result, params

    def redeem(self, flow, params, what):
        result = self.app.acquire_token_by_auth_code_flow(flow, params)
        expect(isinstance(result, dict) and "error" not in result, f"{what}: MSAL returned an error", result)
        expect(result.get("access_token"), f"{what}: no access_token", result)
        expect(str(result.get("token_type", "")).lower() == "bearer", f"{what}: token_type is not Bearer", result)
        claims = result.get("id_token_claims") or {}
        expect(claims, f"{what}: no id_token", result)
        expect(str(claims.get("preferred_username", "")).lower() == self.member.lower(),
               f"{what}: preferred_username {claims.get('preferred_username')!r} != {self.member!r}", result)
        expect(claims.get("tid") == self.tenant_id, f"{what}: tid {claims.get('tid')!r} != {self.tenant_id!r}",
               result)
        expect(claims.get("aud") == GRAPH_CLI, f"{what}: aud {claims.get('aud')!r} != {GRAPH_CLI}", result)
        # MSAL sends sha256(flow["nonce"]) and has already compared the ID token's nonce with it
        # (msal/oauth2cli/oidc.py, Client.obtain_token_by_auth_code_flow raises on a mismatch);
        # checked again here so a silently skipped check would show.
        expected_nonce = hashlib.sha256(flow["nonce"].encode("ascii")).hexdigest()
        expect(claims.get("nonce") == expected_nonce,
               f"{what}: id_token nonce {claims.get('nonce')!r} != sha256(flow nonce) {expected_nonce!r}", result)
        status, body = self.graph_me(result["access_token"])
        expect(status == 200, f"{what}: GET /v1.0/me: HTTP {status}", body)
        expect(str(body.get("userPrincipalName", "")).lower() == self.member.lower(),
               f"{what}: /v1.0/me userPrincipalName {body.get('userPrincipalName')!r}", body)
        return result, claims, body

    def device_flow(self, clear_cookies):
        """MSAL's device code flow (initiate_device_flow, acquire_token_by_device_flow polling in a
        thread), the code approved at /devicelogin in the browser meanwhile."""
        flow = self.app.initiate_device_flow(scopes=["User.Read"])
        expect("user_code" in flow, "initiate_device_flow returned no user_code", flow)
        uri = f"{self.base}/devicelogin"
        expect(flow.get("verification_uri") == uri, f"verification_uri {flow.get('verification_uri')!r}", flow)
        expect(flow.get("message") == f"To sign in, use a web browser to open the page {uri} and enter the code "
                                      f"{flow['user_code']} to authenticate.", "the message is not Entra's", flow)
        expect(flow.get("expires_in") == 900 and flow.get("interval") == 5, "expires_in/interval are not Entra's", flow)
        mark = len(exchanges)
        outcome = {}
        poller = threading.Thread(
            target=lambda: outcome.update(result=self.app.acquire_token_by_device_flow(flow)), daemon=True)
        poller.start()
        page = self.browser.device_login(device_login=uri, user_code=flow["user_code"], username=self.member,
                                         password=self.member_password, clear_cookies=clear_cookies)
        expect(page.get("ok"), f"the browser did not approve the code: {page.get('error')}", page)
        expect(page.get("question") == "Are you trying to sign in to Microsoft Graph Command Line Tools?",
               f"the page asked {page.get('question')!r}", page)
        expect(page.get("done") == "You have signed in to the Microsoft Graph Command Line Tools application on "
                                   "your device. You may now close this window.", f"the page said {page.get('done')!r}",
               page)
        poller.join(timeout=60)
        expect(not poller.is_alive(), "MSAL still polls a minute after the approval", flow)
        result = outcome.get("result") or {}
        expect("error" not in result and result.get("access_token"), "acquire_token_by_device_flow failed", result)
        polls = [e for e in exchanges[mark:] if e["request"].endswith("/oauth2/v2.0/token")]
        pending = [e for e in polls if "authorization_pending" in str(e.get("response"))]
        expect(pending, "MSAL never heard authorization_pending while the user was at the page", polls)
        expect(not any("slow_down" in str(e.get("response")) for e in polls), "MSAL was told to slow down", polls)
        claims = result.get("id_token_claims") or {}
        expect(str(claims.get("preferred_username", "")).lower() == self.member.lower()
               and claims.get("tid") == self.tenant_id and claims.get("aud") == GRAPH_CLI,
               "the id_token is not the member's for the Graph CLI in the tenant", claims)
        access = jwt_claims(result["access_token"])
        expect(access.get("azp") == GRAPH_CLI and access.get("tid") == self.tenant_id
               and "pwd" in access.get("amr", []) and "User.Read" in str(access.get("scp", "")).split(),
               "the access token's claims are wrong", access)
        status, body = self.graph_me(result["access_token"])
        expect(status == 200 and str(body.get("userPrincipalName", "")).lower() == self.member.lower(),
               f"GET /v1.0/me with the device flow's token: HTTP {status}", body)
        return page, len(polls)


@check("Chromium starts with the server's SPKI pinned and loads the server over HTTPS")
def start_browser(ctx):
    ctx.browser = Browser(ctx.base, ctx.server_cert, ctx.allow_fallback)
    if "fallback" in str(ctx.browser.tls):
        print("WARNING: Chromium refused the SPKI pin; the browser ignores certificate errors", flush=True)
    return f"TLS: {ctx.browser.tls}"


@check("auth code + PKCE: sign-in page, 'Stay signed in?' Yes, code redeemed by MSAL, /v1.0/me")
def first_sign_in(ctx):
    flow, redirect_uri = ctx.flow()
    result, params = ctx.browse(flow, redirect_uri, screenshot=ctx.screenshot, kmsi="yes")
    expect(result.get("password_page_shown"), "the sign-in page was not shown", result)
    expect(result.get("kmsi_page_shown"), "'Stay signed in?' was not shown", result)
    token, claims, me = ctx.redeem(flow, params, "acquire_token_by_auth_code_flow")
    ctx.user_id = me.get("id")
    expect(claims.get("oid") == ctx.user_id, f"id_token oid {claims.get('oid')!r} != /me id {ctx.user_id!r}", token)
    pages = " -> ".join(f"{d['method']} {urlsplit(d['url']).path} {d['status']}" for d in result["documents"])
    return f"{pages}; scope {token.get('scope')!r}"


@check("SSO: a second authorization request in the same browser gets a code without the password page")
def single_sign_on(ctx):
    flow, redirect_uri = ctx.flow()
    result, params = ctx.browse(flow, redirect_uri, expect_sso=True)
    expect(not result.get("password_page_shown"), "the password page was shown despite the SSO cookie", result)
    expect(not result.get("kmsi_page_shown"), "'Stay signed in?' was shown despite the SSO cookie", result)
    ctx.redeem(flow, params, "acquire_token_by_auth_code_flow (SSO)")
    return " -> ".join(f"{d['method']} {urlsplit(d['url']).path} {d['status']}" for d in result["documents"])


@check("prompt=login: the password page is shown again despite the SSO cookie")
def prompt_login(ctx):
    flow, redirect_uri = ctx.flow(prompt="login")
    expect("prompt=login" in flow["auth_uri"], "MSAL did not send prompt=login", flow)
    result, params = ctx.browse(flow, redirect_uri, kmsi="yes")
    expect(result.get("password_page_shown"), "prompt=login did not show the password page", result)
    ctx.redeem(flow, params, "acquire_token_by_auth_code_flow (prompt=login)")
    return " -> ".join(f"{d['method']} {urlsplit(d['url']).path} {d['status']}" for d in result["documents"])


@check("logout: /logout ends the SSO session, clears its cookie, never redirects to an unregistered URI; "
       "the next sign-in asks for the password")
def logout(ctx):
    uri = (f"{ctx.base}/{ctx.tenant_id}/oauth2/v2.0/logout?client_id={GRAPH_CLI}"
           "&post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F&state=s1")
    result = ctx.browser.logout(logout=uri)
    expect(result.get("ok"), f"the signed-out page was not shown: {result.get('error')}", result)
    expect(urlsplit(result["url"]).netloc == urlsplit(ctx.base).netloc,
           f"the browser left the server for {result['url']}", result)
    expect("__Host-gatehouse-sso" not in result.get("cookies", []), "the SSO cookie is still set", result)
    flow, redirect_uri = ctx.flow()
    again, params = ctx.browse(flow, redirect_uri, kmsi="yes")
    expect(again.get("password_page_shown"), "after logout the password page was not shown", again)
    ctx.redeem(flow, params, "acquire_token_by_auth_code_flow (after logout)")
    return " -> ".join(f"{d['method']} {urlsplit(d['url']).path} {d['status']}"
                       for d in result["documents"] + again["documents"])


@check("device code: MSAL polls while the user enters the code, signs in (no session) and continues")
def device_code_with_sign_in(ctx):
    page, polls = ctx.device_flow(clear_cookies=True)
    expect(page.get("password_page_shown") and page.get("kmsi_page_shown"),
           "without a session the device login did not go through the sign-in pages", page)
    return " -> ".join(f"{d['method']} {urlsplit(d['url']).path} {d['status']}" for d in page["documents"]) + \
        f"; {polls} token requests"


@check("device code with an SSO session: straight to 'Are you trying to sign in to ...?'")
def device_code_with_session(ctx):
    page, polls = ctx.device_flow(clear_cookies=False)
    expect(not page.get("password_page_shown"), "the password page was shown despite the SSO cookie", page)
    return " -> ".join(f"{d['method']} {urlsplit(d['url']).path} {d['status']}" for d in page["documents"]) + \
        f"; {polls} token requests"


def main():
    ctx = Context()
    print(f"msal {msal.__version__}, requests {requests.__version__}, Python {sys.version.split()[0]}; "
          f"authority {ctx.base}/{ctx.tenant} (tenant id {ctx.tenant_id})", flush=True)
    started = time.monotonic()
    try:
        for name, fn in CHECKS:
            mark = len(exchanges)
            t0 = time.monotonic()
            try:
                note = fn(ctx)
            except CheckFailed as failure:
                print(f"FAIL {name}\n     {failure}", flush=True)
                print("---- details ----\n" + show(failure.details))
                report_exchanges(mark)
                return 1
            except Exception as exc:  # noqa: BLE001 - MSAL or the browser raising is a failure too
                import traceback
                print(f"FAIL {name}\n     {type(exc).__name__}: {exc}", flush=True)
                traceback.print_exc(file=sys.stdout)
                report_exchanges(mark)
                return 1
            elapsed = (time.monotonic() - t0) * 1000
            print(f"ok   {name} ({elapsed:.0f} ms){' - ' + str(note) if note else ''}", flush=True)
    finally:
        if ctx.browser:
            ctx.browser.close()
    print(f"all {len(CHECKS)} browser checks passed in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
