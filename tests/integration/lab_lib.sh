# shellcheck shell=bash
# tests/integration/lab_lib.sh — helpers for driving live hamaster nodes in the namespace lab
# (scripts/lab). Sourced by tests/integration/lab_failover_test.sh, scripts/demo and bench/failover.
#
# The caller sets LAB_SRC (source tree) and may set HM_BIN (binaries, default $LAB_SRC/build/bin),
# HA_LAB (namespace prefix) and LABDIR (per-node files), then calls, in this order:
#   lab_can_run || exit 77          root, netns, nginx, curl? (prints why not)
#   lab_up                          scripts/lab up + the watch directory; registers lab_teardown
#   lab_write_config                ha.cf timings from HA_KEEPALIVE.. (see below) on both nodes
#   lab_start_master web1 ...       hamaster -f in the node, PID in MASTER_PID[web1]
#   lab_start_watchers              VIP sampler, client poller, log followers (all time-stamped)
# and reads the results back with the query helpers (first_answer, vip_sample_time, log_time, ...).
#
# Mixed clusters (tests/interop): lab_start_heartbeat NODE runs Debian's Heartbeat 3.0.6 in NODE
# instead (`scripts/lab hbexec`: its own /run, /var/lib/heartbeat, the package's /etc/ha.d files);
# NODE_IMPL[NODE] says which implementation a node runs, and rscstatus / nodestatus / lab_standby /
# lab_takeover / lab_graceful_stop / lab_crash use that implementation's own tools on that node.
#
# Time: every record starts with an epoch time in seconds with microseconds ($EPOCHREALTIME, bash
# >= 5), so intervals are computed with awk; `now` prints the current one.
#
# Watch files in $LABDIR/watch/:
#   vip.samples       "T W1 W2 W1" — 1 when 192.0.2.100 is on that node's eth0 (ip -o addr,
#                                  every $SAMPLE_MS ms; web1, web2, web1 again: see vip_sampler)
#   client.answers    "START END ANSWER" — one curl -s -m 1 http://192.0.2.100/ started every
#                                  $POLL_MS ms in the client namespace (concurrently, so one
#                                  timed-out request does not hide the next); ANSWER is web1, web2
#                                  or "-" (no answer / wrong page)
#   NODE.addr         "T add|del"  — the VIP added to / deleted from NODE's eth0 (ip monitor; only
#                                  with lab_start_addr_monitors)
#   NODE.PROG.log     "T LINE"     — each line of NODE's log/PROG.log as soon as it was written
#                                  (followed every $LOG_POLL s); the daemons' own stamps are in seconds
#
# Processes: the masters (and their children, nginx, the client poller) run inside the lab's
# namespaces; the sampler and the log followers run in the root namespace but only read files and
# query the lab namespaces over netlink (ip -n). Everything started here is remembered by PID and
# killed by PID in lab_teardown; scripts/lab down then kills what is left inside the lab's
# namespaces and deletes them. No traffic leaves the lab: all addresses are RFC 5737 ones inside it.

LAB_SRC=${LAB_SRC:?LAB_SRC must name the source tree}
HM_BIN=${HM_BIN:-$LAB_SRC/build/bin}
LAB=$LAB_SRC/scripts/lab
export HA_LAB=${HA_LAB:-hlf$$}
export LABDIR=${LABDIR:-/tmp/hamaster-lab-$HA_LAB}
VIP=192.0.2.100
WATCH=$LABDIR/watch
TIMELINE=${TIMELINE:-$WATCH/timeline.events}  # timeline_event appends here (the caller empties it)
SAMPLE_MS=${SAMPLE_MS:-50}
LOG_POLL=${LOG_POLL:-0.01}  # seconds between two looks at a followed log
FOLLOW_LOGS=${FOLLOW_LOGS:-web1.hamaster web1.heartbeatd-net web1.rscd web2.hamaster web2.heartbeatd-net web2.rscd}
POLL_MS=${POLL_MS:-50}

# ha.cf timings written by lab_write_config (ha.cf syntax: plain numbers are seconds).
HA_KEEPALIVE=${HA_KEEPALIVE:-200ms}
HA_DEADTIME=${HA_DEADTIME:-2}
HA_WARNTIME=${HA_WARNTIME:-1}
HA_INITDEAD=${HA_INITDEAD:-4}
HA_AUTO_FAILBACK=${HA_AUTO_FAILBACK:-on}
# The sample's `ping 192.0.2.1` and `respawn hacluster .../ipfail` lines: removed until ipfaild is
# built; HA_WITH_IPFAIL=1 keeps them.
HA_WITH_IPFAIL=${HA_WITH_IPFAIL:-0}

declare -A MASTER_PID=()
declare -A NODE_IMPL=([web1]=hamaster [web2]=hamaster)
HB_DAEMON=${HB_DAEMON:-/usr/libexec/heartbeat/heartbeat}
HB_TOOLS=${HB_TOOLS:-/usr/share/heartbeat}   # Heartbeat's hb_standby, hb_takeover
HB_CL_STATUS=${HB_CL_STATUS:-/usr/bin/cl_status}
declare -a LAB_BG_PIDS=()

lab_can_run() {  # prints the reason and fails when the lab cannot run here
  if [ "$(id -u)" -ne 0 ]; then echo "needs root"; return 1; fi
  if [ "${BASH_VERSINFO[0]}" -lt 5 ]; then echo "needs bash >= 5 (EPOCHREALTIME)"; return 1; fi
  local c
  for c in nginx curl socat ip unshare awk; do
    command -v "$c" >/dev/null || { echo "needs $c"; return 1; }
  done
  local probe=$HA_LAB-probe
  ip netns add "$probe" 2>/dev/null || { echo "no network namespace support"; return 1; }
  ip netns del "$probe"
  [ -x "$HM_BIN/hamaster" ] || { echo "no $HM_BIN/hamaster (build first)"; return 1; }
}

now() { echo "$EPOCHREALTIME"; }
ms_between() {  # ms_between A B [DECIMALS] — B − A in ms, rounded (default: whole ms); "?" if either is empty
  awk -v a="$1" -v b="$2" -v d="${3:-0}" 'BEGIN { if (a == "" || b == "") print "?"; else if (d == 0) printf "%d\n", (b - a) * 1000 + 0.5; else printf "%." d "f\n", (b - a) * 1000 }'
}

# lab_time_limit SECONDS — end this script with SIGTERM after SECONDS (0: never), so that its EXIT
# trap still tears the lab down: ctest kills a test past its TIMEOUT without running any trap,
# leaving the lab's namespaces, nginx and daemons behind. Give ctest's TIMEOUT minus a margin.
lab_time_limit() {
  [ "${1:-0}" -gt 0 ] || return 0
  local me=$$
  (
    trap 'kill "$sp" 2>/dev/null; exit 0' TERM  # the teardown ends the watch: its sleep goes too
    sleep "$1" & sp=$!
    wait "$sp" || exit 0
    echo "lab: time limit of $1 s reached; stopping" >&2
    kill -TERM "$me"
  ) </dev/null &
  LAB_BG_PIDS+=($!)
}

wait_for() {  # wait_for SECONDS CMD... — poll CMD every 50 ms until it succeeds or the deadline passes
  local deadline=$((SECONDS + $1)); shift
  until "$@"; do
    [ $SECONDS -lt "$deadline" ] || return 1
    sleep 0.05
  done
}

# --- lab and nodes ---------------------------------------------------------------------------

lab_teardown() {  # idempotent: our PIDs, then the lab's namespaces
  local p
  for p in "${LAB_BG_PIDS[@]}" "${MASTER_PID[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${LAB_BG_PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  LAB_BG_PIDS=()
  MASTER_PID=()
  "$LAB" down >/dev/null 2>&1 || true
}

lab_up() {
  "$LAB" up >/dev/null || return 1
  mkdir -p "$WATCH"
}

lab_write_config() {  # lab_write_config [NODE...] — timings and auto_failback into each node's ha.cf
  local n f nodes=("$@")
  [ ${#nodes[@]} -gt 0 ] || nodes=(web1 web2)
  for n in "${nodes[@]}"; do
    f=$LABDIR/$n/etc/ha.d/ha.cf
    sed -i -E -e "s/^keepalive[[:space:]].*/keepalive       $HA_KEEPALIVE/" \
      -e "s/^deadtime[[:space:]].*/deadtime        $HA_DEADTIME/" \
      -e "s/^warntime[[:space:]].*/warntime        $HA_WARNTIME/" \
      -e "s/^initdead[[:space:]].*/initdead        $HA_INITDEAD/" \
      -e "s/^auto_failback[[:space:]].*/auto_failback   $HA_AUTO_FAILBACK/" "$f"
    if [ "$HA_WITH_IPFAIL" = 1 ]; then
      sed -i -E -e 's/^#lab# //' "$f"
    else
      sed -i -E -e 's/^(ping[[:space:]]|ping_group[[:space:]]|respawn[[:space:]])/#lab# \1/' "$f"
    fi
  done
}

node_exec() { "$LAB" exec "$@"; }  # node_exec NODE CMD... (the node's netns, mounts, hostname)

lab_start_master() {  # lab_start_master NODE — hamaster -f in NODE (all defaults), PID kept
  local node=$1
  # `lab exec` execs all the way down (ip netns exec → unshare → sh → hamaster): $! is hamaster.
  "$LAB" exec "$node" "$HM_BIN/hamaster" -f >>"$LABDIR/$node/log/hamaster.stdout" 2>&1 &
  MASTER_PID[$node]=$!
  disown "$!"  # no "Killed" job report when a scenario SIGKILLs it
}

master_running() { [ -n "${MASTER_PID[$1]:-}" ] && kill -0 "${MASTER_PID[$1]}" 2>/dev/null; }

master_pid_in_ns() {  # the pid of hamaster inside NODE's namespace (from its pid file, checked)
  local node=$1 pid
  pid=$(cat "$LABDIR/$node/run/hamaster.pid" 2>/dev/null) || return 1
  ip netns pids "$HA_LAB-$node" | grep -qx "$pid" || return 1
  echo "$pid"
}

lab_stop_master() {  # lab_stop_master NODE SIGNAL [SECONDS] — signal the master, wait for it to exit
  local node=$1 sig=$2 secs=${3:-30} pid=${MASTER_PID[$1]:-}
  [ -n "$pid" ] || return 0
  kill "-$sig" "$pid" 2>/dev/null || true
  wait_for "$secs" eval "! kill -0 $pid 2>/dev/null" || return 1
  unset "MASTER_PID[$node]"
}

ha_procs_in() {  # hamaster's processes still alive in NODE's namespace (names, one a line)
  local p
  for p in $(ip netns pids "$HA_LAB-$1" 2>/dev/null); do
    cat "/proc/$p/comm" 2>/dev/null
  done | grep -E '^(hamaster|heartbeatd-ne|heartbeatd-se|rscd|nginx)' || true
}
no_ha_procs_in() { [ -z "$(ha_procs_in "$1")" ]; }

# --- Heartbeat 3.0.6 nodes (mixed clusters) ------------------------------------------------------

hb_can_run() {  # prints the reason and fails when Debian's heartbeat package is missing
  local f
  for f in "$HB_DAEMON" "$HB_CL_STATUS" "$HB_TOOLS/hb_standby" "$HB_TOOLS/hb_takeover"; do
    [ -x "$f" ] || { echo "needs Debian's heartbeat package ($f)"; return 1; }
  done
  [ -f /etc/ha.d/harc ] || { echo "needs Debian's heartbeat package (/etc/ha.d/harc)"; return 1; }
}

hb_exec() { "$LAB" hbexec "$@"; }  # hb_exec NODE CMD... (netns, the hamaster mounts + Heartbeat's)

# Heartbeat 3.0.6 leaves its pid file behind at times and trusts any live process it names: seen in
# interop.rolling_upgrade under load (pid_max 32768 wraps in seconds), the new heartbeat got the old
# one's pid and refused to start ("could not create pidfile"). Before a start: when no heartbeat
# runs in NODE the file is stale; remove it, as a reboot (a fresh /run) would.
hb_forget_stale_pidfile() { no_hb_procs_in "$1" && rm -f "$LABDIR/$1/hb/run/heartbeat.pid"; return 0; }
lab_start_heartbeat() {  # lab_start_heartbeat NODE — Heartbeat (-l: no realtime) in NODE; it daemonizes
  local node=$1
  NODE_IMPL[$node]=heartbeat
  hb_forget_stale_pidfile "$node"
  hb_exec "$node" "$HB_DAEMON" -l >>"$LABDIR/$node/log/heartbeat.stdout" 2>&1
}

lab_start_node() {  # lab_start_node NODE — the node's implementation (NODE_IMPL)
  if [ "${NODE_IMPL[$1]}" = heartbeat ]; then lab_start_heartbeat "$1"; else lab_start_master "$1"; fi
}

hb_pid() {  # the Heartbeat master's pid in NODE (from its pid file, checked to be in NODE's netns)
  local pid
  pid=$(tr -dc '0-9' <"$LABDIR/$1/hb/run/heartbeat.pid" 2>/dev/null)  # Heartbeat pads it with blanks
  [ -n "$pid" ] || return 1
  ip netns pids "$HA_LAB-$1" | grep -qx "$pid" || return 1
  echo "$pid"
}
hb_procs_in() {  # Heartbeat's processes still alive in NODE's namespace
  local p
  for p in $(ip netns pids "$HA_LAB-$1" 2>/dev/null); do cat "/proc/$p/comm" 2>/dev/null; done | grep -E '^heartbeat' || true
}
no_hb_procs_in() { [ -z "$(hb_procs_in "$1")" ]; }

lab_graceful_stop() {  # lab_graceful_stop NODE [SECONDS] — what `service heartbeat|hamaster stop` does
  local node=$1 secs=${2:-60} pid
  if [ "${NODE_IMPL[$node]}" = heartbeat ]; then
    pid=$(hb_pid "$node") || return 1
    kill -TERM "$pid" 2>/dev/null || return 1
    wait_for "$secs" no_hb_procs_in "$node"
  else
    lab_stop_master "$node" TERM "$secs"
  fi
}

lab_crash() {  # lab_crash NODE — the host dies: SIGKILL to everything in its netns, its addresses go
  local node=$1 pids
  pids=$(ip netns pids "$HA_LAB-$node" 2>/dev/null)
  # shellcheck disable=SC2086
  [ -z "$pids" ] || kill -KILL $pids 2>/dev/null
  # A crashed host answers for no address: the VIP dies with it (a reboot starts without it).
  ip -n "$HA_LAB-$node" addr del "$VIP/24" dev eth0 2>/dev/null || true
  # /run is a tmpfs: the reboot finds it empty (the node's /var/lib and /var/log survive).
  find "$LABDIR/$node/run" "$LABDIR/$node/hb/run" -mindepth 1 -delete 2>/dev/null || true
  unset "MASTER_PID[$node]"
  wait_for 10 eval "[ -z \"\$(ip netns pids $HA_LAB-$node)\" ]"
}

# How often NODE logged the end of its initial resource acquisition (hamaster and Heartbeat 3.0.6
# use the same words), over every life of the node.
initial_acquisitions() {
  cat "$LABDIR/$1/log/hamaster.log" "$LABDIR/$1/log/ha-log" 2>/dev/null | grep -c "Initial resource acquisition complete" || true
}

both_active() {  # each side's own cl_status sees the other active
  nodestatus_is web1 web2 active && nodestatus_is web2 web1 active
}

# The cluster is quiet: no node wrote a line to its cluster logs (Heartbeat's ha-log, hamaster's
# and rscd's) for SECONDS. Every resource action and state change is logged by both
# implementations, so this says that no transition is running. An operator replacing a node waits
# for that (docs/migrating.md): seen once in the interop lab, Heartbeat 3.0.6 that got a peer's
# shutdown notice while still starting the group after its initial acquisition never answers the
# restarted peer's `starting`, and that peer then refuses every standby as "in flux".
logs_quiet() {  # logs_quiet SECONDS
  local f newest=0 m
  for f in "$LABDIR"/web[12]/log/ha-log "$LABDIR"/web[12]/log/hamaster.log "$LABDIR"/web[12]/log/rscd.log; do
    [ -e "$f" ] || continue
    m=$(stat -c %.3Y "$f") || continue
    newest=$(awk -v a="$newest" -v b="$m" 'BEGIN { print (b > a) ? b : a }')
  done
  awk -v n="$EPOCHREALTIME" -v m="$newest" -v s="$1" 'BEGIN { exit !(n - m >= s) }'
}

# Errors each side logs when it cannot read the other's packets.
HB_WIRE_ERRORS='attempted replay attack|authentication failed|authtoken does not match|Bad packet|not authenticated|string2msg|netstring2msg|Invalid authentication'
# hamaster: every drop reason of ipc/media/drop_reason.hpp but `duplicate` and `own` (normal).
HM_WIRE_ERRORS='dropped packet from .*: (empty|too_big|bad_framing|no_auth|unknown_key|bad_auth|missing_field|bad_field|unknown_node|not_wire|replay|stale|seq_jump):'
# Known and harmless: a peer that restarted (the replace scenario) may ack our messages before its
# first status of the new generation reaches us; that NS_ackmsg is dropped (WARN, once) as stale.
HM_WIRE_EXPECTED='stale: t=NS_ackmsg src=[^:]*: field "hg" [0-9a-f]+ is not the current generation'
no_wire_errors() {  # no_wire_errors WHAT — neither implementation rejected the other's packets, in
  # every life of each node (Heartbeat's ha-log and hamaster's logs: a node may have run both)
  local n bad
  for n in web1 web2; do
    bad=$( { grep -E "$HB_WIRE_ERRORS" "$LABDIR/$n/log/ha-log" 2>/dev/null
             grep -E "$HM_WIRE_ERRORS" "$LABDIR/$n/log/hamaster.log" "$LABDIR/$n/log/heartbeatd-"*.log 2>/dev/null |
               grep -vE "$HM_WIRE_EXPECTED"; } | head -3)
    check "$1: $n (${NODE_IMPL[$n]}) logged no authentication/parse error${bad:+ (got: $bad)}" [ -z "$bad" ]
  done
}

lab_standby() {  # lab_standby NODE — hb_standby with NODE's own implementation's tool
  if [ "${NODE_IMPL[$1]}" = heartbeat ]; then hb_exec "$1" "$HB_TOOLS/hb_standby"; else node_exec "$1" "$HM_BIN/hb_standby"; fi
}
lab_takeover() {  # lab_takeover NODE — hb_takeover with NODE's own implementation's tool
  if [ "${NODE_IMPL[$1]}" = heartbeat ]; then hb_exec "$1" "$HB_TOOLS/hb_takeover"; else node_exec "$1" "$HM_BIN/hb_takeover"; fi
}

cl_status_on() {  # cl_status_on NODE ARGS... — NODE's own cl_status
  local node=$1; shift
  if [ "${NODE_IMPL[$node]}" = heartbeat ]; then
    hb_exec "$node" timeout 10 "$HB_CL_STATUS" "$@" 2>/dev/null
  else
    node_exec "$node" timeout 10 "$HM_BIN/cl_status" "$@" 2>/dev/null
  fi
}
nodestatus_is() { [ "$(cl_status_on "$1" nodestatus "$2")" = "$3" ]; }  # nodestatus_is ON NODE STATUS

rscstatus() { cl_status_on "$1" rscstatus; }
rscstatus_is() { [ "$(rscstatus "$1")" = "$2" ]; }

links() {  # links NODE up|down — both of NODE's interfaces (the host is lost / back)
  # One ip process for both: two would take eth1 down a few ms after eth0 (an exec apart), and a
  # system whose heartbeats ride eth1 would look that much slower than one on eth0 in the benches.
  printf 'link set eth0 %s\nlink set eth1 %s\n' "$2" "$2" | ip -n "$HA_LAB-$1" -batch -
}

# --- watchers --------------------------------------------------------------------------------

# One sample checks web1, then web2, then web1 again: a handover from web1 to web2 that falls
# between the first two checks shows as "1 1 0", not as the VIP on both; "1 1 1" means web1 held
# it all along while web2 had it too (and a handover the other way cannot look like "1 1").
vip_sampler() {
  local t a b c gap
  gap=$(awk -v ms="$SAMPLE_MS" 'BEGIN { printf "%.3f", ms / 1000 }')
  while :; do
    t=$EPOCHREALTIME
    a=0; b=0; c=0
    ip -n "$HA_LAB-web1" -o -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/" && a=1
    ip -n "$HA_LAB-web2" -o -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/" && b=1
    [ $a = 1 ] && ip -n "$HA_LAB-web1" -o -4 addr show dev eth0 2>/dev/null | grep -q " $VIP/" && c=1
    echo "$t $a $b $c"
    sleep "$gap"
  done
}

# The poller runs inside the client namespace: a loop that starts a curl every POLL_MS ms in the
# background and appends "START END ANSWER" (one short write per request, O_APPEND).
# shellcheck disable=SC2016  # expanded by the bash that runs it
client_poller_script='
vip=$1 out=$2 gap=$3
while :; do
  (
    s=$EPOCHREALTIME
    page=$(curl -s -m 1 "http://$vip/" 2>/dev/null)
    e=$EPOCHREALTIME
    case $page in
      *"<h1>web1</h1>"*) a=web1 ;;
      *"<h1>web2</h1>"*) a=web2 ;;
      *) a=- ;;
    esac
    echo "$s $e $a" >> "$out"
  ) &
  sleep "$gap"
done'

# The steady client (scripts/rolling-upgrade): one request at a time, the next POLL_MS after the
# last one ended, as a real client polls. Each request has STEADY_LIMIT seconds (default 3) to get
# the page: a SYN lost while the VIP moves between the nodes is sent again by TCP after 1 s and then
# reaches the new holder. A refused connect (the service already stopped, the VIP not yet gone: the
# release runs right to left) never reached a server, so the client tries again within the limit,
# 20 ms later, as HTTP clients and proxies do for a refused connect; those tries are counted.
# Appends "START END ANSWER TRIES" to OUT: ANSWER web1, web2 or "-" (no page within the limit).
# shellcheck disable=SC2016  # expanded by the bash that runs it
steady_client_script='
vip=$1 out=$2 gap=$3 limit=$4
while :; do
  s=$EPOCHREALTIME; a=-; tries=0
  while :; do
    tries=$((tries + 1))
    left=$(awk -v s="$s" -v n="$EPOCHREALTIME" -v l="$limit" "BEGIN { printf \"%.3f\", l - (n - s) }")
    page=$(curl -s -m "$left" "http://$vip/" 2>/dev/null); rc=$?
    case $page in
      *"<h1>web1</h1>"*) a=web1; break ;;
      *"<h1>web2</h1>"*) a=web2; break ;;
    esac
    [ $rc -eq 7 ] || break  # only a refused connect is tried again
    awk -v s="$s" -v n="$EPOCHREALTIME" -v l="$limit" "BEGIN { exit !(n - s < l - 0.1) }" || break
    sleep 0.02
  done
  echo "$s $EPOCHREALTIME $a $tries" >> "$out"
  sleep "$gap"
done'
lab_start_steady_client() {  # $WATCH/steady.answers (see steady_client_script)
  : >"$WATCH/steady.answers"
  ip netns exec "$HA_LAB-client" bash -c "$steady_client_script" steady-client "$VIP" "$WATCH/steady.answers" \
    "$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')" "${STEADY_LIMIT:-3}" </dev/null >/dev/null 2>&1 &
  LAB_BG_PIDS+=($!)
}
steady_summary() {  # steady_summary FROM TO — "REQUESTS FAILED REFUSED_TRIES LONGEST_MS" of the steady
  # client's requests started in [FROM, TO)
  awk -v a="$1" -v b="$2" '$1 >= a && $1 < b { n++; if ($3 == "-") f++; r += $4 - 1; d = ($2 - $1) * 1000; if (d > m) m = d }
    END { printf "%d %d %d %d\n", n, f, r, m + 0.5 }' "$WATCH/steady.answers"
}

# Follows FILE (which may not exist yet) and writes each complete line, prefixed with the time it
# was seen, to OUT. Pure bash with a timed read on a private pipe as the sleep (no fork).
log_follower() {
  local file=$1 out=$2 line buf=""
  exec 8<> <(:)
  until [ -e "$file" ]; do read -r -t "$LOG_POLL" -u 8 _ || true; done
  exec 9<"$file"
  while :; do
    if IFS= read -r -u 9 line; then
      printf '%s %s\n' "$EPOCHREALTIME" "$buf$line" >>"$out"
      buf=""
    else
      buf+=$line
      read -r -t "$LOG_POLL" -u 8 _ || true
    fi
  done
}

# Follows NODE's eth0 addresses through netlink (ip monitor, inside the node's namespace) and
# writes "T add|del" for each change of the VIP to OUT: exact times, unlike the 50 ms sampler.
addr_monitor() {
  local node=$1 out=$2 line ipid
  exec 7< <(exec ip -n "$HA_LAB-$node" -o monitor address dev eth0 2>/dev/null)
  ipid=$!
  trap 'kill "$ipid" 2>/dev/null; exit 0' TERM
  while IFS= read -r -u 7 line; do
    case $line in
      *" $VIP/"*) case $line in Deleted*) echo "$EPOCHREALTIME del" ;; *) echo "$EPOCHREALTIME add" ;; esac >>"$out" ;;
    esac
  done
}

lab_start_addr_monitors() {  # lab_start_addr_monitors NODE... — $WATCH/NODE.addr
  local n
  for n in "$@"; do
    : >"$WATCH/$n.addr"
    addr_monitor "$n" "$WATCH/$n.addr" </dev/null 2>/dev/null &
    LAB_BG_PIDS+=($!)
  done
}
vip_event_time() {  # vip_event_time AFTER NODE add|del — first such change of the VIP on NODE after AFTER
  awk -v t="$1" -v e="$3" '$1 > t && $2 == e { print $1; exit }' "$WATCH/$2.addr"
}

lab_start_watchers() {
  : >"$WATCH/vip.samples"
  : >"$WATCH/client.answers"
  vip_sampler >>"$WATCH/vip.samples" 2>/dev/null &
  LAB_BG_PIDS+=($!)
  ip netns exec "$HA_LAB-client" bash -c "$client_poller_script" client-poller "$VIP" "$WATCH/client.answers" \
    "$(awk -v ms="$POLL_MS" 'BEGIN { printf "%.3f", ms / 1000 }')" </dev/null >/dev/null 2>&1 &
  LAB_BG_PIDS+=($!)
  local f
  for f in $FOLLOW_LOGS; do  # NODE.PROG
    : >"$WATCH/$f.log"
    log_follower "$LABDIR/${f%%.*}/log/${f#*.}.log" "$WATCH/$f.log" </dev/null 2>/dev/null &
    LAB_BG_PIDS+=($!)
  done
}

# --- queries on the watch files (times are epoch seconds; empty output = not found) ------------

first_answer() {  # first_answer AFTER NODE — end time of the first answer from NODE that ended after AFTER
  awk -v t="$1" -v n="$2" '$2 > t && $3 == n { if (best == "" || $2 < best) best = $2 } END { if (best != "") print best }' \
    "$WATCH/client.answers"
}
last_answer() {  # last_answer AFTER NODE — end time of the last answer from NODE that ended after AFTER
  awk -v t="$1" -v n="$2" '$2 > t && $3 == n { if ($2 > best) best = $2 } END { if (best != "") print best }' \
    "$WATCH/client.answers"
}
answers_from() {  # answers_from FROM TO NODE — how many answers from NODE started in [FROM, TO]
  awk -v a="$1" -v b="$2" -v n="$3" '$1 >= a && $1 <= b && $3 == n { c++ } END { print c + 0 }' "$WATCH/client.answers"
}
answered_by() {  # answered_by NODE — the poller has an answer from NODE that ended in the last 2 s
  local t; t=$(awk -v n="$EPOCHREALTIME" 'BEGIN { printf "%.6f", n - 2 }')
  [ -n "$(first_answer "$t" "$1")" ] && [ -z "$(first_answer "$t" "$(other "$1")")" ]
}
other() { if [ "$1" = web1 ]; then echo web2; else echo web1; fi; }

vip_sample_time() {  # vip_sample_time AFTER NODE 0|1 — first sample after AFTER where NODE has (1) / lacks (0) the VIP
  local col=3; [ "$2" = web1 ] && col=2
  awk -v t="$1" -v c="$col" -v v="$3" '$1 > t && $c == v { print $1; exit }' "$WATCH/vip.samples"
}
vip_on_both_count() {  # vip_on_both_count FROM [TO] — samples in [FROM, TO] with the VIP on both nodes
  awk -v a="$1" -v b="${2:-9999999999}" '$1 >= a && $1 <= b && $2 == 1 && $3 == 1 && $4 == 1 { c++ } END { print c + 0 }' "$WATCH/vip.samples"
}
sample_count() {  # sample_count FROM [TO]
  awk -v a="$1" -v b="${2:-9999999999}" '$1 >= a && $1 <= b { c++ } END { print c + 0 }' "$WATCH/vip.samples"
}

log_time() {  # log_time AFTER NODE PROG REGEX — when the first matching line after AFTER was seen
  awk -v t="$1" -v re="$4" '$1 > t && $0 ~ re { print $1; exit }' "$WATCH/$2.$3.log"
}
# The takeover path's own stamps: with ha.cf `debug 1`, hamaster (log/ha-debug) and rscd (log/rscd.log)
# write `takeover path:` lines stamped `mono S.ms` with the monotonic clock, exact to the microsecond.
mono_after() {  # mono_after MONO NODE FILE REGEX — the mono stamp (ms) of the first line of NODE's log
  # FILE (ha-debug, rscd.log) that matches REGEX and is stamped after MONO (0: any); empty if none
  awk -v t="$1" -v re="$4" '$0 ~ re && match($0, /mono [0-9.]+/) { m = substr($0, RSTART + 5, RLENGTH - 5) + 0; if (m > t) { printf "%.3f\n", m; exit } }' \
    "$LABDIR/$2/log/$3"
}
mono_epoch_offset() {  # epoch − CLOCK_MONOTONIC in s, read with /proc/timer_list's "now at" (root),
  # bracketed by two epoch reads (~0.1 ms apart); empty when unreadable. MONO_OFFSET holds it.
  local a n b
  a=$EPOCHREALTIME; n=$(awk '/^now at/ { print $3; exit }' /proc/timer_list 2>/dev/null); b=$EPOCHREALTIME
  [ -n "$n" ] && awk -v a="$a" -v b="$b" -v n="$n" 'BEGIN { printf "%.6f\n", (a + b) / 2 - n / 1e9 }'
}
mono_event_time() {  # mono_event_time AFTER NODE FILE REGEX — the epoch time of the first such stamped
  # line after epoch AFTER (mono_after through $MONO_OFFSET); empty without MONO_OFFSET or line
  [ -n "${MONO_OFFSET:-}" ] || return 0
  local m; m=$(mono_after "$(awk -v t="$1" -v o="$MONO_OFFSET" 'BEGIN { printf "%.3f", (t - o) * 1000 }')" "$2" "$3" "$4" 2>/dev/null)
  [ -n "$m" ] && awk -v o="$MONO_OFFSET" -v m="$m" 'BEGIN { printf "%.6f\n", o + m / 1000 }'
}
mono_since() { ms_sum "$2" -"$1"; }  # mono_since A B — B - A in ms ("?" if either is unknown)
ms_sum() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || a ~ /\?/ || b ~ /\?/ || b == "-") print "?"; else printf "%.1f\n", a + b }'; }  # A + B ms

# The picture of a failover (bench/timeline-plot): events "NAME TIME_MS NODE", one a line, in any
# order; timeline_show prints them in time order and, given a path, draws the SVG there.
timeline_event() { echo "${*:3} ${2:-?} $1" >>"$TIMELINE"; }  # timeline_event NODE MS NAME... (MS "?"/"" = not seen)
timeline_show() {  # timeline_show TITLE [OUT.svg]
  "$LAB_SRC/bench/timeline-plot" -t "$1" "$TIMELINE" ${2:+"$2"}
}

vip_on() { ip -n "$HA_LAB-$1" -o -4 addr show dev eth0 | grep -q " $VIP/"; }
curl_once() { ip netns exec "$HA_LAB-client" curl -s -m 1 "http://$VIP/" 2>/dev/null | sed -n 's/.*<h1>\(web[12]\)<\/h1>.*/\1/p'; }

# --- reporting and checks shared by the lab tests (each test keeps its own `failures` count) ---
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }
timing() { echo "timing: $*"; }
never_both() {  # never_both FROM [TO] WHAT — no 50 ms sample in [FROM, TO] had the VIP on both nodes
  local n s; n=$(vip_on_both_count "$1" "$2"); s=$(sample_count "$1" "$2")
  check "$3: VIP never on both nodes ($n of $s samples)" test "$n" -eq 0 -a "$s" -gt 0
}
serves() {  # serves NODE SECONDS WHAT — the client gets NODE's page (and not the other's) in time
  check "$3: client answered by $1" wait_for "$2" answered_by "$1"
}
lab_finish() {  # lab_finish PROG... — the tests' EXIT trap: teardown; after a failure the tails of
  # each node's PROG logs, and $LABDIR is kept (also with KEEP_LOGS=1), else removed
  lab_teardown
  if [ "${failures:-0}" -ne 0 ]; then
    local n p
    for n in web1 web2; do
      for p in "$@"; do echo "--- tail $LABDIR/$n/log/$p.log"; tail -n 25 "$LABDIR/$n/log/$p.log" 2>/dev/null; done
    done
    echo "--- logs and watch files kept in $LABDIR"
  elif [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "--- logs and watch files kept in $LABDIR"
  else
    rm -rf "$LABDIR"
  fi
}
is_one_of() { local v=$1; shift; local x; for x in "$@"; do [ "$v" = "$x" ] && return 0; done; return 1; }
holds_service() {  # holds_service NODE — NODE holds the group (web1: local|all, web2: foreign|all), the other
  # holds nothing (or runs no master): web1 says none; web2, which has no group of its own, says local
  # as Heartbeat 3.0.6 does (its empty local part, held since start-up), or none once a standby of
  # `all` gave that up too (cl_status(1) rscstatus)
  local want=local idle=local; [ "$1" = web2 ] && want=foreign idle=none
  local o; o=$(rscstatus "$(other "$1")")  # empty: no master runs there
  is_one_of "$(rscstatus "$1")" "$want" all && is_one_of "$o" "$idle" none ""
}
