#!/usr/bin/env bash
# shellcheck disable=SC2016  # eval'd conditions are single-quoted on purpose (expanded at each try)
# lab_interop_test.sh SOURCE_DIR BIN_DIR SCENARIO — a mixed cluster in the namespace lab: Debian's
# Heartbeat 3.0.6 on one node, hamaster on the other, serving the sample's VIP 192.0.2.100 + nginx
# to a client, with the same unchanged ha.cf / haresources / authkeys on both nodes.
#
# The lab (scripts/lab, lab_lib.sh) is the one of tests/integration/lab_failover_test.sh: conf/web
# with demo timings (keepalive 200ms, deadtime 2, warntime 1, initdead 4; the ping/ipfail lines
# commented out). haresources names web1 as the preferred node; which implementation runs there is
# a parameter. Parameters (environment):
#   INTEROP_PREFERRED  heartbeat | hamaster   the implementation on web1 (default heartbeat)
#   INTEROP_OTHER      heartbeat | hamaster   the implementation on web2 (default: the other one;
#                                             the same one on both is the reference run, to tell
#                                             a mixed cluster's behaviour from the implementation's)
#   INTEROP_AUTH       crc | md5 | sha1       authkeys method (default sha1)
#   INTEROP_MEDIA      ucast | serial | both  the sample's ucast lines; or a socat pty pair as the
#                                             null-modem cable (`serial /var/lib/hamaster/ttyHA`,
#                                             the same path on both nodes, baud 115200); or both
#                                             (default ucast)
# Scenarios (one per ctest entry, see CMakeLists.txt):
#   startup   both start → both see each other active (each with its own cl_status), the group on
#             web1 only, the client served by web1 and still by web1 a few seconds later; no
#             authentication or parse error in either log
#   kill      startup, then web1 crashes (SIGKILL to everything in its netns, its VIP gone) → web2
#             (the other implementation) takes over, the client is served by web2
#   failback  web2 starts alone and takes the group (initdead); web1 starts → with auto_failback on
#             the group moves back to web1, the client is served by web1
#   nofailback  failback's start with auto_failback off on both nodes: web2 alone takes the group;
#             web1 starts → both active, and 2 x deadtime + 1 s later the group is still on web2
#             (the client never answered by web1)
#   standby   startup, hb_standby on web1 (its own implementation's tool) → web2 serves;
#             hb_takeover on web1 → web1 serves again
#   stop      startup, graceful stop of web1 (SIGTERM, as `service ... stop`) → web2 logs the
#             shutdown notice and takes the group, the client is served by web2
#   wrongkey  web1 starts alone and takes the group; web2 starts with another key (sha1, other
#             secret) → neither sees the other, hamaster logs `dropped packet ...: bad_auth`
#             (rate-limited: a few lines, no log storm), the VIP is added at most once per node
#             and never removed (no takeover storm); when web2 is hamaster its split-brain guard
#             keeps it from taking the VIP web1 still answers for (Heartbeat has no such guard:
#             with Heartbeat on web2 the VIP ends on both nodes, which is only reported)
#   ipfail    the sample's `ping 192.0.2.1` and an ipfail respawn line with Debian's path
#             (/usr/libexec/heartbeat/ipfail: Heartbeat runs its ipfail, hamaster its ipfaild);
#             startup, then web1 drops ICMP (iptables in web1's netns) → the group moves to web2;
#             the rule is removed → it comes back to web1 (auto_failback on)
#   rexmit    startup, then the hamaster node's heartbeat packets to the Heartbeat node are dropped
#             for 0.6 s (iptables INPUT in the receiver's netns: ~3 keepalives) → Heartbeat logs `N lost
#             packet(s) for [node] [a:b]` and asks with NS_rexmit, hamaster logs `Retransmitting N
#             packet(s) for ...` and sends the kept messages again, Heartbeat logs `No pkts missing
#             from node!` and nothing irretrievably lost; then the reverse (the Heartbeat node's
#             packets dropped: hamaster logs the gap, asks, logs `No pkts missing from node!`);
#             both stay active, web1 serves all along. ucast only (a serial link would still carry the packets: no gap); else skipped
#   replace   one step of a rolling upgrade: web2 first runs web1's implementation; both start,
#             web1 serves; web2 is stopped gracefully and started again with the other
#             implementation (same files) → both see each other active again, web1 serves all
#             along; hb_standby on web1 → the replaced web2 serves. With INTEROP_PREFERRED=hamaster
#             this is the way back (hamaster replaced by Heartbeat).
# In every scenario the VIP is never on both nodes at any 50 ms sample.
# Exit 77 (skipped) when not root, without network namespaces, nginx, curl, socat or Debian's
# heartbeat package. KEEP_LOGS=1 keeps $LABDIR after a passing run (logs: NODE/log/ha-log is
# Heartbeat's, NODE/log/hamaster.log etc. hamaster's; watch/ has the samples and client answers).
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: lab_interop_test.sh SOURCE_DIR BIN_DIR SCENARIO}" && pwd)
HM_BIN=${2:?usage: lab_interop_test.sh SOURCE_DIR BIN_DIR SCENARIO}
SCENARIO=${3:?usage: lab_interop_test.sh SOURCE_DIR BIN_DIR SCENARIO}
PREFERRED=${INTEROP_PREFERRED:-heartbeat}
if [ "$PREFERRED" = heartbeat ]; then OTHER=${INTEROP_OTHER:-hamaster}; else OTHER=${INTEROP_OTHER:-heartbeat}; fi
AUTH=${INTEROP_AUTH:-sha1}
MEDIA=${INTEROP_MEDIA:-ucast}
export HA_LAB=hio$$
LABDIR=$(mktemp -d /tmp/hamaster-lab-interop.XXXXXX)
FOLLOW_LOGS="web1.hamaster web2.hamaster"
# shellcheck source=tests/integration/lab_lib.sh
. "$LAB_SRC/tests/integration/lab_lib.sh"

usage_error() { echo "lab_interop_test: $*" >&2; rm -rf "$LABDIR"; exit 2; }
is_one_of "$PREFERRED" heartbeat hamaster || usage_error "INTEROP_PREFERRED: heartbeat or hamaster, not \"$PREFERRED\""
is_one_of "$OTHER" heartbeat hamaster || usage_error "INTEROP_OTHER: heartbeat or hamaster, not \"$OTHER\""
is_one_of "$AUTH" crc md5 sha1 || usage_error "INTEROP_AUTH: crc, md5 or sha1, not \"$AUTH\""
is_one_of "$MEDIA" ucast serial both || usage_error "INTEROP_MEDIA: ucast, serial or both, not \"$MEDIA\""
is_one_of "$SCENARIO" startup kill failback nofailback standby stop wrongkey replace ipfail rexmit || usage_error "unknown scenario \"$SCENARIO\""

if ! why=$(lab_can_run) || ! why=$(hb_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi

NODE_IMPL=([web1]=$PREFERRED [web2]=$OTHER)
[ "$SCENARIO" = nofailback ] && HA_AUTO_FAILBACK=off
if [ "$SCENARIO" = rexmit ]; then
  [ "$MEDIA" = ucast ] || { echo "SKIP: rexmit needs INTEROP_MEDIA=ucast (a serial link fills the gap)"; rm -rf "$LABDIR"; exit 77; }
  [ "$PREFERRED" != "$OTHER" ] || { echo "SKIP: rexmit needs one node of each implementation"; rm -rf "$LABDIR"; exit 77; }
  command -v iptables >/dev/null || { echo "SKIP: needs iptables"; rm -rf "$LABDIR"; exit 77; }
fi
if [ "$SCENARIO" = ipfail ]; then
  HA_WITH_IPFAIL=1
  command -v iptables >/dev/null || { echo "SKIP: needs iptables"; rm -rf "$LABDIR"; exit 77; }
fi
failures=0
SOCAT_PID=
cleanup() {
  local n
  if [ "$failures" -ne 0 ]; then
    for n in web1 web2; do
      [ "$(impl "$n")" = heartbeat ] || continue
      echo "--- tail $LABDIR/$n/log/ha-log"; grep -v 'debug:' "$LABDIR/$n/log/ha-log" 2>/dev/null | tail -n 40
    done
  fi
  lab_finish hamaster heartbeatd-net heartbeatd-serial
  [ -z "$SOCAT_PID" ] || kill "$SOCAT_PID" 2>/dev/null  # after the nodes: no EOF on a live tty
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# --- the cluster's files: the same ha.cf, haresources and authkeys on both nodes ----------------
write_interop_config() {
  local n f keys
  case $AUTH in
    crc) keys=$'auth 1\n1 crc' ;;
    md5) keys=$'auth 3\n3 md5 interop-md5-secret' ;;
    sha1) keys=$'auth 2\n2 sha1 interop-sha1-secret' ;;
  esac
  lab_write_config web1 web2
  for n in web1 web2; do
    f=$LABDIR/$n/etc/ha.d/ha.cf
    # Syslog is the host's (the mount namespace shares /dev/log): the files are enough here.
    sed -i -E 's/^logfacility[[:space:]].*/logfacility     none/' "$f"
    case $MEDIA in
      serial) sed -i -E 's/^(ucast[[:space:]])/#interop# \1/' "$f" ;;
    esac
    if [ "$MEDIA" != ucast ]; then
      # baud before the serial line (Heartbeat applies it only to later serial lines).
      sed -i -E 's|^(udpport[[:space:]].*)$|\1\nbaud            115200\nserial          /var/lib/hamaster/ttyHA|' "$f"
    fi
    # The sample's ipfail path is RPM's; Debian's Heartbeat has it in /usr/libexec (hamaster maps both).
    sed -i -E 's|^respawn hacluster .*/ipfail$|respawn hacluster /usr/libexec/heartbeat/ipfail|' "$f"
    printf '%s\n' "$keys" >"$LABDIR/$n/etc/ha.d/authkeys"
    chmod 600 "$LABDIR/$n/etc/ha.d/authkeys"
  done
  cmp -s "$LABDIR/web1/etc/ha.d/ha.cf" "$LABDIR/web2/etc/ha.d/ha.cf" || fail "ha.cf differs between the nodes"
}

start_cable() {  # the null-modem cable: a socat pty pair, linked as lib/ttyHA in each node
  socat pty,raw,echo=0,link="$LABDIR/web1/lib/ttyHA" pty,raw,echo=0,link="$LABDIR/web2/lib/ttyHA" \
    </dev/null >"$LABDIR/socat.out" 2>&1 &
  SOCAT_PID=$!
  wait_for 10 eval '[ -e "$LABDIR/web1/lib/ttyHA" ] && [ -e "$LABDIR/web2/lib/ttyHA" ]' || fail "socat pty pair"
}

impl() { echo "${NODE_IMPL[$1]}"; }
desc() { echo "$1 ($(impl "$1"))"; }

hb_errors() {  # print Heartbeat's ERROR/CRIT lines (diagnosis; not a verdict)
  local n
  for n in web1 web2; do
    [ "$(impl "$n")" = heartbeat ] || continue
    grep -E 'ERROR|CRIT' "$LABDIR/$n/log/ha-log" 2>/dev/null | head -10 | sed "s/^/info: $n ha-log: /"
  done
}

# Who holds the group, by each node's own cl_status rscstatus. Both implementations say `local` on a
# node that holds its own (here: empty) set of local groups, and `none` after a standby of `all`:
# web2 is the preferred node of no group, so `local` there holds nothing either.
holds_group() {  # holds_group NODE — NODE holds the sample's group, the other node holds nothing
  local want=local o; [ "$1" = web2 ] && want=foreign
  o=$(rscstatus "$(other "$1")")  # empty: nothing runs there
  if [ "$1" = web1 ]; then is_one_of "$o" none local ""; else is_one_of "$o" none ""; fi &&
    is_one_of "$(rscstatus "$1")" "$want" all
}

media_links() {  # the link names each side reports for the peer
  [ "$MEDIA" = serial ] || echo eth1
  [ "$MEDIA" = ucast ] || echo /var/lib/hamaster/ttyHA
}
all_links_up() {  # every configured medium carries heartbeats both ways (each side's cl_status)
  local l
  for l in $(media_links); do
    [ "$(cl_status_on web1 hblinkstatus web2 "$l")" = up ] && [ "$(cl_status_on web2 hblinkstatus web1 "$l")" = up ] || return 1
  done
}

# lose_heartbeats TO FROM LOG — FROM's packets to TO are lost on the way for 0.6 s (~3 keepalives:
# TO's input drops them, FROM sees nothing wrong) on a quiet cluster; TO logs the gap in LOG
# (`N lost packet(s) for [FROM] [a:b]`, one gap), asks, and logs `No pkts missing from FROM!` once
# FROM sent them again; nothing is irretrievably lost.
lose_heartbeats() {
  local to=$1 from=$2 log=$3 before after bad
  check "rexmit: the cluster is quiet (no log line for 2 s)" wait_for 60 logs_quiet 2
  before=$(grep -c "lost packet(s) for \[$from\]" "$log")
  ip netns exec "$HA_LAB-$to" iptables -I INPUT -i eth1 -p udp --dport 694 -j DROP || fail "rexmit: iptables in $to"
  sleep 0.6
  ip netns exec "$HA_LAB-$to" iptables -D INPUT -i eth1 -p udp --dport 694 -j DROP || fail "rexmit: iptables -D in $to"
  check "rexmit: $to ($(impl "$to")) logged lost packets from $from" \
    wait_for 10 eval '[ "$(grep -c "lost packet(s) for \[$from\]" "$log")" -gt "$before" ]'
  check "rexmit: $to ($(impl "$to")) got them back from $from (\"No pkts missing from $from!\")" \
    wait_for 10 grep -q "No pkts missing from $from!" "$log"
  echo "info: $to: $(grep -h "lost packet(s) for \[$from\]" "$log" | tail -1 | cut -c1-160)"
  bad=$(grep -hE "Irretrievably lost|Cannot rexmit|Gave up asking" "$log" | head -3)
  check "rexmit: $to ($(impl "$to")): nothing irretrievably lost${bad:+ (got: $bad)}" [ -z "$bad" ]
  after=$(grep -c "lost packet(s) for \[$from\]" "$log")
  check "rexmit: $to ($(impl "$to")): the one gap only ($((after - before)) lost-packet lines)" [ "$after" -eq $((before + 1)) ]
}

start_both() {  # start_both WHAT — web1 then web2; both active, the group on web1, client served
  lab_start_node web1 || fail "$1: start $(desc web1)"
  lab_start_node web2 || fail "$1: start $(desc web2)"
  check "$1: both see each other active (web1: $(cl_status_on web1 nodestatus web2), web2: $(cl_status_on web2 nodestatus web1))" \
    wait_for 60 both_active
  check "$1: every link up on both sides ($(media_links | tr '\n' ' '))" wait_for 30 all_links_up
  serves web1 60 "$1"
  check "$1: rscstatus web1 local|all, web2 none (got $(rscstatus web1)/$(rscstatus web2))" wait_for 20 holds_group web1
}

lab_up || { echo "FAIL - lab up"; failures=1; exit 1; }
write_interop_config
[ "$MEDIA" = ucast ] || start_cable
lab_start_watchers
echo "lab $HA_LAB: scenario $SCENARIO; web1 (preferred) runs $(impl web1), web2 runs $(impl web2); auth $AUTH; media $MEDIA"
T_BEGIN=$(now)

case $SCENARIO in
  startup)
    start_both "startup"
    timing "start → first good web1 answer: $(ms_between "$T_BEGIN" "$(first_answer "$T_BEGIN" web1)") ms"
    check "startup: VIP not on web2, no nginx there" eval '! vip_on web2 && ! ha_procs_in web2 | grep -q nginx'
    ts=$(now)
    sleep 3
    check "startup: 3 s later still web1 only (web2 answers: $(answers_from "$ts" "$(now)" web2))" \
      eval 'answered_by web1 && [ "$(answers_from "$ts" "$(now)" web2)" -eq 0 ]'
    check "startup: both still active" both_active
    ;;

  kill)
    start_both "kill: start"
    tk=$(now)
    lab_crash web1
    serves web2 40 "kill: after web1 ($(impl web1)) crashed"
    timing "crash → first good web2 answer: $(ms_between "$tk" "$(first_answer "$tk" web2)") ms"
    check "kill: rscstatus web2 foreign|all (got $(rscstatus web2))" wait_for 20 eval 'is_one_of "$(rscstatus web2)" foreign all'
    check "kill: web2 sees web1 dead (got $(cl_status_on web2 nodestatus web1))" wait_for 20 nodestatus_is web2 web1 dead
    ;;

  failback)
    lab_start_node web2 || fail "failback: start $(desc web2)"
    serves web2 60 "failback: web2 alone"
    timing "web2 alone → first good answer: $(ms_between "$T_BEGIN" "$(first_answer "$T_BEGIN" web2)") ms (initdead $HA_INITDEAD)"
    tf=$(now)
    lab_start_node web1 || fail "failback: start $(desc web1)"
    check "failback: both see each other active" wait_for 60 both_active
    serves web1 60 "failback: web1 started (auto_failback on)"
    timing "web1 start → first good web1 answer: $(ms_between "$tf" "$(first_answer "$tf" web1)") ms"
    check "failback: rscstatus web1 local|all, web2 none (got $(rscstatus web1)/$(rscstatus web2))" wait_for 20 holds_group web1
    ;;

  nofailback)
    lab_start_node web2 || fail "nofailback: start $(desc web2)"
    serves web2 60 "nofailback: web2 alone"
    tf=$(now)
    lab_start_node web1 || fail "nofailback: start $(desc web1)"
    check "nofailback: both see each other active" wait_for 60 both_active
    sleep $((2 * ${HA_DEADTIME%%[a-z]*} + 1))
    check "nofailback: still web2 only (web1 answers since its start: $(answers_from "$tf" "$(now)" web1))" \
      eval 'answered_by web2 && [ "$(answers_from "$tf" "$(now)" web1)" -eq 0 ]'
    check "nofailback: rscstatus web2 foreign|all, web1 none (got $(rscstatus web2)/$(rscstatus web1))" wait_for 20 holds_group web2
    ;;

  standby)
    start_both "standby: start"
    ts=$(now)
    check "standby: hb_standby on web1 ($(impl web1)'s tool) exits 0" lab_standby web1
    serves web2 40 "standby: after hb_standby on web1"
    timing "hb_standby → first good web2 answer: $(ms_between "$ts" "$(first_answer "$ts" web2)") ms"
    check "standby: rscstatus web2 foreign|all, web1 none (got $(rscstatus web2)/$(rscstatus web1))" wait_for 20 holds_group web2
    tt=$(now)
    check "standby: hb_takeover on web1 ($(impl web1)'s tool) exits 0" lab_takeover web1
    serves web1 40 "standby: after hb_takeover on web1"
    timing "hb_takeover → first good web1 answer: $(ms_between "$tt" "$(first_answer "$tt" web1)") ms"
    check "standby: rscstatus web1 local|all, web2 none (got $(rscstatus web1)/$(rscstatus web2))" wait_for 20 holds_group web1
    ;;

  stop)
    start_both "stop: start"
    tt=$(now)
    check "stop: web1 ($(impl web1)) stops gracefully (SIGTERM)" lab_graceful_stop web1 60
    serves web2 40 "stop: after web1's graceful stop"
    timing "SIGTERM → first good web2 answer: $(ms_between "$tt" "$(first_answer "$tt" web2)") ms"
    check "stop: web2 sees web1 dead (got $(cl_status_on web2 nodestatus web1))" wait_for 20 nodestatus_is web2 web1 dead
    check "stop: VIP gone from web1" eval '! vip_on web1'
    ;;
  ipfail)
    start_both "ipfail: start"
    sleep 3  # both ipfails have seen the ping node
    ti=$(now)
    ip netns exec "$HA_LAB-web1" iptables -I INPUT -p icmp -j DROP || fail "ipfail: iptables in web1"
    serves web2 60 "ipfail: ICMP dropped on web1 ($(impl web1))"
    timing "ICMP drop → first good web2 answer: $(ms_between "$ti" "$(first_answer "$ti" web2)") ms"
    check "ipfail: rscstatus web2 foreign|all, web1 none (got $(rscstatus web2)/$(rscstatus web1))" wait_for 20 holds_group web2
    tb=$(now)
    ip netns exec "$HA_LAB-web1" iptables -D INPUT -p icmp -j DROP || fail "ipfail: iptables -D in web1"
    serves web1 60 "ipfail: ICMP back on web1 (auto_failback on)"
    timing "ICMP back → first good web1 answer: $(ms_between "$tb" "$(first_answer "$tb" web1)") ms"
    ;;

  rexmit)
    start_both "rexmit: start"
    if [ "$(impl web1)" = heartbeat ]; then hb=web1 hm=web2; else hb=web2 hm=web1; fi
    tx=$(now)
    # Heartbeat asks, hamaster answers; then hamaster asks, Heartbeat answers.
    lose_heartbeats "$hb" "$hm" "$LABDIR/$hb/log/ha-log"
    check "rexmit: $hm (hamaster) answered the retransmission request" \
      grep -q "Retransmitting [0-9]* packet(s) for $hb " "$LABDIR/$hm/log/hamaster.log"
    echo "info: $hm: $(grep -h "Retransmitting" "$LABDIR/$hm/log/hamaster.log" | head -3 | cut -c1-160 | tr '\n' ';')"
    lose_heartbeats "$hm" "$hb" "$LABDIR/$hm/log/hamaster.log"
    check "rexmit: both still active" both_active
    check "rexmit: web1 served all along (web2 answers since the drop: $(answers_from "$tx" "$(now)" web2))" \
      eval 'answered_by web1 && [ "$(answers_from "$tx" "$(now)" web2)" -eq 0 ]'
    ;;

  replace)
    NODE_IMPL[web2]=$PREFERRED
    start_both "replace: start (both $PREFERRED)"
    check "replace: the cluster is quiet before the replacement (no log line for 2 s)" wait_for 60 logs_quiet 2
    tr=$(now)
    check "replace: web2 ($PREFERRED) stops gracefully" lab_graceful_stop web2 60
    # As in a real replacement (a package swap takes longer than deadtime): the peer has declared
    # the old one dead, so it has read all the old one sent. Seen with ucast + serial: the new
    # generation's first UDP packet read before the old one's last cable frame, which Heartbeat
    # then logged as an "attempted replay attack".
    check "replace: web1 sees the stopped web2 dead" wait_for 30 nodestatus_is web1 web2 dead
    NODE_IMPL[web2]=$OTHER
    done_before=$(initial_acquisitions web2)
    lab_start_node web2 || fail "replace: start $(desc web2)"
    check "replace: web1 ($(impl web1)) and the new web2 ($(impl web2)) see each other active" wait_for 60 both_active
    check "replace: every link up on both sides" wait_for 30 all_links_up
    # An operator moves the resources only once the new node has settled: its initial resource
    # acquisition is complete (both implementations log it). A standby asked earlier, while it
    # still waits for the peer's report, is refused as "in flux" by either implementation.
    check "replace: the new web2 ($(impl web2)) completed its initial resource acquisition" \
      wait_for 30 eval '[ "$(initial_acquisitions web2)" -gt "$done_before" ]'
    sleep 2
    check "replace: web1 served all along (web2 answers since the stop: $(answers_from "$tr" "$(now)" web2))" \
      eval 'answered_by web1 && [ "$(answers_from "$tr" "$(now)" web2)" -eq 0 ]'
    ts=$(now)
    check "replace: hb_standby on web1 exits 0" lab_standby web1
    serves web2 40 "replace: the new web2 ($(impl web2)) after hb_standby on web1"
    timing "hb_standby → first good web2 answer: $(ms_between "$ts" "$(first_answer "$ts" web2)") ms"
    ;;

  wrongkey)
    lab_start_addr_monitors web1 web2
    lab_start_node web1 || fail "wrongkey: start $(desc web1)"
    serves web1 60 "wrongkey: web1 alone"
    printf 'auth 2\n2 sha1 not-the-cluster-key\n' >"$LABDIR/web2/etc/ha.d/authkeys"
    tw=$(now)
    lab_start_node web2 || fail "wrongkey: start $(desc web2)"
    # initdead + deadtime + a margin: web2 has given up waiting for web1 and decided.
    sleep "$(awk -v i="$HA_INITDEAD" -v d="$HA_DEADTIME" 'BEGIN { print i + d + 6 }')"
    check "wrongkey: web1 does not see web2 active ($(cl_status_on web1 nodestatus web2))" eval '! nodestatus_is web1 web2 active'
    check "wrongkey: web2 does not see web1 active ($(cl_status_on web2 nodestatus web1))" eval '! nodestatus_is web2 web1 active'
    for n in web1 web2; do
      if [ "$(impl "$n")" = hamaster ]; then
        lines=$(cat "$LABDIR/$n/log/heartbeatd-net.log" 2>/dev/null | grep -c 'dropped packet from .*: bad_auth')
        check "wrongkey: $n (hamaster) logs \"dropped packet from ...: bad_auth\" ($lines lines)" [ "$lines" -ge 1 ]
        check "wrongkey: $n (hamaster): no log storm (<= 20 such lines in ~12 s; got $lines)" [ "$lines" -le 20 ]
        echo "info: $n: $(grep -m1 'dropped packet from' "$LABDIR/$n/log/heartbeatd-net.log" | cut -c1-220)"
      else
        echo "info: $n (heartbeat): $(grep -v debug "$LABDIR/$n/log/ha-log" | grep -iE -m1 'auth|bad packet' | cut -c1-220)"
      fi
    done
    adds1=$(awk -v t="$tw" '$1 > t && $2 == "add"' "$WATCH/web1.addr" | wc -l)
    dels1=$(awk -v t="$tw" '$1 > t && $2 == "del"' "$WATCH/web1.addr" | wc -l)
    adds2=$(awk -v t="$tw" '$1 > t && $2 == "add"' "$WATCH/web2.addr" | wc -l)
    dels2=$(awk -v t="$tw" '$1 > t && $2 == "del"' "$WATCH/web2.addr" | wc -l)
    check "wrongkey: web1 keeps the VIP (after web2's start: $adds1 adds, $dels1 deletes)" eval '[ "$adds1" -eq 0 ] && [ "$dels1" -eq 0 ] && vip_on web1'
    check "wrongkey: no takeover storm on web2 ($adds2 adds, $dels2 deletes of the VIP)" [ "$adds2" -le 1 -a "$dels2" -eq 0 ]
    if [ "$(impl web2)" = hamaster ]; then
      check "wrongkey: web2 (hamaster) does not take the VIP web1 answers for (split-brain guard)" eval '! vip_on web2'
      check "wrongkey: web2's rscd logs the split-brain guard" grep -q "split-brain guard" "$LABDIR/web2/log/rscd.log"
      check "wrongkey: client still answered by web1" answered_by web1
    else
      echo "info: web2 (heartbeat) took the VIP too: $(vip_on web2 && echo yes || echo no) (Heartbeat has no split-brain guard)"
    fi
    ;;
esac

[ "$SCENARIO" = wrongkey ] || no_wire_errors "$SCENARIO"
if [ "$SCENARIO" != wrongkey ] || [ "$(impl web2)" = hamaster ]; then never_both "$T_BEGIN" "" "$SCENARIO"; fi
hb_errors
echo "total run time: $(ms_between "$T_BEGIN" "$(now)") ms"
if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
