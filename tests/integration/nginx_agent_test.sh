#!/usr/bin/env bash
# nginx_agent_test.sh AGENT — the sample resource agent conf/web/resource.d/nginx trusts its pid file
# only when the pid names an nginx process. A pid file left by a crash may name a pid the kernel has
# since given to another process (pid_max is 32768 on many machines, and a busy host wraps it in
# minutes): `status` must then say stopped, so the node starts nginx, and `stop` must neither signal
# that process nor leave the stale file behind.
set -euo pipefail
agent=$1
fail() { echo "FAIL: $*" >&2; exit 1; }
work=$(mktemp -d)
pids=()
cleanup() { local p; for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
export NGINX_PID=$work/nginx.pid

# A live process that is not nginx holds the pid the file names.
sleep 600 & other=$!; pids+=("$other")
echo "$other" > "$NGINX_PID"
[ "$("$agent" status)" = stopped ] || fail "status: a non-nginx pid ($other) reported running"
"$agent" stop || fail "stop with a stale pid file: exit $?"
kill -0 "$other" 2>/dev/null || fail "stop signalled pid $other, which is not nginx"
[ ! -e "$NGINX_PID" ] || fail "stop left the stale pid file"

# Garbage and an empty file are not running either.
echo "12ab" > "$NGINX_PID"
[ "$("$agent" status)" = stopped ] || fail "status: a garbled pid file reported running"
: > "$NGINX_PID"
[ "$("$agent" status)" = stopped ] || fail "status: an empty pid file reported running"

# A process whose name is nginx is running (a copy of sleep named nginx stands in: no daemon
# is started and nothing is stopped).
cp "$(command -v sleep)" "$work/nginx"
"$work/nginx" 600 & fake=$!; pids+=("$fake")
for _ in $(seq 1 50); do [ "$(cat "/proc/$fake/comm" 2>/dev/null)" = nginx ] && break; sleep 0.1; done
echo "$fake" > "$NGINX_PID"
[ "$("$agent" status)" = running ] || fail "status: an nginx process ($fake) reported stopped"
echo "PASS: nginx agent trusts its pid file only for an nginx process"
