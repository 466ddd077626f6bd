#!/usr/bin/env bash
# shellcheck disable=SC2016  # eval'd conditions are single-quoted on purpose (expanded at each try)
# lab_ipfail_test.sh SOURCE_DIR [BIN_DIR] — ping nodes and ipfaild (issue 8) with two live hamaster
# nodes in the namespace lab: the seed's web cluster (VIP 192.0.2.100 + nginx, preferred on web1,
# auto_failback on) with the sample's `ping 192.0.2.1` + `respawn hacluster /usr/lib64/heartbeat/ipfail`
# kept (HA_WITH_IPFAIL=1), demo timings (keepalive 200ms, deadtime 2 = deadping, initdead 4).
# A client polls http://192.0.2.100/ every 50 ms and a sampler records every 50 ms whether the VIP is
# on web1 and/or web2 (lab_lib.sh). Scenarios (the issue's "Done when"):
#   1 both start          → cl_status lists 192.0.2.1 (nodestatus/nodetype `ping`), the ipfailds'
#                           count exchange ends balanced ("Ping node count is balanced." on one side,
#                           on both or answered by abort_giveup), the service on web1 only
#   5 the Heartbeat-style ha.cf (the sample's ping + respawn lines, unchanged) passes `hamaster -t`,
#                           maps to ipfaild, and ipfaild runs as hacluster (else root + WARN)
#   2 web1 drops ICMP     → (iptables -I INPUT -p icmp -j DROP inside web1's netns only) the count
#                           exchange in both ipfaild logs, the service moves to web2; the tutorial's
#                           greps of ha-debug find ipfaild's, rscd's and IPaddr's lines; rule deleted
#                           → auto_failback brings it back to web1
#   3 web1's eth0 down    → (eth1, the heartbeat LAN, stays up) web2 takes over, web1 releases
#                           (rscstatus none, no VIP); eth0 up → one stable owner (web1, auto_failback)
#   4 eth1 down on both   → each declares the other dead; web2's split-brain guard (rscd's ARP probe)
#                           finds the VIP still answered by web1's MAC: CRIT once, no takeover; the
#                           VIP is never on both, the client is served by web1 throughout;
#                           eth1 up → web2 abandons the takeover, one stable owner (web1)
# Only correctness is asserted (generous deadlines); times are printed. Exit 77 (skipped) when not
# root, without network namespaces, nginx, curl or iptables. KEEP_LOGS=1 keeps $LABDIR after a pass.
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: lab_ipfail_test.sh SOURCE_DIR [BIN_DIR]}" && pwd)
HM_BIN=${2:-$LAB_SRC/build/bin}
export HA_LAB=hli$$
LABDIR=$(mktemp -d /tmp/hamaster-lab-ipfail.XXXXXX)
HA_WITH_IPFAIL=1
FOLLOW_LOGS="web1.hamaster web1.rscd web1.ipfaild web2.hamaster web2.rscd web2.ipfaild"
# shellcheck source=tests/integration/lab_lib.sh
. "$LAB_SRC/tests/integration/lab_lib.sh"

if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi
command -v iptables >/dev/null || { echo "SKIP: needs iptables"; rm -rf "$LABDIR"; exit 77; }
[ -x "$HM_BIN/ipfaild" ] || { echo "SKIP: no $HM_BIN/ipfaild (build first)"; rm -rf "$LABDIR"; exit 77; }

failures=0
trap 'lab_finish hamaster ipfaild rscd' EXIT
trap 'exit 1' INT TERM

cl() { node_exec "$1" "$HM_BIN/cl_status" "${@:2}" 2>/dev/null; }
ipf_log() { echo "$LABDIR/$1/log/ipfaild.log"; }
ipf_logged() { grep -qF -- "$2" "$(ipf_log "$1")" 2>/dev/null; }  # ipf_logged NODE TEXT
ipf_count() { grep -cF -- "$2" "$(ipf_log "$1")" 2>/dev/null || true; }
ipf_time() { log_time "$1" "$2" ipfaild "$3"; }  # ipf_time AFTER NODE REGEX
owner() {  # owner — web1 | web2 | none | both, from the VIP on eth0
  local a=0 b=0
  vip_on web1 && a=1
  vip_on web2 && b=1
  case $a$b in 10) echo web1 ;; 01) echo web2 ;; 00) echo none ;; *) echo both ;; esac
}
stable_one_owner() {  # stable_one_owner SECONDS — exactly one node has the VIP, the same one, for SECONDS
  local o first deadline=$((SECONDS + $1))
  first=$(owner)
  is_one_of "$first" web1 web2 || return 1
  while [ $SECONDS -lt "$deadline" ]; do
    sleep 0.2
    o=$(owner)
    [ "$o" = "$first" ] || return 1
  done
  STABLE_OWNER=$first
}
ipfaild_pid_in() {  # the pid of ipfaild inside NODE's namespace
  local p
  for p in $(ip netns pids "$HA_LAB-$1" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = ipfaild ] && { echo "$p"; return 0; }
  done
  return 1
}
uid_of() { awk '/^Uid:/ { print $2 }' "/proc/$1/status" 2>/dev/null; }
both_samples() {  # both_samples FROM [TO] — the samples with the VIP on both nodes, readable times
  awk -v a="$1" -v b="${2:-9999999999}" -v t0="$1" \
    '$1 >= a && $1 <= b && $2 == 1 && $3 == 1 && $4 == 1 { printf "  +%.3fs  web1=%s web2=%s web1=%s\n", $1 - t0, $2, $3, $4 }' \
    "$WATCH/vip.samples"
}
answers_summary() {  # answers_summary FROM TO — how the client was answered in [FROM, TO]
  echo "web1 $(answers_from "$1" "$2" web1), web2 $(answers_from "$1" "$2" web2), none $(answers_from "$1" "$2" -)"
}
deadline_s() { awk -v d="${HA_DEADTIME%%[a-z]*}" -v k="$1" 'BEGIN { print d * k }'; }

lab_up || { echo "FAIL - lab up"; failures=1; exit 1; }
lab_write_config web1 web2
lab_start_watchers
echo "lab $HA_LAB up (keepalive $HA_KEEPALIVE, deadtime $HA_DEADTIME, initdead $HA_INITDEAD, auto_failback $HA_AUTO_FAILBACK, ping 192.0.2.1 + ipfail)"
T_BEGIN=$(now)

# ---- 5 (config part): the Heartbeat-style ha.cf, unchanged, passes hamaster -t ----------------
echo "# 5 Heartbeat-style ha.cf with ping + respawn ... ipfail"
for n in web1 web2; do
  f=$LABDIR/$n/etc/ha.d/ha.cf
  check "5 $n ha.cf has the sample's ping + respawn lines verbatim" eval \
    'diff <(grep -E "^(ping|respawn)[[:space:]]" "$LAB_SRC/conf/web/ha.cf") <(grep -E "^(ping|respawn)[[:space:]]" "$f") >/dev/null &&
     grep -qx "respawn hacluster /usr/lib64/heartbeat/ipfail" "$f" && grep -qE "^ping[[:space:]]+192\.0\.2\.1([[:space:]]|$)" "$f"'
  out=$(node_exec "$n" "$HM_BIN/hamaster" -t 2>&1); rc=$?
  check "5 $n: hamaster -t accepts it (exit $rc)" test "$rc" -eq 0
  check "5 $n: hamaster -t maps the ipfail respawn to ipfaild" grep -q "ipfaild (built-in)" <<<"$out"
done

# ---- 1: both start ---------------------------------------------------------------------------
echo "# 1 both nodes start with ping 192.0.2.1 + ipfail"
t1=$(now)
lab_start_master web1
lab_start_master web2
serves web1 30 "1 start"
timing "start → first good web1 answer: $(ms_between "$t1" "$(first_answer "$t1" web1)") ms"
check "1 rscstatus: web1 local|all, web2 local|none (no group of its own) (got $(rscstatus web1)/$(rscstatus web2))" wait_for 10 holds_service web1
for n in web1 web2; do
  check "1 $n: cl_status listnodes shows 192.0.2.1" wait_for 15 eval 'cl "$n" listnodes | grep -qx 192.0.2.1'
  check "1 $n: cl_status nodestatus 192.0.2.1 → ping (got $(cl "$n" nodestatus 192.0.2.1))" \
    wait_for 15 eval '[ "$(cl "$n" nodestatus 192.0.2.1)" = ping ]'
  check "1 $n: cl_status nodetype 192.0.2.1 → ping (got $(cl "$n" nodetype 192.0.2.1))" \
    eval '[ "$(cl "$n" nodetype 192.0.2.1)" = ping ]'
done
# The count exchange is one-sided: a node compares the count it is sent with its own and answers
# (you_are_dead / giving up / abort_giveup). Which node compares depends on whose ping node came up
# last, so at start-up the balance is logged by at least one node, and the other one either logged
# it too or got the abort_giveup that answers it ("Aborted delayed giveup." / "No giveup timer to
# abort.").
balanced_or_answered() {
  ipf_logged "$1" "Ping node count is balanced." || ipf_logged "$1" "Aborted delayed giveup." ||
    ipf_logged "$1" "No giveup timer to abort."
}
check "1 ipfaild.log: Ping node count is balanced (web1 or web2)" \
  wait_for 20 eval 'ipf_logged web1 "Ping node count is balanced." || ipf_logged web2 "Ping node count is balanced."'
for n in web1 web2; do
  check "1 $n: ipfaild.log: the count exchange ended balanced" wait_for 20 balanced_or_answered "$n"
done
timing "start → balanced: web1 $(ms_between "$t1" "$(ipf_time "$t1" web1 'Ping node count is balanced')") ms, web2 $(ms_between "$t1" "$(ipf_time "$t1" web2 'Ping node count is balanced')") ms"
check "1 still served by web1 after the balanced exchange" answered_by web1

# ---- 5 (process part): ipfaild runs as the respawn user -------------------------------------
if id -u hacluster >/dev/null 2>&1; then
  want_uid=$(id -u hacluster)
  for n in web1 web2; do
    p=$(ipfaild_pid_in "$n")
    check "5 $n: an ipfaild process runs in the node (pid ${p:-none})" test -n "$p"
    check "5 $n: ipfaild runs as hacluster (uid $want_uid; got $(uid_of "$p"))" \
      wait_for 10 eval '[ "$(uid_of "$(ipfaild_pid_in "$n")")" = "$want_uid" ]'
    check "5 $n: ipfaild.log: Dropped privileges to hacluster" ipf_logged "$n" "Dropped privileges to hacluster"
  done
else
  for n in web1 web2; do
    p=$(ipfaild_pid_in "$n")
    check "5 $n: ipfaild runs as root (no hacluster user; got uid $(uid_of "$p"))" test "$(uid_of "$p")" = 0
    check "5 $n: ipfaild.log: WARN User hacluster does not exist" ipf_logged "$n" "User hacluster does not exist"
  done
fi

# ---- 2: web1 drops ICMP ----------------------------------------------------------------------
echo "# 2 web1 drops ICMP (iptables inside web1's netns), then accepts it again"
sleep 0.5
t2=$(now)
check "2 iptables -I INPUT -p icmp -j DROP in web1's netns" ip netns exec "$HA_LAB-web1" iptables -I INPUT -p icmp -j DROP
serves web2 30 "2 ICMP dropped on web1"
check "2 rscstatus: web2 foreign|all, web1 none (got $(rscstatus web2)/$(rscstatus web1))" wait_for 10 holds_service web2
check "2 web2 ipfaild: Telling other node that we have more visible ping nodes." \
  wait_for 5 eval '[ -n "$(ipf_time "$t2" web2 "Telling other node that we have more visible ping nodes")" ]'
check "2 web1 ipfaild: We are dead. :<" wait_for 5 eval '[ -n "$(ipf_time "$t2" web1 "We are dead. :<")" ]'
check "2 web1 ipfaild: Giving up because we were told that we have less ping nodes." \
  wait_for 5 eval '[ -n "$(ipf_time "$t2" web1 "Giving up because we were told that we have less ping nodes")" ]'
check "2 web1: cl_status nodestatus 192.0.2.1 → dead (got $(cl web1 nodestatus 192.0.2.1))" eval '[ "$(cl web1 nodestatus 192.0.2.1)" = dead ]'
check "2 web2: cl_status nodestatus 192.0.2.1 → ping (got $(cl web2 nodestatus 192.0.2.1))" eval '[ "$(cl web2 nodestatus 192.0.2.1)" = ping ]'
timing "ICMP drop → web2 'Telling other node': $(ms_between "$t2" "$(ipf_time "$t2" web2 'Telling other node')") ms; → web1 'We are dead': $(ms_between "$t2" "$(ipf_time "$t2" web1 'We are dead')") ms; → VIP gone from web1: $(ms_between "$t2" "$(vip_sample_time "$t2" web1 0)") ms; → VIP on web2: $(ms_between "$t2" "$(vip_sample_time "$t2" web2 1)") ms; → first good web2 answer: $(ms_between "$t2" "$(first_answer "$t2" web2)") ms"
never_both "$t2" "" "2 ICMP dropped"
# The tutorial watches `tailf /var/log/ha-debug` (here the node's log dir): ipfail's lines are
# there beside the master's, rscd's and IPaddr's, each naming its process (issue 21).
hadebug() { echo "$LABDIR/$1/log/ha-debug"; }
in_hadebug() { grep -E -q -- "$2" "$(hadebug "$1")" 2>/dev/null; }  # in_hadebug NODE REGEX
for n in web1 web2; do
  check "2 $n ha-debug: ipfaild: Found ping node 192.0.2.1!" in_hadebug "$n" " $n ipfaild: \\[[0-9]+\\]: info: Found ping node 192\\.0\\.2\\.1!"
  check "2 $n ha-debug: ipfaild: Other side is now stable" in_hadebug "$n" " ipfaild: .*Other side is now stable"
  check "2 $n ha-log has ipfaild lines too" grep -q " $n ipfaild: " "$LABDIR/$n/log/ha-log"
done
check "2 web2 ha-debug: ipfaild: Got asked for num_ping" wait_for 5 in_hadebug web2 " web2 ipfaild: .*Got asked for num_ping"
check "2 web2 ha-debug: ipfaild: Telling other node that we have more visible ping nodes." \
  in_hadebug web2 " web2 ipfaild: .*Telling other node that we have more visible ping nodes\\."
check "2 web1 ha-debug: ipfaild: Giving up because we were told that we have less ping nodes." \
  in_hadebug web1 " web1 ipfaild: .*Giving up because we were told that we have less ping nodes\\."
check "2 web2 ha-debug: rscd: Acquiring resource group" in_hadebug web2 " web2 rscd: .*Acquiring resource group: web1 "
check "2 web2 ha-debug: rscd: IPaddr gratuitous ARPs for 192.0.2.100" in_hadebug web2 " web2 rscd: .*IPaddr: Sending [0-9]+ gratuitous ARPs for 192\\.0\\.2\\.100"
check "2 web1 ha-debug: rscd: Releasing resource group" in_hadebug web1 " web1 rscd: .*Releasing resource group: web1 "
check "2 web2 ha-debug: hamaster lines too" in_hadebug web2 " web2 hamaster: \\[[0-9]+\\]: "
t2b=$(now)
check "2 iptables -D INPUT -p icmp -j DROP in web1's netns" ip netns exec "$HA_LAB-web1" iptables -D INPUT -p icmp -j DROP
serves web1 30 "2 ICMP back (auto_failback on)"
check "2 back: rscstatus web1 local|all, web2 local|none (no group of its own) (got $(rscstatus web1)/$(rscstatus web2))" wait_for 10 holds_service web1
# web1 asks (its ping node came up); web2 compares: balanced, abort_giveup to web1, and gives the
# foreign group back (auto_failback).
check "2 back: web1 ipfaild: A ping node just came up." wait_for 10 eval '[ -n "$(ipf_time "$t2b" web1 "A ping node just came up")" ]'
check "2 back: web2 ipfaild: Ping node count is balanced." wait_for 10 eval '[ -n "$(ipf_time "$t2b" web2 "Ping node count is balanced")" ]'
check "2 back: web2 ipfaild: Giving up foreign resources (auto_failback)." \
  wait_for 10 eval '[ -n "$(ipf_time "$t2b" web2 "Giving up foreign resources [(]auto_failback[)]")" ]'
timing "ICMP back → balanced on web2: $(ms_between "$t2b" "$(ipf_time "$t2b" web2 'Ping node count is balanced')") ms; → VIP on web1: $(ms_between "$t2b" "$(vip_sample_time "$t2b" web1 1)") ms; → first good web1 answer: $(ms_between "$t2b" "$(first_answer "$t2b" web1)") ms"
never_both "$t2b" "" "2 ICMP back"

# ---- 3: web1 loses eth0 only -----------------------------------------------------------------
echo "# 3 web1 loses eth0 (eth1, the heartbeat LAN, stays up), then gets it back"
sleep 0.5
t3=$(now)
ip -n "$HA_LAB-web1" link set eth0 down
serves web2 30 "3 web1 eth0 down"
check "3 web1: cl_status rscstatus → none (got $(rscstatus web1))" wait_for 20 rscstatus_is web1 none
check "3 web1 does not keep the VIP" wait_for 20 eval '! vip_on web1'
check "3 rscstatus: web2 foreign|all (got $(rscstatus web2))" wait_for 10 holds_service web2
check "3 web2 still sees web1 over eth1 (nodestatus web1: $(cl web2 nodestatus web1))" eval '[ "$(cl web2 nodestatus web1)" = active ]'
timing "eth0 down → web2 'Telling other node': $(ms_between "$t3" "$(ipf_time "$t3" web2 'Telling other node')") ms; → VIP gone from web1: $(ms_between "$t3" "$(vip_sample_time "$t3" web1 0)") ms; → VIP on web2: $(ms_between "$t3" "$(vip_sample_time "$t3" web2 1)") ms; → first good web2 answer: $(ms_between "$t3" "$(first_answer "$t3" web2)") ms"
never_both "$t3" "" "3 eth0 down"
t3b=$(now)
ip -n "$HA_LAB-web1" link set eth0 up
ip -n "$HA_LAB-web1" route replace default via 192.0.2.1  # the kernel dropped it with the link
check "3 eth0 back: one stable owner (3 s)" wait_for 30 stable_one_owner 3
check "3 eth0 back: the owner is web1 (auto_failback on; got ${STABLE_OWNER:-none})" test "${STABLE_OWNER:-}" = web1
serves web1 10 "3 eth0 back"
check "3 eth0 back: rscstatus web1 local|all, web2 local|none (no group of its own) (got $(rscstatus web1)/$(rscstatus web2))" wait_for 10 holds_service web1
timing "eth0 up → VIP on web1: $(ms_between "$t3b" "$(vip_sample_time "$t3b" web1 1)") ms; → first good web1 answer: $(ms_between "$t3b" "$(first_answer "$t3b" web1)") ms"
never_both "$t3b" "" "3 eth0 back"

# ---- 4: the heartbeat LAN dies on both nodes ------------------------------------------------
echo "# 4 eth1 (the heartbeat LAN) down on both nodes while eth0 is up, then back"
sleep 0.5
t4=$(now)
ip -n "$HA_LAB-web1" link set eth1 down
ip -n "$HA_LAB-web2" link set eth1 down
# Long enough for both nodes to declare the other dead and act: 2 x deadtime + 4 s.
sleep "$(deadline_s 2)"; sleep 4
t4e=$(now)
web1_mac=$(ip -n "$HA_LAB-web1" -o link show eth0 | awk '{ for (i = 1; i < NF; i++) if ($i == "link/ether") print $(i + 1) }')
timing "eth1 down → web1 declares web2 dead: $(ms_between "$t4" "$(log_time "$t4" web1 hamaster 'node web2: is dead')") ms; → web2 declares web1 dead: $(ms_between "$t4" "$(log_time "$t4" web2 hamaster 'node web1: is dead')") ms; → web2's guard refuses: $(ms_between "$t4" "$(log_time "$t4" web2 rscd 'is still answered by')") ms"
echo "info: 4 eth1 down: client answers $(answers_summary "$t4" "$t4e"); rscstatus web1 $(rscstatus web1), web2 $(rscstatus web2)"
check "4 eth1 down: both nodes declared the other dead" \
  eval 'grep -qF "node web2: is dead" "$LABDIR/web1/log/hamaster.log" && grep -qF "node web1: is dead" "$LABDIR/web2/log/hamaster.log"'
never_both "$t4" "$t4e" "4 eth1 down"
if [ "$(vip_on_both_count "$t4" "$t4e")" -ne 0 ]; then
  echo "evidence (samples with the VIP on both, seconds after eth1 went down; columns web1 web2 web1):"
  both_samples "$t4" "$t4e" | head -n 5
fi
# web1 keeps serving: no takeover happened, so web2 never answered.
check "4 eth1 down: the client was served by web1 only (no answer from web2: $(answers_from "$t4" "$t4e" web2))" \
  test "$(answers_from "$t4" "$t4e" web2)" -eq 0 -a "$(answers_from "$t4" "$t4e" web1)" -gt 0
check "4 eth1 down: web2's rscd logged the CRIT naming web1's MAC ($web1_mac) exactly once" \
  test "$(grep -c "CRIT: .*192.0.2.100 is still answered by $web1_mac on eth0" "$LABDIR/web2/log/rscd.log")" -eq 1
check "4 eth1 down: web2 waits (rscstatus transition, no VIP), web1 keeps the group" \
  eval '[ "$(rscstatus web2)" = transition ] && ! vip_on web2 && vip_on web1'
status2=$(node_exec web2 "$HM_BIN/hamaster" status 2>&1)
check "4 eth1 down: hamaster status on web2 shows the group waiting on web1's MAC" \
  grep -qF "nginx: waiting: 192.0.2.100 answered by $web1_mac on eth0 (split-brain guard)" <<<"$status2"
[ $failures -eq 0 ] || echo "$status2"

t4b=$(now)
ip -n "$HA_LAB-web1" link set eth1 up
ip -n "$HA_LAB-web2" link set eth1 up
check "4 eth1 back: both nodes see each other again" \
  wait_for 20 eval '[ "$(cl web1 nodestatus web2)" = active ] && [ "$(cl web2 nodestatus web1)" = active ]'
check "4 eth1 back: web2 abandons the takeover (logged once)" \
  wait_for 10 eval '[ "$(grep -c "web1 is back: not acquiring resource group" "$LABDIR/web2/log/hamaster.log")" -eq 1 ]'
check "4 eth1 back: one stable owner (3 s)" wait_for 20 stable_one_owner 3
t4c=$(now)
check "4 eth1 back: the owner is web1 (got ${STABLE_OWNER:-none})" test "${STABLE_OWNER:-}" = web1
check "4 eth1 back: rscstatus web1 local|all, web2 local|none (no group of its own) (got $(rscstatus web1)/$(rscstatus web2))" wait_for 10 holds_service web1
serves web1 10 "4 eth1 back"
never_both "$t4b" "" "4 eth1 back"
check "4 eth1 back: nothing was settled because nothing was held twice (no CRIT 'after the partition')" \
  eval '! grep -q "after the partition" "$LABDIR/web1/log/hamaster.log" "$LABDIR/web2/log/hamaster.log"'
timing "eth1 up → both active again: $(ms_between "$t4b" "$(log_time "$t4b" web2 hamaster 'web1 is back')") ms"

never_both "$T_BEGIN" "$t4" "whole run before scenario 4"
echo "total run time: $(ms_between "$T_BEGIN" "$(now)") ms"
if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
