"""What every interop script shares: trusting only our CA, a redacted record of the HTTP exchanges
(for failure reports), and the check runner's small vocabulary.

Importing this module installs the recorder on requests.Session.send (the session MSAL and
azure-core's requests transport use) and drops REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE: requests lets
them override a session's verify= (requests/sessions.py, Session.merge_environment_settings), so on
machines that export them -- CI images often do -- the libraries would ignore our CA.
"""

import base64
import json
import os
import sys
from urllib.parse import parse_qsl

import requests

for _name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
    os.environ.pop(_name, None)

SECRET_FIELDS = {"password", "refresh_token", "access_token", "id_token", "client_secret",
                 "client_assertion", "secretText", "code", "code_verifier", "device_code"}
exchanges = []


def _redact_form(body):
    if not body:
        return body
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    pairs = parse_qsl(body, keep_blank_values=True)
    if not pairs:
        return body
    return "&".join(f"{k}={'<redacted>' if k in SECRET_FIELDS else v}" for k, v in pairs)


def _redact_json_text(text):
    try:
        value = json.loads(text)
    except ValueError:
        return text[:4000]
    if isinstance(value, dict):
        value = {k: ("<redacted>" if k in SECRET_FIELDS else v) for k, v in value.items()}
    return json.dumps(value)[:4000]


_original_send = requests.Session.send


def _recording_send(self, request, **kwargs):
    entry = {
        "request": f"{request.method} {request.url}",
        "body": _redact_form(request.body),
        "client-request-id": request.headers.get("client-request-id"),
    }
    exchanges.append(entry)
    try:
        response = _original_send(self, request, **kwargs)
    except Exception as exc:  # noqa: BLE001 - recorded, then re-raised
        entry["exception"] = repr(exc)
        raise
    entry["status"] = response.status_code
    entry["response"] = _redact_json_text(response.text)
    return response


requests.Session.send = _recording_send


def report_exchanges(mark):
    """Prints the exchanges recorded since `mark` (a former len(exchanges))."""
    print("---- HTTP exchanges during this check (secrets redacted) ----")
    for entry in exchanges[mark:]:
        print(json.dumps(entry, indent=2))
    sys.stdout.flush()


class CheckFailed(Exception):
    def __init__(self, message, response=None):
        super().__init__(message)
        self.response = response
        self.details = response


def env(name, default=None):
    value = os.environ.get(name, default)
    if not value:
        script = os.path.basename(sys.argv[0]).removesuffix(".py")
        print(f"{script}: environment variable {name} is required", file=sys.stderr)
        sys.exit(2)
    return value


def expect(condition, message, response=None):
    if not condition:
        raise CheckFailed(message, response)


def show(value):
    """A result for a failure report, with tokens shortened."""
    if not isinstance(value, dict):
        return repr(value)
    shown = {}
    for key, item in value.items():
        if key in ("access_token", "refresh_token", "id_token") and isinstance(item, str):
            shown[key] = item[:24] + "..." if len(item) > 24 else item
        else:
            shown[key] = item
    return json.dumps(shown, indent=2, default=str)


def jwt_claims(token):
    """The payload of a JWT, signature not checked (the server's own tests check signatures)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise CheckFailed(f"the token is not a JWT ({len(parts)} parts)")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    return json.loads(base64.urlsafe_b64decode(payload))


CHECKS = []


def check(name):
    """Registers a check, run in definition order."""
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register
