#!/usr/bin/env python3
"""Interoperability checks: Microsoft's MSAL for Python against a running Gatehouse server.

Changes only the authority (and turns off instance discovery, which would ask
login.microsoftonline.com about our host), exactly as a user of Entra ID would.

Environment:
  INTEROP_BASE_URL        the server's public URL, e.g. https://localhost (no trailing slash).
                          MSAL's username/password flow first calls
                          https://{host}/common/userrealm/{upn} on the DEFAULT port (msal/authority.py,
                          Authority.user_realm_discovery uses the host name only), so the server must
                          answer on 443 for that flow to work.
  INTEROP_CA_FILE         PEM file of the CA that signed the server's certificate (passed to MSAL as
                          verify=, which it hands to requests).
  INTEROP_TENANT          tenant (verified domain) of the user who signs in successfully.
  INTEROP_MEMBER_UPN      that user, in a tenant with security defaults off.
  INTEROP_MEMBER_PASSWORD
  INTEROP_ADMIN_TENANT    tenant (verified domain) of a Global Administrator under security defaults;
                          defaults to the domain of INTEROP_ADMIN_UPN.
  INTEROP_ADMIN_UPN       that Global Administrator (must be refused with AADSTS50076).
  INTEROP_ADMIN_PASSWORD
  INTEROP_VERBOSE=1       log MSAL's debug output.

Prints one line per check; on the first failure prints the full response and the last HTTP
exchanges (passwords and tokens redacted) and exits 1. Exit 2 means a setup error.
"""

import logging
import os
import sys
import time
import warnings
from urllib.parse import urlsplit

import msal
import requests

from harness import CHECKS, CheckFailed, check, env, exchanges, expect, report_exchanges, show

GRAPH_CLI = "14d82eec-204b-4c2f-b7e8-296a70dab67e"  # Microsoft Graph Command Line Tools
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"  # Microsoft Azure CLI
HTTP_TIMEOUT = 60  # seconds, per HTTP request

# MSAL marks username/password as deprecated for public clients; it still is the flow under test.
warnings.simplefilter("ignore", DeprecationWarning)


# --- a record of the HTTP exchanges, for failure reports -----------------------------------------


# --- checks -----------------------------------------------------------------------------------


class Context:
    def __init__(self):
        self.base = env("INTEROP_BASE_URL").rstrip("/")
        self.ca = env("INTEROP_CA_FILE")
        self.tenant = env("INTEROP_TENANT")
        self.member = env("INTEROP_MEMBER_UPN")
        self.member_password = env("INTEROP_MEMBER_PASSWORD")
        self.admin = env("INTEROP_ADMIN_UPN")
        self.admin_password = env("INTEROP_ADMIN_PASSWORD")
        self.admin_tenant = os.environ.get("INTEROP_ADMIN_TENANT") or self.admin.rsplit("@", 1)[-1]
        self.tenant_id = None
        self.app = None
        self.account = None
        self.first_access_token = None
        self.second_access_token = None

    def public_app(self, client_id, tenant):
        # The one line an Entra user changes: the authority. instance_discovery=False because the
        # host is not one of Microsoft's; verify= makes MSAL's requests session trust our CA.
        return msal.PublicClientApplication(
            client_id,
            authority=f"{self.base}/{tenant}",
            instance_discovery=False,
            verify=self.ca,
            timeout=HTTP_TIMEOUT,  # MSAL waits forever by default; a hung endpoint should fail the check
        )

    def graph_me(self, access_token):
        response = requests.get(
            f"{self.base}/v1.0/me",
            headers={"Authorization": f"Bearer {access_token}"},
            verify=self.ca,
            timeout=HTTP_TIMEOUT,
        )
        try:
            body = response.json()
        except ValueError:
            body = {"non-json body": response.text}
        return response.status_code, body


def require_token(result, what):
    expect(isinstance(result, dict), f"{what}: MSAL returned {result!r}", result)
    expect("error" not in result, f"{what}: MSAL returned an error", result)
    expect(result.get("access_token"), f"{what}: no access_token", result)
    expect(result.get("token_type", "").lower() == "bearer", f"{what}: token_type is not Bearer", result)


def require_error(result, what, error, code):
    expect(isinstance(result, dict), f"{what}: MSAL returned {result!r}", result)
    expect("access_token" not in result, f"{what}: a token was issued", result)
    expect(result.get("error") == error, f"{what}: error is {result.get('error')!r}, expected {error!r}", result)
    expect(code in (result.get("error_codes") or []),
           f"{what}: error_codes {result.get('error_codes')!r} do not contain {code}", result)
    expect(str(result.get("error_description", "")).startswith(f"AADSTS{code}:"),
           f"{what}: error_description does not start with 'AADSTS{code}:'", result)


@check("discovery: MSAL accepts the OpenID configuration; issuer is {base}/{tenant-id}/v2.0")
def discovery(ctx):
    url = f"{ctx.base}/{ctx.tenant}/v2.0/.well-known/openid-configuration"
    response = requests.get(url, verify=ctx.ca, timeout=HTTP_TIMEOUT)
    expect(response.status_code == 200, f"GET {url}: HTTP {response.status_code}", response.text)
    config = response.json()
    # What msal/authority.py reads: authorization_endpoint and token_endpoint (required),
    # device_authorization_endpoint and issuer (optional); the tenant is the token endpoint's first
    # path segment (canonicalize).
    ctx.app = ctx.public_app(GRAPH_CLI, ctx.tenant)
    tenant_id = ctx.app.authority.tenant
    expect(tenant_id != ctx.tenant and len(tenant_id) == 36,
           f"the token endpoint names the tenant by id, got {tenant_id!r}", config)
    ctx.tenant_id = tenant_id
    expect(config.get("issuer") == f"{ctx.base}/{tenant_id}/v2.0",
           f"issuer {config.get('issuer')!r} != {ctx.base}/{tenant_id}/v2.0", config)
    expect(urlsplit(ctx.app.authority.token_endpoint).netloc == urlsplit(ctx.base).netloc,
           "the token endpoint is on the server's host", config)
    return f"tenant id {tenant_id}"


@check("username/password (Graph Command Line Tools, User.Read): token, id_token_claims, refresh token cached")
def ropc(ctx):
    result = ctx.app.acquire_token_by_username_password(ctx.member, ctx.member_password, scopes=["User.Read"])
    require_token(result, "acquire_token_by_username_password")
    claims = result.get("id_token_claims") or {}
    expect(claims, "no id_token (MSAL adds openid profile offline_access to every request)", result)
    expect(str(claims.get("preferred_username", "")).lower() == ctx.member.lower(),
           f"id_token preferred_username {claims.get('preferred_username')!r} != {ctx.member!r}", result)
    expect(claims.get("tid") == ctx.tenant_id, f"id_token tid {claims.get('tid')!r} != {ctx.tenant_id!r}", result)
    expect(claims.get("aud") == GRAPH_CLI, f"id_token aud {claims.get('aud')!r} != {GRAPH_CLI}", result)
    expect(result.get("token_source") == "identity_provider", "token_source is not identity_provider", result)
    refresh_tokens = list(ctx.app.token_cache.search(msal.TokenCache.CredentialType.REFRESH_TOKEN))
    expect(len(refresh_tokens) == 1, f"{len(refresh_tokens)} refresh tokens in MSAL's cache, expected 1", result)
    accounts = ctx.app.get_accounts(username=ctx.member)
    # MSAL creates the account only when the response carries client_info with uid and utid
    # (msal/token_cache.py, TokenCache.__parse_account and __add).
    expect(len(accounts) == 1, f"MSAL's cache has {len(accounts)} accounts for {ctx.member} (is client_info missing?)",
           result)
    ctx.account = accounts[0]
    expect(ctx.account.get("realm") == ctx.tenant_id, f"account realm {ctx.account.get('realm')!r}", ctx.account)
    ctx.first_access_token = result["access_token"]
    return f"scope {result.get('scope')!r}, expires_in {result.get('expires_in')}"


@check("GET /v1.0/me with MSAL's access token returns the user")
def me(ctx):
    status, body = ctx.graph_me(ctx.first_access_token)
    expect(status == 200, f"GET /v1.0/me: HTTP {status}", body)
    expect(str(body.get("userPrincipalName", "")).lower() == ctx.member.lower(),
           f"userPrincipalName {body.get('userPrincipalName')!r} != {ctx.member!r}", body)
    return body.get("id")


@check("acquire_token_silent(force_refresh=True) redeems the refresh token for a new access token")
def silent_refresh(ctx):
    # acquire_token_silent is this call minus the error details (application.py returns None
    # whenever the result has "error"); the _with_error form keeps them for the report.
    result = ctx.app.acquire_token_silent_with_error(["User.Read"], ctx.account, force_refresh=True)
    require_token(result, "acquire_token_silent_with_error(force_refresh=True)")
    expect(result.get("token_source") == "identity_provider",
           f"token_source {result.get('token_source')!r}: the token did not come from the server", result)
    expect(result["access_token"] != ctx.first_access_token, "the refreshed access token is the same", result)
    status, body = ctx.graph_me(result["access_token"])
    expect(status == 200 and str(body.get("userPrincipalName", "")).lower() == ctx.member.lower(),
           f"GET /v1.0/me with the refreshed token: HTTP {status}", body)
    ctx.second_access_token = result["access_token"]


@check("a second forced refresh works with the rotated refresh token MSAL cached")
def silent_refresh_again(ctx):
    result = ctx.app.acquire_token_silent(["User.Read"], ctx.account, force_refresh=True)
    expect(result is not None, "acquire_token_silent returned None (the refresh failed)", result)
    require_token(result, "acquire_token_silent(force_refresh=True)")
    expect(result["access_token"] not in (ctx.first_access_token, ctx.second_access_token),
           "the access token was not renewed", result)


@check("a wrong password is invalid_grant with error_codes [50126]")
def wrong_password(ctx):
    app = ctx.public_app(GRAPH_CLI, ctx.tenant)
    result = app.acquire_token_by_username_password(ctx.member, ctx.member_password + "-wrong", scopes=["User.Read"])
    require_error(result, "wrong password", "invalid_grant", 50126)
    return f"error_codes {result.get('error_codes')}"


@check("a Global Administrator under security defaults must use MFA: error_codes [50076]")
def mfa_required(ctx):
    app = ctx.public_app(GRAPH_CLI, ctx.admin_tenant)
    result = app.acquire_token_by_username_password(ctx.admin, ctx.admin_password, scopes=["User.Read"])
    require_error(result, "Global Administrator under security defaults", "invalid_grant", 50076)
    expect(result.get("error_codes") == [50076], f"error_codes {result.get('error_codes')!r} != [50076]", result)
    return f"error_codes {result.get('error_codes')}"


@check("scopes=['https://graph.microsoft.com/.default'] (Azure CLI) works and reaches /v1.0/me")
def graph_default(ctx):
    app = ctx.public_app(AZURE_CLI, ctx.tenant)
    result = app.acquire_token_by_username_password(
        ctx.member, ctx.member_password, scopes=["https://graph.microsoft.com/.default"])
    require_token(result, "acquire_token_by_username_password(.default)")
    claims = result.get("id_token_claims") or {}
    expect(claims.get("tid") == ctx.tenant_id, f"id_token tid {claims.get('tid')!r}", result)
    status, body = ctx.graph_me(result["access_token"])
    expect(status == 200 and str(body.get("userPrincipalName", "")).lower() == ctx.member.lower(),
           f"GET /v1.0/me with the .default token: HTTP {status}", body)
    scopes = str(result.get("scope", "")).split()
    return f"{len(scopes)} scopes granted, e.g. {' '.join(scopes[:3])} ..."


def main():
    if os.environ.get("INTEROP_VERBOSE") == "1":
        logging.basicConfig(level=logging.DEBUG)
    ctx = Context()
    print(f"msal {msal.__version__}, requests {requests.__version__}, Python {sys.version.split()[0]}; "
          f"authority {ctx.base}/{ctx.tenant}", flush=True)
    started = time.monotonic()
    for name, fn in CHECKS:
        mark = len(exchanges)
        t0 = time.monotonic()
        try:
            note = fn(ctx)
        except CheckFailed as failure:
            print(f"FAIL {name}\n     {failure}", flush=True)
            print("---- full response ----\n" + show(failure.response))
            report_exchanges(mark)
            return 1
        except Exception as exc:  # noqa: BLE001 - MSAL raising is a failure to report, too
            import traceback
            print(f"FAIL {name}\n     {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stdout)
            report_exchanges(mark)
            return 1
        elapsed = (time.monotonic() - t0) * 1000
        print(f"ok   {name} ({elapsed:.0f} ms){' - ' + str(note) if note else ''}", flush=True)
    print(f"all {len(CHECKS)} MSAL checks passed in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
