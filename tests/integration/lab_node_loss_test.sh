#!/usr/bin/env bash
# shellcheck disable=SC2016  # eval'd conditions are single-quoted on purpose (expanded at each try)
# lab_node_loss_test.sh SOURCE_DIR [BIN_DIR] — issue 19: node loss with return, 20 times in a row,
# in the namespace lab, with the VIP sampled on both nodes every 10 ms.
# The issue's cluster: keepalive 100ms, deadtime 500ms, initdead 2, auto_failback on, `ucast eth1`
# + `ucast eth0`, `ping 192.0.2.1` + ipfail (HA_WITH_IPFAIL=1); VIP 192.0.2.100 + nginx, preferred
# on web1. Each round: web1 (the holder) loses eth0 and eth1; web2 takes over, web1's ipfaild
# sees no ping node and no peer and web1 releases; after a short, varying wait both links come
# back (the ping reply and the heartbeats race, as in the issue); web1 gets the VIP back
# (auto_failback) and keeps it. Every 4th round web1's master is SIGKILLed and started again
# instead (rscd releases; the new master returns with a new generation).
# The sampler (lab_vip_sampler, netlink, 10 ms) records the VIP and eth0's state on both nodes:
# the test fails on any sample with the VIP on both nodes while both eth0 links are up, and on a
# round that does not end with web1 alone holding the VIP. Root, netns, nginx, else skipped (77).
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: lab_node_loss_test.sh SOURCE_DIR [BIN_DIR]}" && pwd)
HM_BIN=${2:-$LAB_SRC/build/bin}
export HA_LAB=hnl$$
LABDIR=$(mktemp -d /tmp/hamaster-lab-nodeloss.XXXXXX)
HA_WITH_IPFAIL=1
HA_KEEPALIVE=100ms
HA_DEADTIME=500ms
HA_WARNTIME=300ms
HA_INITDEAD=2
ROUNDS=${ROUNDS:-20}
FOLLOW_LOGS="web1.hamaster web2.hamaster"
# shellcheck source=tests/integration/lab_lib.sh
. "$LAB_SRC/tests/integration/lab_lib.sh"

SAMPLER=$HM_BIN/lab_vip_sampler
if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi
[ -x "$HM_BIN/ipfaild" ] || { echo "SKIP: no $HM_BIN/ipfaild (build first)"; rm -rf "$LABDIR"; exit 77; }
[ -x "$SAMPLER" ] || { echo "SKIP: no $SAMPLER (build first)"; rm -rf "$LABDIR"; exit 77; }

failures=0
trap 'lab_finish hamaster rscd ipfaild' EXIT
trap 'exit 1' INT TERM

S10=$WATCH/vip10.samples  # "T W1 W2 W1 UP1 UP2" every 10 ms (lab_vip_sampler)
double_holds() {  # double_holds FROM [TO] — samples with the VIP on both nodes while both eth0 are up
  awk -v a="$1" -v b="${2:-9999999999}" '$1 >= a && $1 <= b && $2 == 1 && $3 == 1 && $4 == 1 && $5 == 1 && $6 == 1 { c++ } END { print c + 0 }' "$S10"
}
samples10() { awk -v a="$1" -v b="${2:-9999999999}" '$1 >= a && $1 <= b { c++ } END { print c + 0 }' "$S10"; }
max_gap_ms() {  # max_gap_ms FROM TO — the longest interval between two samples (the resolution)
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { if (p != "" && $1 - p > m) m = $1 - p; p = $1 } END { printf "%d\n", m * 1000 + 0.5 }' "$S10"
}
web1_alone() { vip_on web1 && ! vip_on web2; }
stable_web1() {  # stable_web1 SECONDS — web1 alone has the VIP for SECONDS
  local until; until=$(awk -v n="$EPOCHREALTIME" -v s="$1" 'BEGIN { printf "%.6f", n + s }')
  while awk -v n="$EPOCHREALTIME" -v u="$until" 'BEGIN { exit !(n < u) }'; do web1_alone || return 1; sleep 0.1; done
}
web1_alone_since() {  # web1_alone_since AFTER — the first 10 ms sample after AFTER with the VIP on web1 only
  awk -v t="$1" '$1 > t && $2 == 1 && $3 == 0 && $4 == 1 { print $1; exit }' "$S10"
}

lab_up || { echo "FAIL - lab up"; failures=1; exit 1; }
lab_write_config web1 web2
for n in web1 web2; do  # the issue's redundant links: the public LAN carries heartbeats too
  printf 'ucast eth0 192.0.2.11\nucast eth0 192.0.2.12\n' >>"$LABDIR/$n/etc/ha.d/ha.cf"
done
lab_start_watchers
"$SAMPLER" "$HA_LAB-web1" "$HA_LAB-web2" eth0 "$VIP" 10 >"$S10" 2>"$WATCH/sampler.err" &
LAB_BG_PIDS+=($!)
echo "lab $HA_LAB up (keepalive $HA_KEEPALIVE, deadtime $HA_DEADTIME, initdead $HA_INITDEAD, ucast eth1 + eth0, ping + ipfail, $ROUNDS rounds)"

lab_start_master web1
lab_start_master web2
serves web1 30 "start"
check "start: web1 alone holds the VIP" wait_for 20 stable_web1 2
T_BEGIN=$(now)

for round in $(seq 1 "$ROUNDS"); do
  t0=$(now)
  if [ $((round % 4)) -eq 0 ]; then
    how="SIGKILL of web1's master, restart"
    kill -KILL "${MASTER_PID[web1]}" 2>/dev/null
    wait_for 10 eval '! kill -0 ${MASTER_PID[web1]} 2>/dev/null'
    check "round $round: web2 takes over after the kill" wait_for 15 eval 'vip_on web2 && ! vip_on web1'
    sleep "0.$((RANDOM % 10))"
    lab_start_master web1
  else
    how="eth0+eth1 down on web1, then up"
    links web1 down
    # web2 takes over (deadtime + the guard's probe); web1 releases on ipfail's isolation verdict.
    check "round $round: web2 takes over, web1 releases while isolated" \
      wait_for 15 eval 'vip_on web2 && ! vip_on web1'
    sleep "0.$((RANDOM % 10))"  # the links come back at a different moment of each round
    links web1 up
    ip -n "$HA_LAB-web1" route replace default via 192.0.2.1  # the kernel dropped it with the link
  fi
  t1=$(now)
  check "round $round: web1 gets the VIP back and keeps it (auto_failback)" wait_for 40 stable_web1 2
  t2=$(now)
  n=$(double_holds "$t0" "$t2")
  check "round $round ($how): no sample with the VIP on both nodes ($n of $(samples10 "$t0" "$t2"), longest gap $(max_gap_ms "$t0" "$t2") ms)" test "$n" -eq 0
  timing "round $round: return → VIP on web1 alone: $(ms_between "$t1" "$(web1_alone_since "$t1")") ms"
  [ $failures -eq 0 ] || break
done

t_end=$(now)
n=$(double_holds "$T_BEGIN" "$t_end"); s=$(samples10 "$T_BEGIN" "$t_end")
check "all rounds: VIP never on both nodes while both public links are up ($n of $s samples)" test "$n" -eq 0 -a "$s" -gt 0
gap=$(max_gap_ms "$T_BEGIN" "$t_end")
avg=$(awk -v s="$s" -v a="$T_BEGIN" -v b="$t_end" 'BEGIN { printf "%.1f", (b - a) * 1000 / s }')
check "the sampler kept its 10 ms pace (mean $avg ms, longest gap $gap ms)" awk -v m="$avg" 'BEGIN { exit !(m < 15) }'
for n in web1 web2; do
  check "$n: no standby request left unanswered for good" \
    eval '! grep -q "No reply to standby request" "$LABDIR/$n/log/hamaster.log" || grep -q "Giving up foreign resources" "$LABDIR/$n/log/hamaster.log"'
done
echo "total run time: $(ms_between "$T_BEGIN" "$t_end") ms"
if [ $failures -ne 0 ]; then
  awk -v a="$T_BEGIN" '$1 >= a && $2 == 1 && $3 == 1 && $4 == 1 && $5 == 1 && $6 == 1 { printf "  double hold at +%.3fs\n", $1 - a }' "$S10" | head -n 10
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
