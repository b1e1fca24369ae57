#!/bin/sh
# One-shot job (docker-compose.yml, temporal-namespace, on temporalio/admin-tools): once
# the server answers, creates creditflow's namespace if it is missing. creditflow's
# search attributes are added by the worker when it starts (infra/temporal.ts).
set -eu
ns=${NAMESPACE:-default}
attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  [ "$attempt" -ge 30 ] && { echo "Temporal at $TEMPORAL_ADDRESS did not become healthy" >&2; exit 1; }
  attempt=$((attempt + 1))
  sleep 2
done
if temporal operator namespace describe -n "$ns" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "namespace $ns exists"
else
  temporal operator namespace create -n "$ns" --retention "${NAMESPACE_RETENTION:-72h}" --address "$TEMPORAL_ADDRESS"
  echo "namespace $ns created"
fi
