#!/usr/bin/env bash
# Smoke test of the release binary: start it on a free port with a fresh data directory, wait for
# /readyz over HTTPS trusting only the development CA, then stop it with SIGTERM and expect exit 0.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
export CARGO_TERM_COLOR=never

READY_TIMEOUT=60
STOP_TIMEOUT=40

fail() { echo "smoke: FAILED: $*" >&2; exit 1; }

cargo build --release -p gatehouse-cli
binary=target/release/gatehouse
[ -x "$binary" ] || fail "$binary was not built"

work=$(mktemp -d)
data="$work/data"
pid=""
cleanup() {
    local rc=$?
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill -KILL "$pid" 2>/dev/null || true
        wait "$pid" 2>/dev/null || true
    fi
    if [ "$rc" -ne 0 ]; then
        echo "--- gatehouse stdout ---" >&2
        cat "$work/stdout" >&2 2>/dev/null || true
        echo "--- gatehouse stderr ---" >&2
        tail -n 50 "$work/stderr" >&2 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# A clean environment for the server: no GATEHOUSE_* setting from the caller leaks in.
unset_gatehouse=()
while IFS= read -r name; do unset_gatehouse+=(-u "$name"); done < <(compgen -e | grep '^GATEHOUSE_' || true)
env "${unset_gatehouse[@]}" GATEHOUSE_LOG=warn \
    "$binary" serve --listen 127.0.0.1:0 --data-dir "$data" >"$work/stdout" 2>"$work/stderr" &
pid=$!

# The bound address, e.g. "  Listening on:    https://127.0.0.1:41234".
deadline=$((SECONDS + READY_TIMEOUT))
port=""
while [ -z "$port" ]; do
    port=$(sed -n 's|^ *Listening on: *https://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/stdout" | head -n 1)
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || fail "gatehouse exited before printing its address"
    [ "$SECONDS" -lt "$deadline" ] || fail "no 'Listening on' line within ${READY_TIMEOUT}s"
    sleep 0.2
done
ca="$data/tls/ca.pem"
echo "smoke: gatehouse (pid $pid) listens on port $port; CA $ca"

body=""
until body=$(curl --fail --silent --show-error --max-time 10 --cacert "$ca" \
    --resolve "localhost:${port}:127.0.0.1" "https://localhost:${port}/readyz" 2>"$work/curl"); do
    kill -0 "$pid" 2>/dev/null || fail "gatehouse exited while starting"
    [ "$SECONDS" -lt "$deadline" ] || fail "/readyz not ready within ${READY_TIMEOUT}s: $(cat "$work/curl")"
    sleep 0.5
done
case "$body" in
    *'"status":"ready"'*) echo "smoke: /readyz says $body" ;;
    *) fail "/readyz answered 200 but not ready: $body" ;;
esac
# The bootstrap lines are printed just after the database is prepared.
until grep -q '^  First Global Administrator: ' "$work/stdout"; do
    [ "$SECONDS" -lt "$deadline" ] || fail "no bootstrap administrator printed"
    sleep 0.2
done

kill -TERM "$pid"
deadline=$((SECONDS + STOP_TIMEOUT))
while kill -0 "$pid" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || fail "gatehouse did not stop within ${STOP_TIMEOUT}s of SIGTERM"
    sleep 0.2
done
rc=0
wait "$pid" || rc=$?
pid=""
[ "$rc" -eq 0 ] || fail "gatehouse exited with status $rc after SIGTERM (expected 0)"
echo "smoke: ok (ready over HTTPS, stopped cleanly)"
