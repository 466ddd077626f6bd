#!/usr/bin/env bash
# rsc_lab_test.sh RSCD SOURCE_DIR — rscd --oneshot in the namespace lab: VIP + real nginx.
#
# scripts/lab up (own HA_LAB prefix, so it can run next to other labs), then in web1:
#   rscd --oneshot start  → the client's neighbour table already has web1's MAC for the VIP before
#                            any traffic (gratuitous ARP), and curl http://192.0.2.100/ says web1;
#   rscd --oneshot status → running;  rscd --oneshot stop → VIP gone, nginx gone, status stopped.
# Then the failover case: web2 takes the group and the client's existing entry for the VIP moves
# to web2's MAC before any traffic, and curl says web2. Then a double hold and its settlement, as
# after a healed partition: web1 takes the VIP too (the client's entry turns to web1's MAC) and
# releases it; the entry stays on web1's MAC until `rscd --oneshot announce` on web2 (the keeper)
# turns it back to web2's with gratuitous ARPs, before any traffic; announce on web1, which no
# longer has the VIP, exits 1, sends nothing and adds nothing. `scripts/lab down` always runs (trap).
# Prints how long the built-in IPaddr start took (no assert on time).
# Exit 77 (skipped) when not root, without network namespaces, or without nginx.
set -uo pipefail

RSCD=${1:?usage: rsc_lab_test.sh RSCD SOURCE_DIR}
SRC=${2:?usage: rsc_lab_test.sh RSCD SOURCE_DIR}
LAB=$SRC/scripts/lab
export HA_LAB=hrt$$
VIP=192.0.2.100
KEY=192.0.2.100/24/eth0

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
command -v nginx >/dev/null || skip "needs nginx (nginx-light)"
command -v curl >/dev/null || skip "needs curl"
command -v socat >/dev/null || skip "needs socat"
probe=$HA_LAB-probe
ip netns add "$probe" 2>/dev/null || skip "no network namespace support"
ip netns del "$probe"
LABDIR=$(mktemp -d /tmp/hamaster-lab-test.XXXXXX)
export LABDIR

failures=0
cleanup() {
  "$LAB" down >/dev/null 2>&1
  if [ $failures -ne 0 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "--- logs in $LABDIR"
  else
    rm -rf "$LABDIR"
  fi
}
trap cleanup EXIT

pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

rscd() {  # rscd NODE ARGS... — runs rscd in the node, logging to the node's log dir
  local node=$1; shift
  "$LAB" exec "$node" "$RSCD" --config /etc/ha.d --node "$node" --logfile /var/log/hamaster/rscd.log "$@"
}
mac_of() { ip -n "$HA_LAB-$1" link show eth0 | awk '/link\/ether/ {print $2}'; }
neigh_mac() { ip -n "$HA_LAB-client" neigh show "$VIP" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
wait_for() {  # wait_for SECONDS CMD... — poll until CMD succeeds
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do [ $SECONDS -lt "$deadline" ] || return 1; sleep 0.05; done
}
neigh_is() { [ "$(neigh_mac)" = "$1" ]; }
page() { ip netns exec "$HA_LAB-client" curl -s --max-time 5 "http://$VIP/"; }
vip_on() { ip -n "$HA_LAB-$1" -4 addr show dev eth0 | grep -q " $VIP/"; }
no_vip_on() { ! vip_on "$1"; }
no_pids_in() { [ -z "$(ip netns pids "$HA_LAB-$1")" ]; }

"$LAB" up || { echo "FAIL - lab up"; exit 1; }
WEB1_MAC=$(mac_of web1)
WEB2_MAC=$(mac_of web2)

# --- web1 takes the group
check "no neighbour entry for the VIP on the client before start" [ -z "$(neigh_mac)" ]
t0=$(date +%s%N)
rscd web1 --oneshot start "$KEY"
rc=$?
t1=$(date +%s%N)
check "rscd --oneshot start on web1 exits 0 (rc=$rc)" [ $rc -eq 0 ]
LOG1=$LABDIR/web1/log/rscd.log
ip_ms=$(sed -n 's/.*IPaddr::192.0.2.100\/24\/eth0 start: exit code 0 in \([0-9.]*\) ms.*/\1/p' "$LOG1" | tail -1)
echo "timing: IPaddr start took ${ip_ms:-?} ms; whole oneshot start (incl. nginx, 5 ARP rounds) $(((t1 - t0) / 1000000)) ms"
check "VIP is on web1 eth0" vip_on web1
check "client learnt web1's MAC ($WEB1_MAC) for the VIP from gratuitous ARP, before any traffic" wait_for 2 neigh_is "$WEB1_MAC"
check "curl http://$VIP/ answers web1's page" wait_for 5 sh -c "ip netns exec $HA_LAB-client curl -s --max-time 2 http://$VIP/ | grep -q '<h1>web1</h1>'"
check "log: Acquiring resource group" grep -q "info: Acquiring resource group: web1 $KEY nginx" "$LOG1"
check "log: Running IPaddr ... start" grep -q "info: Running IPaddr $KEY start" "$LOG1"
check "log: Running .../resource.d/nginx start" grep -q "info: Running /etc/ha.d/resource.d/nginx start" "$LOG1"
check "log: gratuitous ARP" grep -q "Sending 5 gratuitous ARPs for $VIP on eth0 every 200 ms" "$LOG1"
status=$(rscd web1 --oneshot status "$KEY")
check "status on web1 says running (got '$status')" [ "$status" = running ]
rscd web1 --oneshot start "$KEY"
check "a second start is a no-op that succeeds" [ $? -eq 0 ]
check "log: second start skipped both resources" [ "$(grep -c 'is already running' "$LOG1")" -eq 2 ]

# --- web1 gives it up
rscd web1 --oneshot stop "$KEY"
rc=$?
check "rscd --oneshot stop on web1 exits 0 (rc=$rc)" [ $rc -eq 0 ]
check "VIP removed from web1" no_vip_on web1
check "nginx stopped on web1 (no process left in its namespace)" wait_for 5 no_pids_in web1
check "log: Releasing resource group" grep -q "info: Releasing resource group: web1 $KEY nginx" "$LOG1"
status=$(rscd web1 --oneshot status "$KEY")
check "status on web1 says stopped (got '$status')" [ "$status" = stopped ]

# --- failover: web2 takes it; the client's existing entry moves to web2's MAC
rscd web2 --oneshot start "$KEY"
check "rscd --oneshot start on web2 exits 0" [ $? -eq 0 ]
check "client's entry for the VIP now has web2's MAC ($WEB2_MAC), before any traffic" wait_for 2 neigh_is "$WEB2_MAC"
check "curl http://$VIP/ answers web2's page" wait_for 5 sh -c "ip netns exec $HA_LAB-client curl -s --max-time 2 http://$VIP/ | grep -q '<h1>web2</h1>'"

# --- a double hold settled on web2: web1 held it too (its gratuitous ARPs won), then released it
rscd web1 --oneshot start "$KEY"
check "double hold: rscd --oneshot start on web1 too exits 0" [ $? -eq 0 ]
check "double hold: the client's entry for the VIP turned to web1's MAC" wait_for 2 neigh_is "$WEB1_MAC"
rscd web1 --oneshot stop "$KEY"
check "double hold: web1 released the VIP" no_vip_on web1
sleep 1
check "after web1's release nobody turns the client's entry back: still web1's MAC (got $(neigh_mac))" neigh_is "$WEB1_MAC"
announced_before=$(grep -c "Sending 5 gratuitous ARPs" "$LABDIR/web2/log/rscd.log")
rscd web2 --oneshot announce "$KEY"
check "rscd --oneshot announce on web2 (the keeper) exits 0" [ $? -eq 0 ]
check "the client's entry for the VIP is web2's MAC again ($WEB2_MAC), before any traffic" wait_for 2 neigh_is "$WEB2_MAC"
check "log: web2 announced the VIP again" \
  [ "$(grep -c "Sending 5 gratuitous ARPs for $VIP on eth0 every 200 ms" "$LABDIR/web2/log/rscd.log")" -gt "$announced_before" ]
check "announce added nothing: the VIP is on web2 only" eval 'vip_on web2 && no_vip_on web1'
sent_before=$(grep -c "Sending 5 gratuitous ARPs" "$LOG1")
rscd web1 --oneshot announce "$KEY"
rc=$?
check "rscd --oneshot announce on web1 (no VIP there) exits 1 (rc=$rc)" [ $rc -eq 1 ]
check "log: web1 says the VIP is not there and sends nothing" \
  eval 'grep -q "IPaddr: $VIP is not on this node: not announcing it" "$LOG1" && [ "$(grep -c "Sending 5 gratuitous ARPs" "$LOG1")" -eq "$sent_before" ]'
check "announce on web1 added no VIP, and the client's entry stays web2's" eval 'no_vip_on web1 && neigh_is "$WEB2_MAC"'
check "curl http://$VIP/ still answers web2's page" sh -c "ip netns exec $HA_LAB-client curl -s --max-time 2 http://$VIP/ | grep -q '<h1>web2</h1>'"

rscd web2 --oneshot stop "$KEY"
check "rscd --oneshot stop on web2 exits 0" [ $? -eq 0 ]
check "VIP removed from web2" no_vip_on web2
check "nginx stopped on web2" wait_for 5 no_pids_in web2

# --- a failing start rolls back: nginx cannot bind (port 80 taken by a listener the test starts)
"$LAB" exec web1 socat TCP-LISTEN:80,reuseaddr /dev/null &
holder=$!
wait_for 5 sh -c "ip netns exec $HA_LAB-web1 ss -ltn | grep -q ':80 '"
rscd web1 --oneshot start "$KEY"
rc=$?
check "start fails when nginx cannot start (rc=$rc)" [ $rc -eq 1 ]
check "log: CRIT Giving up resources due to failure of nginx" grep -q "CRIT: Giving up resources due to failure of nginx" "$LOG1"
check "VIP rolled back off web1" no_vip_on web1
kill "$holder" 2>/dev/null; wait "$holder" 2>/dev/null

if [ $failures -ne 0 ]; then
  echo "--- $LOG1"; cat "$LOG1"
  echo "--- $LABDIR/web2/log/rscd.log"; cat "$LABDIR/web2/log/rscd.log" 2>/dev/null
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
