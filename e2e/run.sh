#!/usr/bin/env bash
# make e2e: the stock Node.js EventStoreDB client against
# `petitionledger serve --esdb-listen` (the EventStoreDB gRPC protocol). Installs what it needs (npm packages pinned
# in package-lock.json; Node.js itself through apt-get when it is missing
# and we are root), and fails loudly when it cannot.
set -euo pipefail
cd "$(dirname "$0")"
GO="${GO:-go}"

need_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 &&
    node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 18 ? 0 : 1)'
}

if ! need_node; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "e2e: Node.js >= 18 and npm are missing; installing them with apt-get" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >&2
  fi
  if ! need_node; then
    echo "e2e: FAILED: this test needs Node.js >= 18 and npm." >&2
    echo "e2e: install them, e.g. 'apt-get install nodejs npm' (Debian/Ubuntu), then run 'make e2e' again." >&2
    exit 1
  fi
fi

npm ci --no-audit --no-fund --loglevel=error
mkdir -p artifacts
"$GO" build -o artifacts/petitionledger ../cmd/petitionledger
PETITIONLEDGER_BIN="$PWD/artifacts/petitionledger" node --test --test-reporter=spec test/esdb.test.mjs

# The petition pages in headless Chromium (browser/, playwright-core driving
# Debian's chromium; `npx playwright install` cannot download a browser here).
CHROMIUM_BIN="${CHROMIUM_BIN:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM_BIN" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "e2e: Chromium is missing; installing Debian's chromium with apt-get" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2
fi
if [ ! -x "$CHROMIUM_BIN" ]; then
  echo "e2e: FAILED: the browser test needs Chromium at $CHROMIUM_BIN." >&2
  echo "e2e: install it, e.g. 'apt-get install chromium' (Debian), or set CHROMIUM_BIN, then run 'make e2e' again." >&2
  exit 1
fi
CHROMIUM_BIN="$CHROMIUM_BIN" PETITIONLEDGER_BIN="$PWD/artifacts/petitionledger" \
  node --test --test-reporter=spec browser/petition.test.mjs
