#!/usr/bin/env bash
# oidc-provider (the OpenID-certified Node.js provider) as gatehouse-bench's peer.
#
#   run.sh install   npm-installs oidc-provider 9.x into $PEER_DIR (default: target/peers/oidc-provider
#                    in the workspace, which git ignores); nothing of the peer is committed.
#   run.sh serve     runs server.mjs from there (exec, so a `taskset` in front pins node itself).
#
# serve reads PEER_CERT and PEER_KEY (PEM, the HTTPS certificate: gatehouse-bench passes the
# Gatehouse development certificate, so one CA is trusted for both), PEER_CLIENT_ID and
# PEER_CLIENT_SECRET, and prints "Peer: oidc-provider VERSION" and "Listening on: https://ADDR".
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
PEER_DIR="${PEER_DIR:-${CARGO_TARGET_DIR:-$root/target}/peers/oidc-provider}"
VERSION_RANGE="${OIDC_PROVIDER_VERSION:-^9.0.0}"

case "${1:-}" in
  install)
    mkdir -p "$PEER_DIR"
    if [ ! -f "$PEER_DIR/package.json" ]; then
      printf '{ "name": "gatehouse-bench-peer", "private": true, "type": "module" }\n' > "$PEER_DIR/package.json"
    fi
    if ! node -e "require('$PEER_DIR/node_modules/oidc-provider/package.json')" 2>/dev/null; then
      npm install --prefix "$PEER_DIR" --no-audit --no-fund --loglevel=error "oidc-provider@$VERSION_RANGE"
    fi
    ;;
  serve)
    cp "$here/server.mjs" "$PEER_DIR/server.mjs"
    cd "$PEER_DIR"
    NODE_ENV=production exec node server.mjs
    ;;
  *)
    echo "usage: $0 install|serve" >&2
    exit 2
    ;;
esac
