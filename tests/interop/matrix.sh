#!/usr/bin/env bash
# tests/interop/matrix.sh BIN_DIR — every mixed-cluster scenario of lab_interop_test.sh in every
# combination: scenario x implementation on the preferred node x auth method x media (10 x 2 x 3 x 3
# = 180 runs, of which rexmit skips the 12 without ucast alone; roughly 10-40 s each: about an hour). CI runs a spread-out subset (ctest -L interop);
# `scripts/test --interop` runs this. Narrow it with INTEROP_SCENARIOS, INTEROP_PREFERREDS,
# INTEROP_AUTHS, INTEROP_MEDIAS (space-separated lists), e.g.
#   INTEROP_SCENARIOS="kill stop" INTEROP_MEDIAS=serial tests/interop/matrix.sh build/bin
# Then scripts/rolling-upgrade with auto_failback on and off (INTEROP_ROLLING=0 skips it; ctest runs
# the `on` variant). Prints one line per run and a summary; exits 1 if any run failed (its log is kept in
# $MATRIX_LOGS, default /tmp/hamaster-interop-matrix), 77 if the lab cannot run here.
set -uo pipefail
BIN=${1:?usage: matrix.sh BIN_DIR}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
LOGS=${MATRIX_LOGS:-/tmp/hamaster-interop-matrix}
mkdir -p "$LOGS"
runs=0; failed=0; skipped=0
for scenario in ${INTEROP_SCENARIOS:-startup kill failback nofailback standby stop wrongkey replace ipfail rexmit}; do
  for preferred in ${INTEROP_PREFERREDS:-heartbeat hamaster}; do
    for auth in ${INTEROP_AUTHS:-crc md5 sha1}; do
      for media in ${INTEROP_MEDIAS:-ucast serial both}; do
        name=$scenario.$preferred.$auth.$media
        log=$LOGS/$name.log
        INTEROP_PREFERRED=$preferred INTEROP_AUTH=$auth INTEROP_MEDIA=$media \
          "$SRC/tests/interop/lab_interop_test.sh" "$SRC" "$BIN" "$scenario" >"$log" 2>&1
        rc=$?
        runs=$((runs + 1))
        case $rc in
          0) echo "ok   $name"; rm -f "$log" ;;
          77) echo "skip $name: $(head -1 "$log")"; skipped=$((skipped + 1)) ;;
          *) echo "FAIL $name (log: $log)"; grep '^FAIL' "$log" | sed 's/^/       /'; failed=$((failed + 1)) ;;
        esac
      done
    done
  done
done
if [ "${INTEROP_ROLLING:-1}" = 1 ]; then
  for failback in on off; do
    name=rolling-upgrade.auto_failback_$failback
    log=$LOGS/$name.log
    HA_AUTO_FAILBACK=$failback "$SRC/scripts/rolling-upgrade" "$BIN" >"$log" 2>&1
    rc=$?
    runs=$((runs + 1))
    case $rc in
      0) echo "ok   $name"; grep '^step ' "$log" | sort -u -k2,2n | sed 's/^/       /'; rm -f "$log" ;;
      77) echo "skip $name: $(head -1 "$log")"; skipped=$((skipped + 1)) ;;
      *) echo "FAIL $name (log: $log)"; grep '^FAIL' "$log" | sed 's/^/       /'; failed=$((failed + 1)) ;;
    esac
  done
fi
echo "# interop matrix: $runs runs, $failed failed, $skipped skipped"
[ "$skipped" -eq "$runs" ] && exit 77
[ "$failed" -eq 0 ]
