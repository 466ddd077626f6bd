#!/usr/bin/env bash
# lab_freeze_test.sh SOURCE_DIR [BIN_DIR] — freezes in the namespace lab (issue 19 items 3 and 4).
#
# Two live nodes (scripts/lab, lab_lib.sh) with keepalive 100ms, deadtime 1 (rscd's master-silence
# limit: deadtime/2 = 500 ms), the real VIP 192.0.2.100 and nginx on web1, a VIP sampler every 50 ms.
#   F1 rscd on web1 SIGSTOPped 600 ms, five times (each longer than its limit): no "Master gone",
#      the VIP never leaves web1 and is never on web2.
#   F2 web1's master SIGSTOPped 750 ms (beyond rscd's limit, within deadtime): rscd releases the
#      VIP, as documented; after SIGCONT rscd is respawned at once (a clean exit, no back-off) and
#      the VIP is back on web1; web2 never takes it. The outage is printed (timing:), not asserted.
# Root, netns, nginx and curl, else skipped (77). Everything is torn down by lab_finish.
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: lab_freeze_test.sh SOURCE_DIR [BIN_DIR]}" && pwd)
HM_BIN=${2:-$LAB_SRC/build/bin}
export HA_LAB=hfz$$
LABDIR=$(mktemp -d /tmp/hamaster-lab-freeze.XXXXXX)
HA_KEEPALIVE=100ms HA_DEADTIME=1 HA_WARNTIME=500ms HA_INITDEAD=2
. "$LAB_SRC/tests/integration/lab_lib.sh"

if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi

failures=0
stopped=""
cleanup() {
  [ -n "$stopped" ] && kill -CONT "$stopped" 2>/dev/null
  lab_finish hamaster rscd
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pid_in() {  # pid_in NODE COMM — the pid of COMM inside NODE's namespace
  local p
  for p in $(ip netns pids "$HA_LAB-$1"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && { echo "$p"; return 0; }
  done
  return 1
}
freeze() {  # freeze PID SECONDS
  stopped=$1
  kill -STOP "$1" && sleep "$2"
  kill -CONT "$1"
  stopped=""
}
count_in() { grep -c -- "$2" "$1" 2>/dev/null || true; }

lab_up || { echo "FAIL - lab up"; failures=1; exit 1; }
lab_write_config web1 web2
lab_start_watchers
lab_start_addr_monitors web1 web2
echo "lab $HA_LAB up (keepalive $HA_KEEPALIVE, deadtime $HA_DEADTIME)"
lab_start_master web1
lab_start_master web2
serves web1 30 "start"
check "start: VIP on web1" wait_for 10 vip_on web1

echo "# F1 rscd frozen 600 ms, five times"
rscd=$(pid_in web1 rscd) || { fail "no rscd in web1"; exit 1; }
t1=$(now)
for i in 1 2 3 4 5; do
  freeze "$rscd" 0.6
  sleep 1
done
t1_end=$(now)
check "F1 no 'Master gone' in web1's rscd.log" test "$(count_in "$LABDIR/web1/log/rscd.log" "Master gone")" -eq 0
check "F1 the same rscd runs" test "$(pid_in web1 rscd)" = "$rscd"
check "F1 the VIP never left web1 (first sample without it: '$(vip_sample_time "$t1" web1 0)')" \
  test -z "$(vip_sample_time "$t1" web1 0)"
check "F1 the VIP never on web2" test -z "$(vip_sample_time "$t1" web2 1)"
check "F1 no VIP change on web1 (ip monitor: '$(vip_event_time "$t1" web1 del)')" test -z "$(vip_event_time "$t1" web1 del)"
never_both "$t1" "$t1_end" "F1"

echo "# F2 web1's master frozen 750 ms"
master=$(master_pid_in_ns web1) || { fail "no hamaster pid in web1"; exit 1; }
t2=$(now)
freeze "$master" 0.75
check "F2 rscd released the VIP of its frozen master" \
  test "$(count_in "$LABDIR/web1/log/rscd.log" "Master gone (no message from the master for")" -eq 1
check "F2 rscd respawned at once (a clean exit, not a crash)" \
  wait_for 10 grep -q "after exit status 0 in 0 ms (a clean exit, not a crash)" "$LABDIR/web1/log/hamaster.log"
check "F2 the VIP is back on web1" wait_for 10 vip_on web1
serves web1 10 "F2"
t_del=$(vip_event_time "$t2" web1 del)
t_back=""; [ -n "$t_del" ] && t_back=$(vip_event_time "$t_del" web1 add)
check "F2 ip monitor saw the VIP leave web1 and come back" test -n "$t_back"
timing "F2 VIP away from web1 for $(ms_between "$t_del" "$t_back") ms (master frozen 750 ms from $(ms_between "$t2" "$t_del") ms before the release)"
check "F2 the VIP never on web2" test -z "$(vip_sample_time "$t2" web2 1)$(vip_event_time "$t2" web2 add)"
check "F2 no back-off for rscd" test "$(count_in "$LABDIR/web1/log/hamaster.log" "Respawning child rscd")" -eq 1
never_both "$t2" "" "F2"

[ "$failures" -eq 0 ] && echo "PASS" || { echo "$failures check(s) failed"; exit 1; }
