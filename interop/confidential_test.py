#!/usr/bin/env python3
"""Interoperability checks for confidential clients: Microsoft's MSAL for Python
(ConfidentialClientApplication.acquire_token_for_client) and the Azure Identity library
(ClientSecretCredential, CertificateCredential) against a running Gatehouse server, with a client
secret and with certificates (private_key_jwt). The certificates are generated here and uploaded
through Graph: the first with PATCH keyCredentials, the second with addKey and a proof of
possession signed by the first.

Changes only the authority (and turns off instance discovery, which would ask
login.microsoftonline.com about our host), exactly as a user of Entra ID would.

Environment:
  INTEROP_BASE_URL        the server's public URL, e.g. https://localhost (no trailing slash).
  INTEROP_CA_FILE         PEM file of the CA that signed the server's certificate.
  INTEROP_TENANT_ID       the application's tenant, by id (azure-identity wants an id).
  INTEROP_TENANT_DOMAIN   the same tenant by a verified domain (MSAL's authority).
  INTEROP_CLIENT_ID       the application's appId; it has a service principal in the tenant.
  INTEROP_CLIENT_SECRET   a client secret of the application (addPassword's secretText).
  INTEROP_APP_OBJECT_ID   the application's object id (for Graph).
  INTEROP_ADMIN_TOKEN     a delegated Graph token allowed to change the application.
  INTEROP_VERBOSE=1       log MSAL's and azure-core's debug output.

Prints one line per check; on the first failure prints the full result and the last HTTP
exchanges (secrets and tokens redacted) and exits 1. Exit 2 means a setup error.
"""

import base64
import datetime
import hashlib
import logging
import os
import sys
import time

import azure.core
import azure.identity
import msal
import requests
import jwt  # PyJWT, which MSAL itself uses to sign client assertions
from azure.core.exceptions import ClientAuthenticationError
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from harness import CHECKS, CheckFailed, check, env, exchanges, expect, jwt_claims, report_exchanges, show

GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
GRAPH_APP_ID = "00000003-0000-0000-c000-000000000000"
# Application permissions that let an app-only caller list /v1.0/applications.
APPLICATION_READERS = {"Application.Read.All", "Application.ReadWrite.All",
                       "Directory.Read.All", "Directory.ReadWrite.All"}
HTTP_TIMEOUT = 60  # seconds, per HTTP request


# --- a record of the HTTP exchanges, for failure reports -----------------------------------------


# --- checks -----------------------------------------------------------------------------------


class Context:
    def __init__(self):
        self.base = env("INTEROP_BASE_URL").rstrip("/")
        self.ca = env("INTEROP_CA_FILE")
        self.tenant_id = env("INTEROP_TENANT_ID")
        self.tenant_domain = env("INTEROP_TENANT_DOMAIN")
        self.client_id = env("INTEROP_CLIENT_ID")
        self.secret = env("INTEROP_CLIENT_SECRET")
        self.object_id = env("INTEROP_APP_OBJECT_ID")
        self.admin_token = env("INTEROP_ADMIN_TOKEN")
        self.certs = []
        self.app = None
        self.msal_token = None
        self.msal_claims = None
        self.azure_token = None

    def confidential_app(self, secret, tenant):
        # The one line an Entra user changes: the authority. instance_discovery=False because the
        # host is not one of Microsoft's; verify= makes MSAL's requests session trust our CA.
        return msal.ConfidentialClientApplication(
            self.client_id,
            client_credential=secret,
            authority=f"{self.base}/{tenant}",
            instance_discovery=False,
            verify=self.ca,
            timeout=HTTP_TIMEOUT,
        )

    def graph(self, path, access_token, method="GET", body=None):
        response = requests.request(
            method,
            f"{self.base}{path}",
            headers={"Authorization": f"Bearer {access_token}"},
            json=body,
            verify=self.ca,
            timeout=HTTP_TIMEOUT,
        )
        try:
            body = response.json()
        except ValueError:
            body = {"non-json body": response.text[:2000]}
        return response.status_code, body


def require_app_claims(ctx, claims, what, azpacr="1"):
    expect(claims.get("idtyp") == "app", f"{what}: idtyp {claims.get('idtyp')!r} != 'app'", claims)
    expect(claims.get("tid") == ctx.tenant_id, f"{what}: tid {claims.get('tid')!r} != {ctx.tenant_id!r}", claims)
    expect(claims.get("azp") == ctx.client_id, f"{what}: azp {claims.get('azp')!r} != {ctx.client_id!r}", claims)
    expect(claims.get("azpacr") == azpacr,
           f"{what}: azpacr {claims.get('azpacr')!r} != {azpacr!r} (1 secret, 2 certificate)", claims)
    expect(claims.get("aud") in (GRAPH_APP_ID, "https://graph.microsoft.com"),
           f"{what}: aud {claims.get('aud')!r} is not Microsoft Graph", claims)
    expect(claims.get("iss") == f"{ctx.base}/{ctx.tenant_id}/v2.0",
           f"{what}: iss {claims.get('iss')!r} != {ctx.base}/{ctx.tenant_id}/v2.0", claims)
    expect("scp" not in claims, f"{what}: an app-only token has scp {claims.get('scp')!r}", claims)
    expect(claims.get("oid") and claims.get("oid") == claims.get("sub"),
           f"{what}: oid {claims.get('oid')!r} != sub {claims.get('sub')!r} (the service principal)", claims)


@check("MSAL acquire_token_for_client(['https://graph.microsoft.com/.default']) on the domain authority: "
       "an app-only token (idtyp app, tid, azp, azpacr 1)")
def msal_client_credentials(ctx):
    ctx.app = ctx.confidential_app(ctx.secret, ctx.tenant_domain)
    expect(ctx.app.authority.tenant == ctx.tenant_id,
           f"MSAL's authority tenant is {ctx.app.authority.tenant!r}, expected the id {ctx.tenant_id} "
           "(from the token endpoint in discovery)")
    result = ctx.app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    expect(isinstance(result, dict), f"MSAL returned {result!r}", result)
    expect("error" not in result, "MSAL returned an error", result)
    expect(result.get("access_token"), "no access_token", result)
    expect(str(result.get("token_type", "")).lower() == "bearer", "token_type is not Bearer", result)
    expect(result.get("token_source") == "identity_provider",
           f"token_source {result.get('token_source')!r}: the first call did not reach the server", result)
    expect("refresh_token" not in result, "a refresh token was issued to a confidential client", result)
    expect(isinstance(result.get("expires_in"), int) and result["expires_in"] > 600,
           f"expires_in {result.get('expires_in')!r}", result)
    claims = jwt_claims(result["access_token"])
    require_app_claims(ctx, claims, "MSAL's token")
    ctx.msal_token = result["access_token"]
    ctx.msal_claims = claims
    return (f"expires_in {result['expires_in']}, scope in response {result.get('scope')!r}, "
            f"roles {claims.get('roles')!r}")


@check("a second acquire_token_for_client is served from MSAL's token cache (same token)")
def msal_cache(ctx):
    # MSAL caches under the response's `scope`, or the requested scopes when the response has none
    # (msal/oauth2cli/oauth2.py, Client._obtain_token: on_obtaining_tokens), then looks the token
    # up by the requested scopes (msal/application.py, acquire_token_for_client ->
    # _acquire_token_silent_from_cache_and_possibly_refresh_it).
    before = len(exchanges)
    result = ctx.app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    expect(isinstance(result, dict) and "error" not in result, "the second call failed", result)
    expect(result.get("token_source") == "cache",
           f"token_source {result.get('token_source')!r}, expected 'cache'", result)
    expect(result.get("access_token") == ctx.msal_token, "the cached access token differs", result)
    expect(len(exchanges) == before, f"{len(exchanges) - before} HTTP requests were made", result)
    cached = list(ctx.app.token_cache.search(msal.TokenCache.CredentialType.ACCESS_TOKEN))
    targets = sorted({entry.get("target") for entry in cached})
    return f"{len(cached)} access token(s) cached, target {targets}"


@check("MSAL with a wrong client secret: invalid_client, error_codes [7000215]")
def msal_wrong_secret(ctx):
    app = ctx.confidential_app(ctx.secret + "-wrong", ctx.tenant_id)
    result = app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    expect(isinstance(result, dict), f"MSAL returned {result!r}", result)
    expect("access_token" not in result, "a token was issued for a wrong secret", result)
    expect(result.get("error") == "invalid_client", f"error {result.get('error')!r} != 'invalid_client'", result)
    expect(result.get("error_codes") == [7000215], f"error_codes {result.get('error_codes')!r} != [7000215]", result)
    expect(str(result.get("error_description", "")).startswith("AADSTS7000215:"),
           "error_description does not start with 'AADSTS7000215:'", result)
    return f"error_codes {result.get('error_codes')}"


@check("azure-identity ClientSecretCredential(tenant id, authority=host, disable_instance_discovery=True)"
       ".get_token(.default): unexpired app-only token")
def azure_client_secret_credential(ctx):
    # azure-identity builds the MSAL authority as f"{authority}/{tenant_id}" after normalize_authority
    # (azure/identity/_internal/msal_credentials.py, MsalCredential._get_app; utils.py adds https://
    # to a bare host), so the authority is the base URL (host[:port]) without a tenant.
    # connection_verify= reaches azure-core's RequestsTransport (the http_client MSAL is given).
    credential = azure.identity.ClientSecretCredential(
        ctx.tenant_id,
        ctx.client_id,
        ctx.secret,
        authority=ctx.base,
        disable_instance_discovery=True,
        connection_verify=ctx.ca,
        connection_timeout=HTTP_TIMEOUT,
        read_timeout=HTTP_TIMEOUT,
    )
    with credential:
        now = int(time.time())
        token = credential.get_token(GRAPH_DEFAULT)
        expect(token.token, "no token", token)
        expect(token.expires_on > now + 600, f"expires_on {token.expires_on} is not well after now ({now})")
        claims = jwt_claims(token.token)
        require_app_claims(ctx, claims, "azure-identity's token")
        expect(claims.get("oid") == ctx.msal_claims.get("oid"),
               f"oid {claims.get('oid')!r} != MSAL's token's {ctx.msal_claims.get('oid')!r}", claims)
        again = credential.get_token(GRAPH_DEFAULT)
        expect(again.token == token.token, "a second get_token did not come from the credential's cache")
        ctx.azure_token = token.token
    return f"expires_on in {token.expires_on - now}s; second get_token cached"


@check("azure-identity with a wrong client secret raises ClientAuthenticationError naming AADSTS7000215")
def azure_wrong_secret(ctx):
    credential = azure.identity.ClientSecretCredential(
        ctx.tenant_id,
        ctx.client_id,
        ctx.secret + "-wrong",
        authority=ctx.base,
        disable_instance_discovery=True,
        connection_verify=ctx.ca,
    )
    # get_token logs the failure as a warning before raising; that is expected here.
    quiet = logging.getLogger("azure.identity")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        with credential:
            credential.get_token(GRAPH_DEFAULT)
    except ClientAuthenticationError as exc:
        message = str(exc.message or exc)
        expect("AADSTS7000215" in message, f"the error does not name AADSTS7000215: {message[:300]}")
        return type(exc).__name__
    finally:
        quiet.setLevel(level)
    raise CheckFailed("get_token returned a token for a wrong secret")


@check("GET /v1.0/me with the app-only token: 400 (delegated only)")
def graph_me(ctx):
    for who, token in (("MSAL", ctx.msal_token), ("azure-identity", ctx.azure_token)):
        status, body = ctx.graph("/v1.0/me", token)
        expect(status == 400, f"{who}'s token: GET /v1.0/me: HTTP {status}, expected 400", body)
        error = body.get("error") if isinstance(body, dict) else None
        expect(isinstance(error, dict) and error.get("code") == "BadRequest",
               f"{who}'s token: Graph error {error!r}", body)
    return body["error"].get("message")


@check("GET /v1.0/applications with the app-only token: 403 without an application permission, "
       "200 with one in roles")
def graph_applications(ctx):
    roles = set(ctx.msal_claims.get("roles") or [])
    status, body = ctx.graph("/v1.0/applications", ctx.msal_token)
    granted = sorted(roles & APPLICATION_READERS)
    if granted:
        expect(status == 200, f"roles {granted} but GET /v1.0/applications: HTTP {status}", body)
        names = [a.get("appId") for a in body.get("value", [])]
        expect(ctx.client_id in names, f"the application {ctx.client_id} is not listed", body)
        return f"200 with roles {granted} ({len(names)} applications)"
    expect(status == 403, f"no application permission in roles {sorted(roles)} but GET /v1.0/applications: "
           f"HTTP {status}, expected 403", body)
    error = body.get("error") if isinstance(body, dict) else None
    expect(isinstance(error, dict) and error.get("code") == "Authorization_RequestDenied",
           f"Graph error {error!r}", body)
    return f"403 Authorization_RequestDenied (roles {sorted(roles) or 'absent'})"


# --- certificates (private_key_jwt) ------------------------------------------------------------


class Certificate:
    """A self-signed RSA-2048 certificate and its key, as a developer makes one with openssl."""

    def __init__(self, name):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        now = datetime.datetime.now(datetime.timezone.utc)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
        )
        self.der = self.cert.public_bytes(serialization.Encoding.DER)
        self.thumbprint = hashlib.sha1(self.der).hexdigest().upper()
        self.key_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        self.cert_pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()

    def key_credential(self):
        return {"type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(self.der).decode()}

    def x5t(self):
        return base64.urlsafe_b64encode(hashlib.sha1(self.der).digest()).decode().rstrip("=")


@check("PATCH /v1.0/applications/{id} keyCredentials with a new certificate; GET shows it without the key")
def upload_first_certificate(ctx):
    first = Certificate("interop-daemon")
    ctx.certs.append(first)
    status, body = ctx.graph(f"/v1.0/applications/{ctx.object_id}", ctx.admin_token, "PATCH",
                             {"keyCredentials": [first.key_credential()]})
    expect(status == 204, f"PATCH keyCredentials: HTTP {status}", body)
    status, body = ctx.graph(f"/v1.0/applications/{ctx.object_id}", ctx.admin_token)
    expect(status == 200, f"GET application: HTTP {status}", body)
    keys = body.get("keyCredentials") or []
    expect(len(keys) == 1, f"{len(keys)} keyCredentials", body)
    key = keys[0]
    expect(key.get("key") is None, "the certificate came back in 'key'", key)
    expect(key.get("customKeyIdentifier") == base64.b64encode(hashlib.sha1(first.der).digest()).decode(),
           f"customKeyIdentifier {key.get('customKeyIdentifier')!r} is not the SHA-1 thumbprint", key)
    expect(key.get("displayName") == "CN=interop-daemon", f"displayName {key.get('displayName')!r}", key)
    expect(key.get("type") == "AsymmetricX509Cert" and key.get("usage") == "Verify", "type/usage", key)
    return f"keyId {key.get('keyId')}, thumbprint {first.thumbprint}"


@check("MSAL ConfidentialClientApplication(client_credential={private_key, thumbprint}): "
       "app-only token with azpacr 2")
def msal_certificate(ctx):
    first = ctx.certs[0]
    app = ctx.confidential_app({"private_key": first.key_pem, "thumbprint": first.thumbprint}, ctx.tenant_domain)
    result = app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    expect(isinstance(result, dict) and "error" not in result, "MSAL returned an error", result)
    expect(result.get("token_source") == "identity_provider", "the call did not reach the server", result)
    claims = jwt_claims(result["access_token"])
    require_app_claims(ctx, claims, "MSAL's certificate token", azpacr="2")
    # A fresh application object signs a fresh assertion (new jti): no replay.
    again = ctx.confidential_app({"private_key": first.key_pem, "thumbprint": first.thumbprint}, ctx.tenant_id)
    result = again.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    expect(isinstance(result, dict) and "error" not in result, "the second assertion failed", result)
    return f"expires_in {result.get('expires_in')}"


@check("MSAL with an unregistered certificate: invalid_client, error_codes [700027]")
def msal_unknown_certificate(ctx):
    stranger = Certificate("stranger")
    app = ctx.confidential_app({"private_key": stranger.key_pem, "thumbprint": stranger.thumbprint},
                               ctx.tenant_id)
    result = app.acquire_token_for_client(scopes=[GRAPH_DEFAULT])
    expect("access_token" not in result, "a token was issued for an unregistered certificate", result)
    expect(result.get("error") == "invalid_client", f"error {result.get('error')!r}", result)
    expect(result.get("error_codes") == [700027], f"error_codes {result.get('error_codes')!r} != [700027]", result)
    return f"error_codes {result.get('error_codes')}"


@check("POST /v1.0/applications/{id}/addKey with a proof signed by the first certificate adds a second one")
def add_key_with_proof(ctx):
    first = ctx.certs[0]
    second = Certificate("interop-daemon-rotated")
    now = int(time.time())
    proof = jwt.encode(
        {"aud": "00000002-0000-0000-c000-000000000000", "iss": ctx.object_id, "nbf": now, "exp": now + 600},
        first.key_pem, algorithm="RS256", headers={"x5t": first.x5t()},
    )
    body = {"keyCredential": second.key_credential(), "passwordCredential": None, "proof": proof}
    status, result = ctx.graph(f"/v1.0/applications/{ctx.object_id}/addKey", ctx.admin_token, "POST", body)
    expect(status == 200, f"addKey: HTTP {status}", result)
    expect(result.get("key") is None and result.get("displayName") == "CN=interop-daemon-rotated",
           "addKey's keyCredential", result)
    # The same proof, signed by a certificate the app does not have, is refused.
    stranger = Certificate("stranger")
    forged = jwt.encode(
        {"aud": "00000002-0000-0000-c000-000000000000", "iss": ctx.object_id, "nbf": now, "exp": now + 600},
        stranger.key_pem, algorithm="RS256", headers={"x5t": stranger.x5t()},
    )
    status, refused = ctx.graph(f"/v1.0/applications/{ctx.object_id}/addKey", ctx.admin_token, "POST",
                                {"keyCredential": stranger.key_credential(), "proof": forged})
    expect(status == 400, f"addKey with a forged proof: HTTP {status}, expected 400", refused)
    ctx.certs.append(second)
    return f"keyId {result.get('keyId')}"


@check("azure-identity CertificateCredential with the second certificate (PEM key and certificate): "
       "app-only token with azpacr 2")
def azure_certificate_credential(ctx):
    second = ctx.certs[1]
    credential = azure.identity.CertificateCredential(
        ctx.tenant_id,
        ctx.client_id,
        certificate_data=(second.key_pem + second.cert_pem).encode(),
        authority=ctx.base,
        disable_instance_discovery=True,
        connection_verify=ctx.ca,
        connection_timeout=HTTP_TIMEOUT,
        read_timeout=HTTP_TIMEOUT,
    )
    with credential:
        token = credential.get_token(GRAPH_DEFAULT)
        claims = jwt_claims(token.token)
        require_app_claims(ctx, claims, "azure-identity's certificate token", azpacr="2")
    return f"expires_on in {token.expires_on - int(time.time())}s"


def main():
    if os.environ.get("INTEROP_VERBOSE") == "1":
        logging.basicConfig(level=logging.DEBUG)
    ctx = Context()
    print(f"msal {msal.__version__}, azure-identity {azure.identity.__version__}, "
          f"azure-core {azure.core.__version__}, requests {requests.__version__}, "
          f"Python {sys.version.split()[0]}; authority {ctx.base}/{ctx.tenant_domain}", flush=True)
    started = time.monotonic()
    for name, fn in CHECKS:
        mark = len(exchanges)
        t0 = time.monotonic()
        try:
            note = fn(ctx)
        except CheckFailed as failure:
            print(f"FAIL {name}\n     {failure}", flush=True)
            print("---- full result ----\n" + show(failure.response))
            report_exchanges(mark)
            return 1
        except Exception as exc:  # noqa: BLE001 - a library raising is a failure to report, too
            import traceback
            print(f"FAIL {name}\n     {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stdout)
            report_exchanges(mark)
            return 1
        suffix = f" -- {note}" if note else ""
        print(f"ok   {name} ({time.monotonic() - t0:.2f}s){suffix}", flush=True)
    print(f"confidential_test: {len(CHECKS)} checks passed in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
