"""schemathesis hooks for test/integration/schemathesis.test.ts (loaded through SCHEMATHESIS_HOOKS).

Every operation is called with the credential of a role the role matrix allows on it,
read from the operation's `x-roles` in /openapi.json, so each operation is fuzzed past
authentication rather than answering 403. The test passes one token per role in
CREDITFLOW_TOKENS (JSON: role -> token).
"""

import json
import os

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
