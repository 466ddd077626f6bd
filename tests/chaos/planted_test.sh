#!/usr/bin/env bash
# tests/chaos/planted_test.sh SOURCE_DIR BIN_DIR — the chaos soak can fail: a one-minute run with
# a planted violation (the VIP forced up on the node that does not hold it, for 2 s, in a step of
# its own) must exit 1 and report the VIP on both nodes against that step. 77 when the lab cannot run.
set -uo pipefail
SRC=$(cd "${1:?usage: planted_test.sh SOURCE_DIR BIN_DIR}" && pwd)
BIN=${2:?bin dir}
out=$(mktemp /tmp/chaos-planted.XXXXXX)
trap 'rm -f "$out"' EXIT
KEEP_LOGS=0 "$SRC/tests/chaos/chaos.sh" "$SRC" "$BIN" 1 2 --plant vip-both >"$out" 2>&1
rc=$?
cat "$out"
[ $rc -eq 77 ] && exit 77
failures=0
if [ $rc -eq 1 ]; then echo "ok   - the run with a planted violation failed"; else echo "FAIL - the run exited $rc, not 1"; failures=1; fi
if grep -qE '^VIOLATION at .*\(plant-vip-both on web[12]\): the VIP on both nodes with both public links up' "$out"; then
  echo "ok   - the VIP on both nodes was reported against the planted step"
else
  echo "FAIL - no VIP-on-both violation against the planted step"; failures=1
fi
echo "violations besides the planted one: $(grep '^VIOLATION at' "$out" | grep -vc 'plant-vip-both')"
[ $failures -eq 0 ] || exit 1
echo "all checks passed"
