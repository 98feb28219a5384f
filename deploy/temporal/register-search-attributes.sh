#!/usr/bin/env bash
# One-shot: registers the custom search attributes JML workflows set, as Keyword, on the
# namespace. Safe to run again: an attribute that already exists as Keyword is left alone;
# one that exists with another type stops the script (workflows would fail to set it).
set -euo pipefail

namespace="${TEMPORAL_NAMESPACE:-default}"
attributes=(EmployeeId HrSource Lifecycle SlaStatus)

echo "Temporal ${TEMPORAL_ADDRESS:-127.0.0.1:7233}, namespace ${namespace}"

# The server answers before auto-setup has registered the namespace: wait for it (~3 minutes).
for attempt in $(seq 1 90); do
  if temporal operator namespace describe --namespace "$namespace" >/dev/null 2>&1; then
    break
  fi
  if [ "$attempt" -eq 90 ]; then
    echo "namespace ${namespace} not available; giving up" >&2
    exit 1
  fi
  sleep 2
done

for name in "${attributes[@]}"; do
  if output="$(temporal operator search-attribute create --namespace "$namespace" --name "$name" --type Keyword 2>&1)"; then
    echo "search attribute ${name}: Keyword (registered, or already was)"
  elif grep -qi 'different type' <<<"$output"; then
    echo "search attribute ${name}: ${output}" >&2
    exit 1
  elif grep -qi 'already exists' <<<"$output"; then
    echo "search attribute ${name}: already registered"
  else
    echo "search attribute ${name}: ${output}" >&2
    exit 1
  fi
done

# Wait until the namespace lists every attribute, then give the servers' namespace caches a
# moment to refresh before the JML processes start using them.
for attempt in $(seq 1 30); do
  listed="$(temporal operator search-attribute list --namespace "$namespace" 2>/dev/null || true)"
  missing=0
  for name in "${attributes[@]}"; do
    grep -qw -- "$name" <<<"$listed" || missing=1
  done
  [ "$missing" -eq 0 ] && break
  if [ "$attempt" -eq 30 ]; then
    echo "search attributes not visible after registration" >&2
    exit 1
  fi
  sleep 2
done
sleep "${SEARCH_ATTRIBUTE_SETTLE_SECONDS:-10}"
echo "search attributes ready: ${attributes[*]}"
