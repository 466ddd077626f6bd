#!/usr/bin/env bash
# shellcheck disable=SC2016  # eval'd conditions are single-quoted on purpose (expanded at each try)
# tests/chaos/chaos.sh SOURCE_DIR BIN_DIR MINUTES SEED [--plant vip-both] — the chaos soak (issue 15).
# Usually run through scripts/chaos [MINUTES] [--seed N]; docs/reliability.md explains the faults,
# the invariants and the runs made.
#
# The namespace lab (scripts/lab, lab_lib.sh) with two live nodes: VIP 192.0.2.100 + nginx preferred
# on web1 (auto_failback on), `ucast eth1` plus a serial null-modem cable (socat, two linked ptys,
# baud 115200), `ping 192.0.2.1` + ipfaild; keepalive 200ms, deadtime 2, warntime 1, initdead 4.
# A client in its own namespace asks the VIP every 50 ms (lab_lib's poller); lab_vip_sampler
# records the VIP and eth0's state on both nodes every 10 ms through netlink.
#
# The schedule is drawn from SEED before the run (schedule.txt): a list of steps, each a fault kind
# (tests/chaos/faults.sh), the node role it hits (the VIP's holder or the other node, resolved when
# the step runs), a duration and a pause. One step runs at a time: the fault, its end, then the
# recovery (one holder, the client served by it, every process up, the peer active and every link
# up on both nodes; 90 s at most, else a violation), then the pause. Steps run until MINUTES are
# up. Every step writes `T begin|end|recovered STEP ...` to events.log with the ground truth of what
# the fault breaks; the driver's live checks (a process not respawned, resources not released, a
# broken reload not refused, leftovers after the stop) write `T violation STEP TEXT` there too.
# After the stop, tests/chaos/check.awk reads events.log, the 10 ms samples, the client's answers
# and the masters' dead verdicts, checks the invariants at every sample and prints the table.
# Exit 0 when no invariant was violated, 1 otherwise, 77 when the lab cannot run here.
#
# --plant vip-both adds the VIP to the non-holder's eth0 for 2 s in a step of its own (the
# checker must report it: tests/chaos/planted_test.sh) after two ordinary steps, and the run ends
# there (stop, leak check, report).
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: chaos.sh SOURCE_DIR BIN_DIR MINUTES SEED [--plant vip-both]}" && pwd)
HM_BIN=$(cd "${2:?bin dir}" && pwd)
MINUTES=${3:?minutes}
SEED=${4:?seed}
PLANT=""
[ "${5:-}" = --plant ] && PLANT=${6:?--plant what}
export HA_LAB=${HA_LAB:-hch$$}
LABDIR=${LABDIR:-$(mktemp -d /tmp/hamaster-chaos.XXXXXX)}
export LABDIR
HA_WITH_IPFAIL=1
HA_KEEPALIVE=200ms
HA_DEADTIME=2
HA_WARNTIME=1
HA_INITDEAD=4
DEADTIME_S=2
LOG_POLL=0.02
FOLLOW_LOGS="web1.hamaster web2.hamaster"
# shellcheck source=tests/integration/lab_lib.sh
. "$LAB_SRC/tests/integration/lab_lib.sh"

SAMPLER=$HM_BIN/lab_vip_sampler
if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi
for c in iptables stress-ng; do
  command -v "$c" >/dev/null || { echo "SKIP: needs $c"; rm -rf "$LABDIR"; exit 77; }
done
for b in heartbeatd-net heartbeatd-serial ipfaild rscd cl_status hb_standby hb_takeover lab_vip_sampler nfq_delay; do
  [ -x "$HM_BIN/$b" ] || { echo "SKIP: no $HM_BIN/$b (build first)"; rm -rf "$LABDIR"; exit 77; }
done

EVENTS=$LABDIR/events.log
SCHEDULE=$LABDIR/schedule.txt
S10=$LABDIR/watch/vip10.samples
CABLE=$LABDIR/cable
CABLE_PID=""
declare -A TTY=([web1]=$CABLE/web1.tty [web2]=$CABLE/web2.tty)
PROCS="hamaster heartbeatd-net heartbeatd-serial ipfaild rscd"
STEP=0
failures=0
CLEANUPS=()  # commands that undo a fault in progress (run by the EXIT trap after an interruption)

ev() { echo "$EPOCHREALTIME $*" >>"$EVENTS"; }
violation() { ev violation "$STEP" "$*"; echo "VIOLATION step $STEP: $*"; }
say() { echo "[$(date -u +%H:%M:%S)] $*"; }

finish() {
  local c
  for c in "${CLEANUPS[@]}"; do eval "$c" 2>/dev/null || true; done
  [ -n "$CABLE_PID" ] && kill "$CABLE_PID" 2>/dev/null
  [ "${KEEP_LOGS:-1}" = 1 ] && KEEP_LOGS=1  # the run's files are its record: kept unless KEEP_LOGS=0
  lab_finish hamaster rscd heartbeatd-serial ipfaild
}
trap finish EXIT
trap 'exit 1' INT TERM

# --- the cable: two linked ptys, web1's and web2's ends ------------------------------------------
cable_up() {
  mkdir -p "$CABLE"
  socat pty,raw,echo=0,link="${TTY[web1]}" pty,raw,echo=0,link="${TTY[web2]}" </dev/null >/dev/null 2>&1 &
  CABLE_PID=$!
  disown "$CABLE_PID"
  wait_for 5 eval '[ -e "${TTY[web1]}" ] && [ -e "${TTY[web2]}" ]'
}
cable_down() {
  [ -n "$CABLE_PID" ] || return 0
  kill "$CABLE_PID" 2>/dev/null
  wait_for 5 eval '! kill -0 $CABLE_PID 2>/dev/null'
  CABLE_PID=""
  rm -f "${TTY[web1]}" "${TTY[web2]}"
}

# --- nodes ---------------------------------------------------------------------------------------
pid_in() {  # pid_in NODE COMM — the pid of COMM inside NODE's namespace (comm is cut at 15 bytes)
  local p c=${2:0:15}
  for p in $(ip netns pids "$HA_LAB-$1" 2>/dev/null); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$c" ] && { echo "$p"; return 0; }
  done
  return 1
}
# start_master NODE [MONO_OFFSET] — hamaster -f in NODE; with an offset, inside a new time
# namespace whose CLOCK_MONOTONIC and CLOCK_BOOTTIME are shifted by MONO_OFFSET seconds (the
# clock-step fault).
start_master() {
  local node=$1 off=${2:-}
  if [ -n "$off" ]; then
    "$LAB" exec "$node" unshare --time --monotonic="$off" --boottime="$off" "$HM_BIN/hamaster" -f \
      >>"$LABDIR/$node/log/hamaster.stdout" 2>&1 &
  else
    "$LAB" exec "$node" "$HM_BIN/hamaster" -f >>"$LABDIR/$node/log/hamaster.stdout" 2>&1 &
  fi
  MASTER_PID[$node]=$!
  disown "$!"
}
graceful_stop() {  # graceful_stop NODE — SIGTERM to the master, wait until nothing of it is left
  local pid
  pid=$(master_pid_in_ns "$1") || return 0
  kill -TERM "$pid" 2>/dev/null
  wait_for 90 no_procs_in "$1"
}
holder() { if vip_on web2 && ! vip_on web1; then echo web2; else echo web1; fi; }
node_of() { if [ "$1" = holder ]; then holder; else other "$(holder)"; fi; }
cls() { node_exec "$1" timeout 5 "$HM_BIN/cl_status" "${@:2}" 2>/dev/null; }
links_up_on() {  # every heartbeat link of NODE to its peer is up
  local peer l n=0
  peer=$(other "$1")
  for l in $(cls "$1" listhblinks "$peer"); do
    [ "$(cls "$1" hblinkstatus "$peer" "$l")" = up ] || return 1
    n=$((n + 1))
  done
  [ "$n" -ge 2 ]
}
node_procs() {  # the names of every process in NODE's namespace (what hamaster runs there, and
  # nginx), but for the faults' own tools (an ambient fault's delayer or CPU load may be running)
  local p
  for p in $(ip netns pids "$HA_LAB-$1" 2>/dev/null); do cat "/proc/$p/comm" 2>/dev/null; done |
    grep -vE '^(nfq_delay|stress-ng)' || true
}
ha_children_in() { node_procs "$1" | grep -E '^(heartbeatd-|ipfaild|rscd)'; }
no_procs_in() { [ -z "$(node_procs "$1")" ]; }
procs_up_on() { local p; for p in $PROCS; do pid_in "$1" "$p" >/dev/null || return 1; done; }
WHY=""
healthy() {  # the cluster is back: one holder serving, every process, the peer and every link up
  local h n
  WHY="VIP on web1: $(vip_on web1 && echo yes || echo no), on web2: $(vip_on web2 && echo yes || echo no)"
  if vip_on web1; then h=web1; vip_on web2 && return 1; else h=web2; vip_on web2 || return 1; fi
  WHY="the client not answered by $h alone"; answered_by "$h" || return 1
  for n in web1 web2; do
    WHY="$n lacks a process (has: $(node_procs "$n" | sort -u | tr '\n' ' '))"; procs_up_on "$n" || return 1
    WHY="$n: $(other "$n") is $(cls "$n" nodestatus "$(other "$n")")"
    [ "$(cls "$n" nodestatus "$(other "$n")")" = active ] || return 1
    WHY="$n: a link to $(other "$n") is not up"; links_up_on "$n" || return 1
  done
  WHY=""
}

# --- faults --------------------------------------------------------------------------------------
# shellcheck source=tests/chaos/faults.sh
. "$LAB_SRC/tests/chaos/faults.sh"

# --- the run -------------------------------------------------------------------------------------
lab_up || { echo "FAIL - lab up"; failures=1; exit 1; }
: >"$EVENTS"
cable_up || { echo "FAIL - the serial cable (socat)"; failures=1; exit 1; }
lab_write_config web1 web2
for n in web1 web2; do
  f=$LABDIR/$n/etc/ha.d/ha.cf
  printf 'baud            115200\nserial          %s\n' "${TTY[$n]}" >>"$f"
  cp "$f" "$LABDIR/$n/ha.cf.good"
done
find /dev/shm -maxdepth 1 -mindepth 1 -printf '%f\n' 2>/dev/null | sort >"$LABDIR/shm.before"
lab_start_watchers
"$SAMPLER" "$HA_LAB-web1" "$HA_LAB-web2" eth0 "$VIP" 10 >"$S10" 2>"$WATCH/sampler.err" &
LAB_BG_PIDS+=($!)
draw_schedule "$SEED" 2000 >"$SCHEDULE"
RANDOM=$((SEED + 1))  # the faults' own draws (pauses, restart delays) follow the seed too
say "chaos: lab $HA_LAB, $MINUTES min, seed $SEED${PLANT:+, planted $PLANT}; files in $LABDIR"
start_master web1
start_master web2
if ! wait_for 60 healthy; then
  violation "the cluster did not come up: $WHY"
  failures=1
  exit 1
fi
ev start 0 "$MINUTES" "$SEED" "$DEADTIME_S"
END_AT=$((SECONDS + MINUTES * 60))
planted=0
while read -r STEP kind role dur pause amb arole adur; do
  [ $SECONDS -lt $END_AT ] || break
  if [ -n "$PLANT" ] && [ $planted = 0 ] && [ "$STEP" -ge 3 ]; then
    planted=1
    run_step 999 "plant-$PLANT" other 2 0  # a step of its own, numbered apart
    break  # the planted run only has to show that the checker reports it (planted_test.sh)
  fi
  run_step "$STEP" "$kind" "$role" "$dur" "$pause" "$amb" "$arole" "$adur"
done <"$SCHEDULE"
STEP=$((STEP + 1))
T_STOP=$(now)
ev stop "$STEP"
say "stopping both nodes"
final_stop_and_leak_check
ev end-of-run "$STEP"
for p in "${LAB_BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done  # the watchers: the record is complete
LAB_BG_PIDS=()
sort -n "$WATCH/client.answers" >"$WATCH/client.sorted"
# The longest outage allowed: deadtime + the takeover path + margins (docs/reliability.md).
awk -v deadtime="$DEADTIME_S" -v out_bound="${OUT_BOUND:-6}" -v tstop="$T_STOP" \
  -f "$LAB_SRC/tests/chaos/check.awk" \
  "$EVENTS" "$S10" "$WATCH/client.sorted" "$WATCH/web1.hamaster.log" "$WATCH/web2.hamaster.log" \
  | tee "$LABDIR/chaos-report.txt"
n=$(awk '/^invariant violations/ { print $NF }' "$LABDIR/chaos-report.txt")
echo "command: scripts/chaos $MINUTES --seed $SEED${PLANT:+ --plant $PLANT}; files kept in $LABDIR"
[ "${n:-1}" = 0 ] || { failures=1; exit 1; }
exit 0
