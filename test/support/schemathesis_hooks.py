"""schemathesis hooks for test/integration/schemathesis.test.ts (loaded through SCHEMATHESIS_HOOKS).

Every operation is called with the credential of a role the operation lists,
read from the operation's `x-roles` in /openapi.json, so each operation is fuzzed past
authentication rather than answering 403. The test passes one token per role in
CREDITFLOW_TOKENS (JSON: role -> token).
"""

import hashlib
import json
import os
import re

import schemathesis

TOKENS: dict[str, str] = json.loads(os.environ["CREDITFLOW_TOKENS"])
# The role that reaches most routes first; a salesperson only where no staff role may.
PREFERENCE = ["finance", "manager", "admin", "marketing", "credit-desk", "auditor", "sales"]


def role_for(operation) -> str | None:
    roles = operation.definition.raw.get("x-roles")
    if not roles:
        return None
    return next((r for r in PREFERENCE if r in roles and r in TOKENS), None)


# No caching: the token depends on the operation.
@schemathesis.auth(refresh_interval=None)
class RoleToken:
    def get(self, case, context):
        role = role_for(context.operation)
        return TOKENS[role] if role else None

    def set(self, case, data, context):
        if data is None:
            return
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


VALID_KEY = re.compile(r"^[\x21-\x7E]([\x20-\x7E]{0,253}[\x21-\x7E])?$")


@schemathesis.hook
def before_call(context, case, kwargs):
    """An Idempotency-Key names one request: generated keys are few ("0", "00"…), and one key
    reused for another request is refused (422 idempotency_key_reused) before anything runs.
    Suffixed with a digest of the request, the same request keeps its key (so replays are still
    exercised) and the others reach their rules. A malformed key is left as it is, for the 400.
    """
    headers = case.headers or {}
    for name in list(headers):
        if name.lower() != "idempotency-key" or not isinstance(headers[name], str):
            continue
        if not VALID_KEY.match(headers[name]):
            continue
        request = repr((case.method, case.path, case.path_parameters, case.query, case.body))
        digest = hashlib.sha256(request.encode("utf-8", "surrogatepass")).hexdigest()[:16]
        headers[name] = f"{headers[name][:238]}-{digest}"
