#!/usr/bin/env python3
"""Interoperability checks for the directory with Microsoft's Graph SDK for Python (msgraph-sdk)
against a running Gatehouse server: an app-only client (azure-identity ClientSecretCredential)
creates, reads, pages, updates, manages, deletes, restores and permanently deletes users, changing
only the authority and the Graph base URL, as a user of Entra ID would.

Every JSON body the SDK receives is validated against Microsoft's OpenAPI description of Graph
(../shared/graph-openapi): the schema's types and formats (openapi-schema-validator), and no property
the schema does not name.

Environment:
  INTEROP_BASE_URL        the server's public URL, e.g. https://localhost:8443 (no trailing slash).
  INTEROP_CA_FILE         PEM file of the CA that signed the server's certificate.
  INTEROP_TENANT_ID       the tenant id.
  INTEROP_TENANT_DOMAIN   the tenant's default domain (for user principal names).
  INTEROP_CLIENT_ID       appId of a confidential client whose service principal holds Graph's
                          User.ReadWrite.All application permission.
  INTEROP_CLIENT_SECRET   its client secret.
  INTEROP_OPENAPI_DIR     directory of Microsoft's Graph OpenAPI YAML files.

Prints one line per check; on the first failure prints the details and the last HTTP exchanges
(secrets redacted) and exits 1. Exit 2 means a setup error.
"""

import asyncio
import json
import os
import sys
import time

import httpx
import yaml
from azure.identity import ClientSecretCredential
from kiota_abstractions.api_error import APIError
from kiota_authentication_azure.azure_identity_authentication_provider import (
    AzureIdentityAuthenticationProvider,
)
from msgraph import GraphServiceClient
from msgraph.generated.models.password_profile import PasswordProfile
from msgraph.generated.models.reference_update import ReferenceUpdate
from msgraph.generated.models.user import User
from msgraph.generated.users.users_request_builder import UsersRequestBuilder
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph_core import GraphClientFactory, PageIterator
from msgraph_core.requests.batch_request_builder import BatchRequestBuilder
from msgraph_core.requests.batch_request_content import BatchRequestContent
from msgraph_core.requests.batch_request_item import BatchRequestItem
from openapi_schema_validator import OAS30Validator

from harness import CheckFailed, env, expect

GRAPH_DEFAULT = "https://graph.microsoft.com/.default"
PASSWORD = "Interop-Graph-Pa55word!"

# --- what the SDK received, for schema checks and failure reports --------------------------------

received = []


async def record(response):
    await response.aread()
    entry = {"request": f"{response.request.method} {response.request.url}",
             "status": response.status_code}
    if response.headers.get("content-type", "").startswith("application/json") and response.content:
        entry["json"] = response.json()
    received.append(entry)


def report(mark):
    print("---- HTTP exchanges during this check ----")
    for entry in received[mark:]:
        print(json.dumps(entry, indent=2)[:4000])
    sys.stdout.flush()


# --- Microsoft's OpenAPI description ---------------------------------------------------------------


class Schemas:
    """The component schemas of the Graph OpenAPI files, and checks of bodies against them."""

    def __init__(self, directory):
        self.components = {"schemas": {}}
        for name in ("Users.yml", "DirectoryObjects.yml"):
            with open(os.path.join(directory, name), encoding="utf-8") as f:
                loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
                doc = yaml.load(f, Loader=loader)
            self.components["schemas"].update(doc["components"]["schemas"])

    def properties(self, name):
        schema = self.components["schemas"][name]
        props = dict(schema.get("properties", {}))
        for part in schema.get("allOf", []):
            ref = part.get("$ref")
            if ref:
                props.update(self.properties(ref.rsplit("/", 1)[1]))
            props.update(part.get("properties", {}))
        return props

    def check(self, name, body, path="$"):
        """`body` names only properties of `name` (through its base types), each value valid for its
        property's schema (type, format, nullability, nested objects)."""
        props = self.properties(name)
        for key, value in body.items():
            if key.startswith("@odata."):
                continue
            expect(key in props, f"{path}.{key} is not a property of {name}", body)
            # Each property on its own: Microsoft's entity schemas set additionalProperties in every
            # allOf part, which a whole-object validation would misread.
            validator = OAS30Validator(dict(props[key], components=self.components))
            errors = list(validator.iter_errors(value))
            expect(not errors, f"{path}.{key} is not valid for {name}: "
                   + "; ".join(e.message for e in errors[:3]), body)
            ref = props[key].get("$ref") or next(
                (a.get("$ref") for a in props[key].get("anyOf", []) if "$ref" in a), None)
            if ref and isinstance(value, dict):
                self.check(ref.rsplit("/", 1)[1], value, f"{path}.{key}")


class Context:
    def __init__(self):
        self.base = env("INTEROP_BASE_URL").rstrip("/")
        self.ca = env("INTEROP_CA_FILE")
        self.tenant_id = env("INTEROP_TENANT_ID")
        self.domain = env("INTEROP_TENANT_DOMAIN")
        self.schemas = Schemas(env("INTEROP_OPENAPI_DIR"))
        credential = ClientSecretCredential(
            self.tenant_id, env("INTEROP_CLIENT_ID"), env("INTEROP_CLIENT_SECRET"),
            authority=self.base, disable_instance_discovery=True, connection_verify=self.ca)
        host = httpx.URL(self.base).host
        auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_DEFAULT],
                                                   allowed_hosts=[host])
        http = GraphClientFactory.create_with_default_middleware(
            client=httpx.AsyncClient(verify=self.ca, timeout=60,
                                     event_hooks={"response": [record]}))
        adapter = GraphRequestAdapter(auth, client=http)
        adapter.base_url = f"{self.base}/v1.0"
        self.graph = GraphServiceClient(request_adapter=adapter)
        self.users = {}

    def upn(self, alias):
        return f"{alias}@{self.domain}"

    def validate(self, mark, schema):
        """Every JSON body received since `mark` is a `schema` (or a collection of them)."""
        bodies = [e["json"] for e in received[mark:] if "json" in e and e["status"] < 400]
        expect(bodies, "no JSON body was received to validate")
        for body in bodies:
            items = body.get("value") if isinstance(body.get("value"), list) else [body]
            for item in items:
                self.schemas.check(schema, item)


def new_user(ctx, alias, **extra):
    return User(account_enabled=True, display_name=f"{alias.title()} Interop", mail_nickname=alias,
                user_principal_name=ctx.upn(alias),
                password_profile=PasswordProfile(password=PASSWORD,
                                                 force_change_password_next_sign_in=False),
                **extra)


CHECKS = []


def check(name):
    def register(fn):
        CHECKS.append((name, fn))
        return fn
    return register


@check("create users (POST /users) with profile properties")
async def create_users(ctx):
    mark = len(received)
    for alias, title in [("adele", "Retail Manager"), ("alex", "Marketing Assistant"),
                         ("megan", "Product Manager"), ("nestor", "Director")]:
        created = await ctx.graph.users.post(new_user(ctx, alias, job_title=title,
                                                      department="Sales", usage_location="NO",
                                                      business_phones=["+47 555 0100"]))
        expect(created.id and created.user_principal_name == ctx.upn(alias),
               f"the created user is {created.user_principal_name!r}", vars(created))
        # Graph answers a create with the default properties (usageLocation is not one).
        expect(created.job_title == title and created.usage_location is None,
               "the response is not Graph's default property set", vars(created))
        ctx.users[alias] = created.id
    ctx.validate(mark, "microsoft.graph.user")
    return f"{len(ctx.users)} users"


@check("a duplicate userPrincipalName is Graph's 400")
async def duplicate(ctx):
    try:
        await ctx.graph.users.post(new_user(ctx, "adele"))
    except APIError as e:
        expect(e.response_status_code == 400, f"status {e.response_status_code}")
        expect("userPrincipalName already exists" in str(e.error.message),
               f"message {e.error.message!r}")
        return "400 Request_BadRequest"
    raise CheckFailed("the duplicate was accepted")


@check("get a user by id and by userPrincipalName, with $select")
async def get_user(ctx):
    mark = len(received)
    by_id = await ctx.graph.users.by_user_id(ctx.users["adele"]).get()
    expect(by_id.job_title == "Retail Manager", "jobTitle is missing", vars(by_id))
    expect(by_id.department is None, "department is not a default property", vars(by_id))
    by_upn = await ctx.graph.users.by_user_id(ctx.upn("adele")).get()
    expect(by_upn.id == ctx.users["adele"], "the UPN addresses another user", vars(by_upn))
    config = UsersRequestBuilder.UsersRequestBuilderGetRequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(
            select=["displayName", "department", "usageLocation"]))
    selected = await ctx.graph.users.by_user_id(ctx.users["adele"]).get(request_configuration=config)
    expect(selected.department == "Sales" and selected.usage_location == "NO",
           "$select did not return department and usageLocation", vars(selected))
    ctx.validate(mark, "microsoft.graph.user")


@check("list users page by page (PageIterator follows @odata.nextLink)")
async def page_users(ctx):
    mark = len(received)
    config = UsersRequestBuilder.UsersRequestBuilderGetRequestConfiguration(
        query_parameters=UsersRequestBuilder.UsersRequestBuilderGetQueryParameters(top=2))
    first = await ctx.graph.users.get(request_configuration=config)
    expect(len(first.value) == 2 and first.odata_next_link, "the first page is not a page of 2",
           vars(first))
    seen = []

    def collect(user):
        seen.append(user.user_principal_name)
        return True

    iterator = PageIterator(first, ctx.graph.request_adapter)
    await iterator.iterate(collect)
    expect(len(seen) == len(set(seen)), f"a user came twice: {seen}")
    for alias in ctx.users:
        expect(ctx.upn(alias) in seen, f"{alias} is missing from {seen}")
    ctx.validate(mark, "microsoft.graph.user")
    return f"{len(seen)} users in {len(received) - mark} pages"


@check("update a user (PATCH /users/{id})")
async def update_user(ctx):
    await ctx.graph.users.by_user_id(ctx.users["alex"]).patch(
        User(job_title="Marketing Lead", office_location="Oslo", mobile_phone=None))
    alex = await ctx.graph.users.by_user_id(ctx.users["alex"]).get()
    expect(alex.job_title == "Marketing Lead" and alex.office_location == "Oslo",
           "the update was not applied", vars(alex))


@check("manager and direct reports ($ref)")
async def manager(ctx):
    mark = len(received)
    ref = ReferenceUpdate(odata_id=f"https://graph.microsoft.com/v1.0/users/{ctx.users['nestor']}")
    for alias in ("adele", "megan"):
        await ctx.graph.users.by_user_id(ctx.users[alias]).manager.ref.put(ref)
    boss = await ctx.graph.users.by_user_id(ctx.users["adele"]).manager.get()
    expect(boss.id == ctx.users["nestor"], "adele's manager is not nestor", vars(boss))
    reports = await ctx.graph.users.by_user_id(ctx.users["nestor"]).direct_reports.get()
    ids = sorted(r.id for r in reports.value)
    expect(ids == sorted([ctx.users["adele"], ctx.users["megan"]]), f"direct reports {ids}")
    ctx.validate(mark, "microsoft.graph.user")
    await ctx.graph.users.by_user_id(ctx.users["megan"]).manager.ref.delete()
    reports = await ctx.graph.users.by_user_id(ctx.users["nestor"]).direct_reports.get()
    expect([r.id for r in reports.value] == [ctx.users["adele"]], "megan still reports to nestor")


@check("JSON batching ($batch) with the SDK's BatchRequestContent")
async def batching(ctx):
    adele = BatchRequestItem(
        request_information=ctx.graph.users.by_user_id(ctx.users["adele"]).to_get_request_information())
    missing = BatchRequestItem(
        request_information=ctx.graph.users.by_user_id("nobody@nowhere.example").to_get_request_information())
    content = BatchRequestContent()
    content.add_request(adele.id, adele)
    content.add_request(missing.id, missing)
    answer = await BatchRequestBuilder(ctx.graph.request_adapter).post(content)
    statuses = answer.get_response_status_codes()
    expect(statuses == {adele.id: 200, missing.id: 404}, f"statuses {statuses}")
    # The bodies, from the wire: msgraph-core 1.5 cannot parse batched bodies itself (typed, it
    # hands a BytesIO to the JSON parser; untyped, the body is empty).
    raw = next(e["json"] for e in reversed(received) if e["request"].endswith("/$batch"))
    body = next(r["body"] for r in raw["responses"] if r["id"] == adele.id)
    expect(body.get("id") == ctx.users["adele"], "the batched GET returned another user", body)
    ctx.schemas.check("microsoft.graph.user", body)
    return f"{len(answer.responses)} responses"


@check("delete, list deleted users, restore, delete for good")
async def recycle_bin(ctx):
    megan = ctx.users["megan"]
    await ctx.graph.users.by_user_id(megan).delete()
    try:
        await ctx.graph.users.by_user_id(megan).get()
        raise CheckFailed("the deleted user can still be read")
    except APIError as e:
        expect(e.response_status_code == 404, f"status {e.response_status_code}")
    mark = len(received)
    deleted = await ctx.graph.directory.deleted_items.graph_user.get()
    expect([u.id for u in deleted.value] == [megan], f"deleted items {deleted.value}")
    ctx.validate(mark, "microsoft.graph.user")
    restored = await ctx.graph.directory.deleted_items.by_directory_object_id(megan).restore.post()
    expect(restored.id == megan, "restore returned another object", vars(restored))
    again = await ctx.graph.users.by_user_id(megan).get()
    expect(again.job_title == "Product Manager", "the restored user lost its properties", vars(again))
    await ctx.graph.users.by_user_id(megan).delete()
    await ctx.graph.directory.deleted_items.by_directory_object_id(megan).delete()
    deleted = await ctx.graph.directory.deleted_items.graph_user.get()
    expect(not deleted.value, f"the purged user is still in the bin: {deleted.value}")


async def main():
    ctx = Context()
    import msgraph
    print(f"msgraph-sdk {getattr(msgraph, '__version__', '?')}, httpx {httpx.__version__}, "
          f"Python {sys.version.split()[0]}; Graph at {ctx.base}/v1.0", flush=True)
    started = time.monotonic()
    for name, fn in CHECKS:
        mark = len(received)
        t0 = time.monotonic()
        try:
            note = await fn(ctx)
        except CheckFailed as failure:
            print(f"FAIL {name}\n     {failure}", flush=True)
            if failure.response is not None:
                print("---- details ----\n" + json.dumps(failure.response, indent=2, default=str)[:4000])
            report(mark)
            return 1
        except Exception as exc:  # noqa: BLE001 - a library raising is a failure to report, too
            import traceback
            print(f"FAIL {name}\n     {type(exc).__name__}: {exc}", flush=True)
            traceback.print_exc(file=sys.stdout)
            report(mark)
            return 1
        suffix = f" -- {note}" if note else ""
        print(f"ok   {name} ({time.monotonic() - t0:.2f}s){suffix}", flush=True)
    print(f"msgraph_test: {len(CHECKS)} checks passed in {time.monotonic() - started:.1f}s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
