#!/usr/bin/env bash
# shellcheck disable=SC2016  # eval'd conditions are single-quoted on purpose (expanded at each try)
# lab_failover_test.sh SOURCE_DIR [BIN_DIR] — two live hamaster nodes in the namespace lab:
# the seed's web cluster (VIP 192.0.2.100 + nginx, preferred on web1) failing over and back, seen
# from a client.
#
# One `scripts/lab up` (own HA_LAB prefix), the sample conf/web on both nodes with demo timings
# (keepalive 200ms, deadtime 2, warntime 1, initdead 4; ping/ipfail lines commented out until
# ipfaild exists — HA_WITH_IPFAIL=1 keeps them). While it runs, a client polls
# http://192.0.2.100/ every 50 ms and a sampler records every 50 ms whether the VIP is on web1
# and/or web2 (see lab_lib.sh). Scenarios:
#   A  auto_failback on
#     1 both start                 → VIP + nginx on web1 only, the client gets web1's page;
#       SIGHUP on web1 (same files) → "configuration unchanged", nobody declared dead
#     2 SIGKILL web1's master      → web1's rscd releases (VIP gone from web1 before web2 has it),
#                                    web2 takes over, the client gets web2; web1's processes gone
#     3 web1's master restarts     → the service returns to web1
#     4 hb_standby on web1         → web2 serves;  hb_takeover on web1 → web1 serves again
#     5 SIGTERM web1's master      → handed to web2 at once; nothing of web1 left (processes, status table,
#                                    sockets, pid file, VIP); restart → back on web1
#     6 web1 lost as a host        → (eth0 + eth1 down in web1) web2 takes over, the client is never
#                                    answered by web1 again, the split-brain guard's window ran while
#                                    web1 was late (cleared at the decision, no CRIT); then web1's
#                                    master is stopped, links up
#   B  auto_failback off (both restarted)
#     1 both start → web1; SIGKILL web1 → web2; web1 back → the service stays on web2
#     2 a failed start: port 80 taken on web1, hb_takeover on web1 → nginx fails, the group is
#       stopped again (VIP rolled back), CRIT "Giving up resources due to failure of" in rscd.log,
#       cl_status rscstatus on web1 is not local/all; 30 s later web1 runs Heartbeat's hb_standby
#       for it and web2 serves again
# The VIP is never on both nodes at any sample, except while web1's links are down (scenario A6).
# Times are printed (kill → first good answer, ...); only correctness is asserted, with generous
# deadlines. Exit 77 (skipped) when not root, without network namespaces or without nginx/curl.
# KEEP_LOGS=1 keeps $LABDIR (logs and watch files) after a passing run.
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: lab_failover_test.sh SOURCE_DIR [BIN_DIR]}" && pwd)
HM_BIN=${2:-$LAB_SRC/build/bin}
export HA_LAB=hlf$$
LABDIR=$(mktemp -d /tmp/hamaster-lab-failover.XXXXXX)
# shellcheck source=tests/integration/lab_lib.sh
. "$LAB_SRC/tests/integration/lab_lib.sh"

if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi

failures=0
holder=""
cleanup() {
  [ -n "$holder" ] && kill "$holder" 2>/dev/null
  lab_finish hamaster rscd
}
trap cleanup EXIT
trap 'exit 1' INT TERM

no_leftovers() {  # no_leftovers NODE — nothing of hamaster left in NODE after it stopped
  local d=$LABDIR/$1
  check "$1: no hamaster/rscd/heartbeatd/nginx process left (got: $(ha_procs_in "$1" | tr '\n' ' '))" wait_for 10 no_ha_procs_in "$1"
  check "$1: no status table left in the run dir" [ ! -e "$d/run/hamaster.status" ]
  check "$1: no socket or pid file left in the run dir (got: $(find "$d/run" -mindepth 1 -printf "%f "))" \
    [ -z "$(find "$d/run" \( -type s -o -name hamaster.pid \) -print)" ]
  check "$1: VIP not on eth0" eval "! vip_on $1"
}

lab_up || { echo "FAIL - lab up"; failures=1; exit 1; }
lab_write_config web1 web2
lab_start_watchers
echo "lab $HA_LAB up (keepalive $HA_KEEPALIVE, deadtime $HA_DEADTIME, initdead $HA_INITDEAD, auto_failback $HA_AUTO_FAILBACK)"
T_BEGIN=$(now)

# ---- A1: both start
echo "# A1 both nodes start (auto_failback on)"
t0=$(now)
lab_start_master web1
lab_start_master web2
serves web1 30 "A1 start"
timing "start → first good web1 answer: $(ms_between "$t0" "$(first_answer "$t0" web1)") ms"
check "A1 VIP on web1" vip_on web1
check "A1 VIP not on web2" eval '! vip_on web2'
check "A1 cl_status rscstatus: web1 local|all, web2 local|none (no group of its own) (got $(rscstatus web1)/$(rscstatus web2))" wait_for 10 holds_service web1
check "A1 no nginx on web2" eval '! ha_procs_in web2 | grep -q nginx'

# ---- A1b: SIGHUP with the same files changes nothing (guards the own-address ucast line on reload)
# shellcheck disable=SC2034  # read inside the eval below
th0=$(now)
kill -HUP "${MASTER_PID[web1]}"
check "A1b SIGHUP on web1: reload: configuration unchanged" \
  wait_for 10 grep -q "reload: configuration unchanged" "$LABDIR/web1/log/hamaster.log"
sleep "$(awk -v d="${HA_DEADTIME%%[a-z]*}" 'BEGIN { print d + 0.5 }')"
check "A1b no node declared dead after the reload" eval '[ -z "$(log_time "$th0" web2 hamaster "is dead")$(log_time "$th0" web1 hamaster "is dead")" ]'
check "A1b still served by web1" answered_by web1

# ---- A2: SIGKILL web1's master
echo "# A2 SIGKILL web1's master"
pid=$(master_pid_in_ns web1)
check "A2 web1's hamaster pid file names the process we started, inside web1's netns ($pid)" [ "$pid" = "${MASTER_PID[web1]}" ]
tk=$(now)
kill -KILL "$pid"
serves web2 30 "A2 after kill"
# The sampler (every 50 ms) may trail the client under load (seen in a full ctest -j2 run next to
# the fuzzers): let it record web2's VIP before the samples are compared.
wait_for 10 eval '[ -n "$(vip_sample_time "$tk" web2 1)" ]'
gone1=$(vip_sample_time "$tk" web1 0)
on2=$(vip_sample_time "$tk" web2 1)
timing "kill → VIP gone from web1: $(ms_between "$tk" "$gone1") ms; → web2 dead decision: $(ms_between "$tk" "$(log_time "$tk" web2 hamaster 'node web1: is dead')") ms; → VIP on web2: $(ms_between "$tk" "$on2") ms"
timing "kill → first good web2 answer: $(ms_between "$tk" "$(first_answer "$tk" web2)") ms"
check "A2 web1 released the VIP (sample $gone1) before web2 had it (sample $on2)" \
  awk -v a="$gone1" -v b="$on2" 'BEGIN { exit !(a != "" && b != "" && a < b) }'
check "A2 web1's rscd logged the release on master death" grep -q "Master gone" "$LABDIR/web1/log/rscd.log"
check "A2 web1: no hamaster process left" wait_for 10 no_ha_procs_in web1
check "A2 rscstatus: web2 foreign|all (got $(rscstatus web2))" wait_for 10 holds_service web2
never_both "$t0" "" "A1-A2"
unset "MASTER_PID[web1]"

# ---- A3: web1 back → failback
echo "# A3 web1's master restarts (auto_failback on)"
tr=$(now)
lab_start_master web1
serves web1 30 "A3 failback"
timing "restart → first good web1 answer: $(ms_between "$tr" "$(first_answer "$tr" web1)") ms"
check "A3 rscstatus: web1 local|all, web2 local|none (no group of its own)" wait_for 10 holds_service web1
never_both "$tr" "" "A3"

# ---- A4: hb_standby / hb_takeover on web1
echo "# A4 hb_standby on web1, then hb_takeover on web1"
ts=$(now)
check "A4 hb_standby on web1 exits 0" node_exec web1 "$HM_BIN/hb_standby"
serves web2 30 "A4 standby"
timing "hb_standby → first good web2 answer: $(ms_between "$ts" "$(first_answer "$ts" web2)") ms"
check "A4 after standby: web2 foreign|all, web1 none" wait_for 10 holds_service web2
check "A4 VIP on web2 (zero lost resources: client served = VIP + nginx)" vip_on web2
tt=$(now)
check "A4 hb_takeover on web1 exits 0" node_exec web1 "$HM_BIN/hb_takeover"
serves web1 30 "A4 takeover"
timing "hb_takeover → first good web1 answer: $(ms_between "$tt" "$(first_answer "$tt" web1)") ms"
check "A4 after takeover: web1 local|all, web2 local|none (no group of its own)" wait_for 10 holds_service web1
never_both "$ts" "" "A4"

# ---- A5: service-style stop of web1 → handed over, nothing left behind; then back
echo "# A5 SIGTERM web1's master (service stop), then start it again"
tt=$(now)
check "A5 web1's master exits after SIGTERM" lab_stop_master web1 TERM 30
serves web2 30 "A5 stop"
timing "SIGTERM → first good web2 answer: $(ms_between "$tt" "$(first_answer "$tt" web2)") ms (deadtime is ${HA_DEADTIME}s: handed over, not detected)"
no_leftovers web1
tr=$(now)
lab_start_master web1
serves web1 30 "A5 restart"
check "A5 rscstatus after restart: web1 local|all" wait_for 10 holds_service web1
never_both "$tt" "" "A5"

# ---- A6: web1 lost as a host
echo "# A6 web1 lost as a host (eth0 and eth1 down inside web1)"
sleep 0.5
th=$(now)
links web1 down
serves web2 30 "A6 host loss"
first2=$(first_answer "$th" web2)
timing "links down → web2 dead decision: $(ms_between "$th" "$(log_time "$th" web2 hamaster 'node web1: is dead')") ms; → VIP on web2: $(ms_between "$th" "$(vip_sample_time "$th" web2 1)") ms; → first good web2 answer: $(ms_between "$th" "$first2") ms"
# The guard's window ran while web1 was late (from 1760 ms of silence, deadtime 2 s): its verdict
# was ready at the dead decision (docs/split-brain.md, "Timing"), and web1's VIP, on a dead link,
# never answered it.
check "A6 web2's split-brain guard probed while web1 was late and cleared at the decision" \
  wait_for 10 eval '[ -n "$(log_time "$th" web2 rscd "is free on eth0 .*probed while the peer was late")" ]'
check "A6 no split-brain CRIT on web2" eval '[ -z "$(log_time "$th" web2 rscd "is still answered by")" ]'
sleep 1
check "A6 the client is never answered by web1 after web2's first answer ($(answers_from "$first2" "$(now)" web1) answers)" \
  [ "$(answers_from "$first2" "$(now)" web1)" -eq 0 ]
# web1 cannot hear web2 and keeps (or takes) the group on its downed eth0: stop it before the
# links come back, so the lab returns to one holder.
check "A6 web1's master stops (SIGTERM) with its links down" lab_stop_master web1 TERM 30
check "A6 VIP gone from web1 after its stop" eval '! vip_on web1'
links web1 up
tu=$(now)
sleep 1
check "A6 web2 still serves after web1's links are back" answered_by web2
never_both "$tu" "" "A6 after links up"

# ---- B: auto_failback off
echo "# B1 auto_failback off: both restart; kill web1; web1 back → stays on web2"
check "B web2's master stops (SIGTERM)" lab_stop_master web2 TERM 30
no_leftovers web2
HA_AUTO_FAILBACK=off lab_write_config web1 web2
tb=$(now)
lab_start_master web1
lab_start_master web2
serves web1 30 "B1 start"
check "B1 rscstatus: web1 local|all, web2 local|none (no group of its own)" wait_for 10 holds_service web1
tk=$(now)
kill -KILL "${MASTER_PID[web1]}"
unset "MASTER_PID[web1]"
serves web2 30 "B1 after kill"
timing "kill → first good web2 answer: $(ms_between "$tk" "$(first_answer "$tk" web2)") ms"
check "B1 web1: no hamaster process left" wait_for 10 no_ha_procs_in web1
tr=$(now)
lab_start_master web1
check "B1 web1 sees web2 again" wait_for 30 eval '[ "$(node_exec web1 "$HM_BIN/cl_status" nodestatus web2 2>/dev/null)" = active ]'
sleep $((2 * ${HA_DEADTIME%%[a-z]*} + 1))
check "B1 service stays on web2 (web2 foreign|all, web1 none; got $(rscstatus web2)/$(rscstatus web1))" holds_service web2
check "B1 client still answered by web2, never by web1 since the restart ($(answers_from "$tr" "$(now)" web1))" \
  eval 'answered_by web2 && [ "$(answers_from "$tr" "$(now)" web1)" -eq 0 ]'
never_both "$tb" "" "B1"

echo "# B2 a failed start: port 80 taken on web1, hb_takeover on web1"
node_exec web1 socat TCP-LISTEN:80,reuseaddr,fork /dev/null </dev/null >/dev/null 2>&1 &
holder=$!
check "B2 port 80 taken on web1" wait_for 10 sh -c "ip netns exec $HA_LAB-web1 ss -ltn | grep -q ':80 '"
tf=$(now)
check "B2 hb_takeover on web1 exits 0" node_exec web1 "$HM_BIN/hb_takeover"
check "B2 rscd on web1 logs CRIT: Giving up resources due to failure of nginx" \
  wait_for 30 grep -q "CRIT: Giving up resources due to failure of" "$LABDIR/web1/log/rscd.log"
sleep 1
check "B2 the group is stopped again on web1: no VIP" eval '! vip_on web1'
check "B2 web1 does not claim the resources (cl_status rscstatus: $(rscstatus web1))" \
  eval '! is_one_of "$(rscstatus web1)" local all'
echo "info: after the failed start: web1 rscstatus $(rscstatus web1), web2 rscstatus $(rscstatus web2), VIP on web2: $(vip_on web2 && echo yes || echo no), client: $(curl_once || true)"
never_both "$tf" "" "B2"
# 3.0.6's ResourceManager runs `hb_standby local|foreign` 30 s after a failed start: web2 serves.
check "B2 30 s later web1 goes standby: logged once" \
  wait_for 45 eval '[ "$(grep -c "Failed start: going standby \[local\] so that web2 can run it." "$LABDIR/web1/log/hamaster.log")" -eq 1 ]'
serves web2 20 "B2 after the standby"
check "B2 rscstatus web2 foreign|all, web1 none (got $(rscstatus web2)/$(rscstatus web1))" wait_for 10 holds_service web2
timing "B2 failed start → first good web2 answer: $(ms_between "$tf" "$(first_answer "$tf" web2)") ms (30 s of it is Heartbeat's hb_standby delay)"
never_both "$tf" "" "B2 after the standby"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null
holder=""

never_both "$T_BEGIN" "$th" "whole run before A6"
echo "total run time: $(ms_between "$T_BEGIN" "$(now)") ms"
if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
