#!/usr/bin/env bash
# heartbeat_peer_test.sh BINDIR — hamaster (web1) next to a real Heartbeat 3.0.6 (web2).
#
# Two network namespaces joined by a veth (eth1: web1 198.51.100.11, web2 198.51.100.12). Both nodes
# get the same ha.cf (ucast eth1 <peer>, keepalive 500ms, deadtime 3, initdead 6, auto_failback on,
# crm no, haresources `web2 Flag::svc`: a marker file in the node's own /run, written by a
# Heartbeat-style resource.d script both nodes run) and the same sha1 authkeys. web1 runs BINDIR/hamaster, web2 runs
# Debian's /usr/libexec/heartbeat/heartbeat. Each node runs in its own mount + UTS namespace where
# /etc/ha.d, /var/lib/heartbeat, /run, /var/log and /dev/shm are bind mounts of the node's
# directories under a temp dir (a private /dev/shm: the status table's name derives from the run
# dir, /run/hamaster in every run, so two runs at once would otherwise fight over one segment) and
# the hostname is the node's name: the host's /etc/ha.d and /run are not touched.
#
# Checks: Heartbeat reaches `Comm_now_up()` (it needs our `repnodes` answer to its `reqnodes`);
# hamaster's `cl_status nodestatus web2` and Heartbeat's own `cl_status nodestatus web1` (inside
# web2's namespaces) say active; hamaster logged no `dropped packet` for bad_auth/bad_framing and
# Heartbeat no authentication/parse error; hamaster sends NS_ackmsg (seen in a tcpdump of eth1,
# when tcpdump is installed); after Heartbeat is killed (SIGKILL, a crash) hamaster logs
# `node web2: is dead` and takes web2's group; after a restart both see each other active again
# and the group fails back to web2 (auto_failback; issue 19 item 7: hamaster asks once Heartbeat
# is `active` and asks again if a request goes unanswered) — FAILBACK_ROUNDS crash/return cycles
# (default 3), the marker on exactly one node at the end of each; finally hamaster
# stops gracefully and Heartbeat takes the shutdown notice without seeing web1 "return after
# partition". SOAK_SECS=N keeps the pair up N s first and checks Heartbeat's log stays quiet.
# Everything is torn down by a trap, also on failure; KEEP_LOGS=1 keeps the temp dir (logs and
# wire.pcap).
#
# Exit 77 (skipped) when not root, without network namespaces, or without Debian's `heartbeat`
# package (this test never installs it: scripts/setup does).
set -uo pipefail

BIN=${1:?usage: heartbeat_peer_test.sh BINDIR}
HB=/usr/libexec/heartbeat/heartbeat
HB_CL_STATUS=/usr/bin/cl_status
P=hbio$$

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root"
if [ ! -x "$HB" ] || [ ! -x "$HB_CL_STATUS" ]; then skip "needs Debian's heartbeat package ($HB)"; fi
command -v unshare >/dev/null || skip "needs unshare (util-linux)"
for b in hamaster heartbeatd-net cl_status; do [ -x "$BIN/$b" ] || { echo "FAIL - $BIN/$b missing"; exit 1; }; done
ip netns add "$P-probe" 2>/dev/null || skip "no network namespace support"
ip netns del "$P-probe"

T=$(mktemp -d /tmp/hamaster-interop.XXXXXX)
chmod 755 "$T"
failures=0

ns() { echo "$P-$1"; }
ns_pids() { ip netns pids "$(ns "$1")" 2>/dev/null || true; }
kill_ns() {  # kill_ns NODE SIG... : every process inside NODE's namespace (only what this test ran)
  local node=$1 pids tries=0
  pids=$(ns_pids "$node")
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -TERM $pids 2>/dev/null || true
  while [ -n "$(ns_pids "$node")" ] && [ $tries -lt 50 ]; do sleep 0.1; tries=$((tries + 1)); done
  pids=$(ns_pids "$node")
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null || true
}
cleanup() {
  local n
  for n in web1 web2; do
    if ip netns list | grep -qw "^$(ns $n)"; then kill_ns $n; ip netns del "$(ns $n)" 2>/dev/null || true; fi
  done
  if [ $failures -ne 0 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "--- logs in $T (web1/log/hamaster/*, web1/log/ha-log, web2/log/ha-log, wire.pcap)"
  else
    rm -rf "$T"
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }

# --- network: two namespaces, one veth, RFC 5737 addresses only -----------------------------------
for n in web1 web2; do
  ip netns add "$(ns $n)" || { fail "ip netns add"; exit 1; }
  ip -n "$(ns $n)" link set lo up
  ip netns exec "$(ns $n)" sysctl -q -w net.ipv6.conf.all.disable_ipv6=1 >/dev/null
done
ip -n "$(ns web1)" link add eth1 type veth peer name eth1 netns "$(ns web2)"
ip -n "$(ns web1)" addr add 198.51.100.11/24 dev eth1
ip -n "$(ns web2)" addr add 198.51.100.12/24 dev eth1
ip -n "$(ns web1)" link set eth1 up
ip -n "$(ns web2)" link set eth1 up

# --- per-node files -----------------------------------------------------------------------------
node_files() {  # node_files NODE PEER_ADDR
  local node=$1 peer=$2 d=$T/$1
  mkdir -p "$d"/{etc,lib,run,log}
  cp -a /etc/ha.d "$d/etc/ha.d"   # Heartbeat's rc.d/harc/shellfuncs from the package
  rm -f "$d/etc/ha.d/ha.cf" "$d/etc/ha.d/authkeys" "$d/etc/ha.d/haresources"
  [ -d /var/lib/heartbeat ] && cp -a /var/lib/heartbeat/. "$d/lib/"
  install -d -m 0750 -o hacluster -g haclient "$d/run/heartbeat" "$d/run/heartbeat/ccm" \
    "$d/run/heartbeat/crm" "$d/run/heartbeat/dopd" "$d/run/crm" 2>/dev/null ||
    install -d -m 0750 "$d/run/heartbeat" "$d/run/heartbeat/ccm" "$d/run/heartbeat/crm" "$d/run/heartbeat/dopd"
  install -d -m 1777 "$d/run/lock"
  cat > "$d/etc/ha.d/ha.cf" <<EOF
# heartbeat_peer_test: $node (the same on both nodes but for the ucast peer)
logfile /var/log/ha-log
debugfile /var/log/ha-debug
logfacility none
use_logd no
udpport 694
keepalive 500ms
deadtime 3
initdead 6
ucast eth1 $peer
auto_failback on
node web1 web2
crm no
EOF
  echo "web2 Flag::svc" > "$d/etc/ha.d/haresources"
  # A harmless resource: the marker /run/flag.<arg> (the node's own /run, a bind mount).
  cat > "$d/etc/ha.d/resource.d/Flag" <<'FLAG'
#!/bin/sh
f=/run/flag.$1
case $2 in
  start) touch "$f" ;;
  stop) rm -f "$f" ;;
  status) if [ -e "$f" ]; then echo running; else echo stopped; fi ;;
esac
exit 0
FLAG
  chmod 755 "$d/etc/ha.d/resource.d/Flag"
  printf 'auth 7\n7 sha1 interop-key\n' > "$d/etc/ha.d/authkeys"
  chmod 600 "$d/etc/ha.d/authkeys"
}
node_files web1 198.51.100.12
node_files web2 198.51.100.11

in_node() {  # in_node NODE CMD... : CMD in NODE's netns with its own mounts and hostname
  local node=$1; shift
  # shellcheck disable=SC2016
  ip netns exec "$(ns "$node")" unshare --mount --uts --propagation private sh -c '
    d=$1; node=$2; shift 2
    mount --bind "$d/etc/ha.d" /etc/ha.d &&
    mount --bind "$d/lib" /var/lib/heartbeat &&
    mount --bind "$d/run" /run &&
    mount --bind "$d/log" /var/log &&
    mkdir -p "$d/shm" && chmod 1777 "$d/shm" && mount --bind "$d/shm" /dev/shm &&
    hostname "$node" || exit 125
    exec "$@"' in-node "$T/$node" "$node" "$@"
}
[ -d /var/lib/heartbeat ] || { fail "/var/lib/heartbeat missing"; exit 1; }

W1=$T/web1
start_hamaster() {
  in_node web1 "$BIN/hamaster" --node web1 --config /etc/ha.d --run-dir /run/hamaster \
    --log-dir /var/log/hamaster --state-dir /var/lib/heartbeat/hamaster --heartbeat-state-dir /var/lib/heartbeat -f >"$W1/hamaster.out" 2>&1 &
}
start_heartbeat() {  # -l: no realtime priority; it daemonizes inside the namespaces
  in_node web2 "$HB" -l >>"$T/web2/heartbeat.out" 2>&1
}
hamaster_status() { timeout 10 "$BIN/cl_status" --run-dir "$W1/run/hamaster" nodestatus "$1"; }
heartbeat_status() { in_node web2 timeout 10 "$HB_CL_STATUS" nodestatus "$1"; }
hamaster_log() { cat "$W1"/log/hamaster/*.log "$W1/log/ha-log" 2>/dev/null; }

wait_for() {  # wait_for SECS DESCRIPTION CMD... : CMD until it succeeds or SECS pass
  local secs=$1 what=$2; shift 2
  local end=$((SECONDS + secs))
  while [ $SECONDS -lt $end ]; do
    if "$@"; then pass "$what"; return 0; fi
    sleep 0.2
  done
  fail "$what (not within ${secs}s${LAST:+; last answer: $LAST})"
  LAST=
  return 1
}
LAST=
says() { local want=$1; shift; LAST=$("$@" 2>&1); [ "$LAST" = "$want" ]; }
log_has() { hamaster_log | grep -qF -- "$1"; }
log_count() { hamaster_log | grep -cF -- "$1"; }

# --- run ----------------------------------------------------------------------------------------
# The wire, for a failure's diagnosis (kept with the logs): UDP 694 on web1's eth1.
if command -v tcpdump >/dev/null; then
  ip netns exec "$(ns web1)" tcpdump -i eth1 -U -s 0 -w "$T/wire.pcap" udp port 694 >"$T/tcpdump.out" 2>&1 &
  sleep 0.5
fi
start_hamaster
start_heartbeat || fail "Heartbeat did not start (see $T/web2/heartbeat.out)"

hb_log_has() { grep -qF -- "$1" "$T/web2/log/ha-log" 2>/dev/null; }
# Heartbeat only goes from `up` to `active` once the peer has answered its `reqnodes` with `repnodes`.
wait_for 30 "Heartbeat logs: Comm_now_up(): updating status to active" hb_log_has "Comm_now_up(): updating status to active"
wait_for 30 "hamaster: cl_status nodestatus web2 = active" says active hamaster_status web2
wait_for 30 "Heartbeat: cl_status nodestatus web1 = active" says active heartbeat_status web1
sleep 3   # a few more keepalives each way before looking for drops
if hamaster_log | grep -E 'dropped packet.*(bad_auth|bad_framing)' >/dev/null; then
  fail "hamaster dropped Heartbeat's packets:"; hamaster_log | grep -E 'dropped packet' | head -5
else
  pass "hamaster dropped no packet for bad_auth/bad_framing"
fi
if grep -E 'authentication failed|authtoken does not match|Bad packet|not authenticated|string2msg|netstring2msg' \
     "$T/web2/log/ha-log" >/dev/null 2>&1; then
  fail "Heartbeat rejected hamaster's packets:"; grep -E 'ERROR' "$T/web2/log/ha-log" | head -5
else
  pass "Heartbeat logged no authentication or parse error"
fi
if grep -q 'Status update for node web1: status active' "$T/web2/log/ha-log"; then
  pass "Heartbeat logged: Status update for node web1: status active"
else
  fail "Heartbeat never logged web1 active"
fi

# Flow control: web2's status carries `protocol`, so Heartbeat expects NS_ackmsg for its messages
# (each receiver acks the seqs whose value mod 10 is its own pick); without any, Heartbeat's send
# history fills and after ~3 min it logs "Message hist queue is filling up" at every keepalive.
if [ -s "$T/wire.pcap" ]; then
  acks=$(tcpdump -r "$T/wire.pcap" -nn -A 'src host 198.51.100.11' 2>/dev/null | grep -c '(0)t=NS_ackmsg')
  if [ "$acks" -gt 0 ]; then pass "hamaster sent NS_ackmsg ($acks)"; else fail "hamaster sent no NS_ackmsg to Heartbeat"; fi
else
  echo "skip - NS_ackmsg check (no tcpdump)"
fi

# web2's group (Flag::svc) runs where the marker is.
flag_on() { [ -e "$T/$1/run/flag.svc" ]; }
flag_only_on() { if [ "$1" = web1 ]; then flag_on web1 && ! flag_on web2; else flag_on web2 && ! flag_on web1; fi; }
wait_for 30 "start: web2's group runs on web2 (Heartbeat) only" flag_only_on web2

# Heartbeat crashes: every process of web2 gets SIGKILL (no shutdone on the wire).
dead_before=$(log_count "node web2: is dead")
pids=$(ns_pids web2)
# shellcheck disable=SC2086
[ -z "$pids" ] || kill -KILL $pids
wait_for 20 "hamaster logs: node web2: is dead" sh -c "[ \$(cat '$W1'/log/hamaster/*.log '$W1/log/ha-log' 2>/dev/null | grep -cF 'node web2: is dead') -gt $dead_before ]"
wait_for 10 "hamaster: cl_status nodestatus web2 = dead" says dead hamaster_status web2
rm -f "$T/web2/run/flag.svc"  # as a rebooted node's would
wait_for 20 "hamaster takes web2's group (marker on web1 only)" flag_only_on web1

# Heartbeat comes back.
start_heartbeat || fail "Heartbeat did not restart"
wait_for 30 "after restart: hamaster sees web2 active" says active hamaster_status web2
wait_for 30 "after restart: Heartbeat sees web1 active" says active heartbeat_status web1
failback_round() {  # failback_round N — the group failed over to hamaster comes back to Heartbeat
  wait_for 40 "round $1: auto_failback gives web2's group back to Heartbeat (marker on web2 only)" flag_only_on web2
}
crash_heartbeat() {  # SIGKILL everything of web2; its marker goes as a rebooted node's would
  local pids n
  n=$(log_count "node web2: is dead")
  pids=$(ns_pids web2)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids
  wait_for 20 "round $1: hamaster declares web2 dead" sh -c "[ \$(cat '$W1'/log/hamaster/*.log '$W1/log/ha-log' 2>/dev/null | grep -cF 'node web2: is dead') -gt $n ]"
  rm -f "$T/web2/run/flag.svc"
  wait_for 20 "round $1: hamaster takes web2's group (marker on web1 only)" flag_only_on web1
}
failback_round 1
for r in $(seq 2 "${FAILBACK_ROUNDS:-3}"); do
  crash_heartbeat "$r"
  start_heartbeat || fail "Heartbeat did not restart (round $r)"
  wait_for 30 "round $r: hamaster sees web2 active" says active hamaster_status web2
  failback_round "$r"
done
echo "info: hamaster failback requests: $(grep -c 'Giving up foreign resources (auto_failback)' "$W1/log/hamaster/hamaster.log"), unanswered (then asked again): $(grep -c 'No reply to standby request' "$W1/log/hamaster/hamaster.log")"
if hamaster_log | grep -E 'dropped packet.*(bad_auth|bad_framing)' >/dev/null; then
  fail "hamaster dropped packets after the restart"
else
  pass "no bad_auth/bad_framing drops after the restart"
fi

# Optional soak (SOAK_SECS=N, 240 shows the ack problem): both sides keep running; Heartbeat must
# not complain about its send history, lost packets or late heartbeats.
if [ "${SOAK_SECS:-0}" -gt 0 ]; then
  sleep "$SOAK_SECS"
  if grep -E 'hist queue|lost packet|Cannot rexmit|Late heartbeat' "$T/web2/log/ha-log" >/dev/null; then
    fail "Heartbeat complained during the ${SOAK_SECS}s soak:"; grep -E 'hist queue|lost packet|rexmit|Late heartbeat' "$T/web2/log/ha-log" | head -5
  else
    pass "Heartbeat quiet during the ${SOAK_SECS}s soak"
  fi
fi

# hamaster stops gracefully: Heartbeat takes the shutdown notice and does not see web1 come back.
hpid=$(cat "$W1/run/hamaster/hamaster.pid" 2>/dev/null || true)
if [ -n "$hpid" ] && ns_pids web1 | grep -qx "$hpid"; then
  kill -TERM "$hpid"
  wait_for 20 "Heartbeat logs: Received shutdown notice from 'web1'." hb_log_has "Received shutdown notice from 'web1'."
  sleep 2   # anything hamaster still sends after its shutdone would show now
  if hb_log_has "Cluster node web1 returning after partition"; then
    fail "Heartbeat saw web1 return after its shutdown (hamaster sent after shutdone/st=dead)"
  else
    pass "nothing from web1 after its shutdown notice"
  fi
  wait_for 10 "Heartbeat: cl_status nodestatus web1 = dead" says dead heartbeat_status web1
else
  fail "no hamaster pid in $W1/run/hamaster/hamaster.pid"
fi

echo "# $failures failure(s)"
[ $failures -eq 0 ]
