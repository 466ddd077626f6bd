# shellcheck shell=bash disable=SC2016  # eval'd conditions are single-quoted on purpose
# tests/chaos/faults.sh — the chaos soak's faults, its seeded schedule and its stop (sourced by
# tests/chaos/chaos.sh, which provides the lab helpers: ev, violation, start_master, pid_in, ...).
#
# A fault is `fault_KIND NODE SECONDS`: it breaks something, waits, repairs it and writes
# `T end STEP` when the repair is done. What it breaks is declared by `effects KIND NODE`, written
# with the step's `begin` line; check.awk trusts nothing else about the fault:
#   hb:NODE     NODE sends no heartbeat on any medium (its master is stopped, dead or restarting)
#   med:udp     the UDP medium (eth1) cannot carry heartbeats, both ways
#   med:serial  the serial cable cannot carry heartbeats, both ways
#   lan:NODE    NODE's public LAN (eth0) is split from the other node and the client
#   out         the service may pause: a takeover or a planned move belongs to this fault
# A fault with no effect must leave the cluster alone: no dead verdict, no outage, one holder.

# kind                weight  seconds (min max, tenths)  — what it does
FAULT_TABLE="
kill-hamaster          6   0    0     SIGKILL of the master; restarted 1-3 s later (systemd's Restart=)
kill-heartbeatd-net    4   0    0     SIGKILL of the UDP media daemon (the master respawns it)
kill-heartbeatd-serial 4   0    0     SIGKILL of the serial media daemon
kill-ipfaild           3   0    0     SIGKILL of ipfaild
kill-rscd              5   0    0     SIGKILL of rscd (the VIP stays in the kernel)
stop-hamaster          6   3    40    SIGSTOP of the master, SIGCONT after the duration
stop-heartbeatd-net    3   3    40    SIGSTOP/SIGCONT of the UDP media daemon
stop-heartbeatd-serial 3   3    40    SIGSTOP/SIGCONT of the serial media daemon
stop-ipfaild           2   3    40    SIGSTOP/SIGCONT of ipfaild
stop-rscd              4   3    70    SIGSTOP/SIGCONT of rscd (past 5 s the master kills it as hung)
cut-udp                4   10   80    the node's eth1 down, then up
cut-serial             4   10   80    the cable's socat killed, then started again
cut-both               4   10   80    both at once: every heartbeat link is dead (split brain)
flap-udp               3   30   80    eth1 down/up every 0.2-1.2 s
flap-serial            3   30   80    the cable killed/started every 0.2-1.2 s
flap-both              3   30   80    both flapped together
loss                   3   50   150   30 % loss on eth1, both ways (iptables statistic)
jitter                 3   50   150   200 ms delay ± 200 ms on eth1, both ways (nfq_delay; reorders)
garbage                3   20   80    random bytes written into the node's end of the cable
icmp-drop              4   40   120   ICMP from the ping node dropped in the node (iptables)
cpu                    3   30   100   stress-ng --cpu NPROC inside the node's namespace
clock-step             3   0    0     the node restarts with CLOCK_MONOTONIC/BOOTTIME stepped (time ns)
reload-good            3   0    0     a valid ha.cf change (warntime), hamaster -t, SIGHUP
reload-broken          3   0    0     an invalid ha.cf line, SIGHUP: refused, the cluster untouched
standby                4   0    0     hb_standby on the node
takeover               4   0    0     hb_takeover on the node
restart                3   10   50    graceful stop (SIGTERM), down for the duration, start
crash                  3   10   50    the host dies (SIGKILL of all, VIP gone), down, start
isolate                3   30   100   eth0, eth1 and the cable cut: the node is alone
"

# A quarter of the steps also get an ambient fault that breaks nothing by itself (loss, jitter or
# CPU load, on the holder or the other node), running beside the main fault: the cluster must ride
# through the combination. At most one node-level fault still runs at a time.
AMBIENT="loss jitter cpu"

draw_schedule() {  # draw_schedule SEED COUNT — "STEP KIND ROLE SECONDS PAUSE AMBIENT AROLE ASECONDS"
  # lines (AMBIENT "-" when none), drawn from SEED only
  local seed=$1 count=$2 total=0 i r kind w lo hi role d amb arole ad
  local -a kinds=() weights=() los=() his=() ambient
  read -r -a ambient <<<"$AMBIENT"
  while read -r kind w lo hi _; do
    [ -n "$kind" ] || continue
    kinds+=("$kind"); weights+=("$w"); los+=("$lo"); his+=("$hi"); total=$((total + w))
  done <<<"$FAULT_TABLE"
  RANDOM=$seed
  for ((s = 1; s <= count; s++)); do
    r=$((RANDOM % total))
    for ((i = 0; r >= weights[i]; i++)); do r=$((r - weights[i])); done
    role=holder; [ $((RANDOM % 3)) -eq 0 ] && role=other
    d=$((los[i] + RANDOM % (his[i] - los[i] + 1)))
    amb=- arole=- ad=0
    if [ $((RANDOM % 4)) -eq 0 ]; then
      amb=${ambient[RANDOM % ${#ambient[@]}]}
      arole=holder; [ $((RANDOM % 2)) -eq 0 ] && arole=other
      ad=$((30 + RANDOM % 71))
      # one of each at a time: the loss and the jitter share eth1's egress, cpu is cpu
      case "$amb:${kinds[i]}" in loss:loss|loss:jitter|jitter:loss|jitter:jitter|cpu:cpu) amb=- arole=- ad=0 ;; esac
    fi
    printf '%d %s %s %d.%d %d.%d %s %s %d.%d\n' "$s" "${kinds[i]}" "$role" $((d / 10)) $((d % 10)) \
      $((1 + RANDOM % 3)) $((RANDOM % 10)) "$amb" "$arole" $((ad / 10)) $((ad % 10))
  done
}

effects() {  # effects KIND NODE — the tags above
  local n=$1 o; o=$(other "$2")
  case $n in
    kill-hamaster|stop-hamaster|restart|crash|clock-step) echo "hb:$2,out" ;;
    kill-heartbeatd-net|stop-heartbeatd-net|cut-udp|flap-udp) echo "med:udp" ;;
    kill-heartbeatd-serial|stop-heartbeatd-serial|cut-serial|flap-serial) echo "med:serial" ;;
    cut-both|flap-both) echo "med:udp,med:serial" ;;
    isolate) echo "med:udp,med:serial,lan:$2,out" ;;
    icmp-drop|standby|takeover) echo "out" ;;
    plant-*) echo "planted:$2" ;;
    *) echo "-" ;;
  esac
  : "$o"
}

sleep_s() { sleep "$1"; }
later() { CLEANUPS+=("$1"); }   # an undo for the EXIT trap while a fault is in progress
done_with() { CLEANUPS=(); }

# --- processes ---
fault_kill() {  # fault_kill PROC NODE
  local proc=$1 node=$2 pid was_holder=0
  pid=$(pid_in "$node" "$proc") || { violation "no $proc in $node to kill"; ev end "$STEP"; return; }
  vip_on "$node" && was_holder=1
  kill -KILL "$pid"
  if [ "$proc" = hamaster ]; then
    # Every child follows its master (PR_SET_PDEATHSIG), rscd releasing what it held on the way.
    wait_for 15 eval '[ -z "$(ha_children_in '"$node"')" ]' ||
      violation "$node: the master's children outlived it 15 s (left: $(ha_children_in "$node" | tr '\n' ' '))"
    if [ $was_holder = 1 ]; then
      wait_for 10 eval '! vip_on '"$node"' && ! pid_in '"$node"' nginx >/dev/null' ||
        violation "$node: the killed master's resources were not released (VIP: $(vip_on "$node" && echo held || echo gone), nginx: $(pid_in "$node" nginx || echo none))"
    fi
    sleep "$((1 + RANDOM % 3))"  # systemd's RestartSec
    start_master "$node"
  else
    # The master respawns it: a new pid within the back-off (1 s, doubling); recovery waits for it.
    wait_for 70 eval 'p=$(pid_in '"$node"' '"$proc"') && [ "$p" != '"$pid"' ]' ||
      violation "$node: $proc (pid $pid) killed and not respawned within 70 s"
  fi
  ev end "$STEP"
}

fault_stop() {  # fault_stop PROC NODE SECONDS
  local proc=$1 node=$2 secs=$3 pid
  pid=$(pid_in "$node" "$proc") || { violation "no $proc in $node to stop"; ev end "$STEP"; return; }
  later "kill -CONT $pid"
  kill -STOP "$pid"
  sleep_s "$secs"
  kill -CONT "$pid"
  done_with
  ev end "$STEP"
  if [ "$proc" = hamaster ]; then
    sleep 1
    kill -0 "$pid" 2>/dev/null || violation "$node: the master died after SIGSTOP/SIGCONT"
  fi
}

# --- links ---
eth1() { ip -n "$HA_LAB-$1" link set eth1 "$2"; }
fault_cut() {  # fault_cut udp|serial|both NODE SECONDS
  local what=$1 node=$2 secs=$3
  later "eth1 $node up"; later cable_up_if_down
  case $what in udp) eth1 "$node" down ;; serial) cable_down ;; both) eth1 "$node" down; cable_down ;; esac
  sleep_s "$secs"
  case $what in udp) eth1 "$node" up ;; serial) cable_up ;; both) eth1 "$node" up; cable_up ;; esac
  done_with
  ev end "$STEP"
}
cable_up_if_down() { [ -n "$CABLE_PID" ] || cable_up; }
fault_flap() {  # fault_flap udp|serial|both NODE SECONDS
  local what=$1 node=$2 until_t state=up
  until_t=$(awk -v n="$EPOCHREALTIME" -v s="$3" 'BEGIN { printf "%d", n + s }')
  later "eth1 $node up"; later cable_up_if_down
  while [ "${EPOCHREALTIME%.*}" -lt "$until_t" ]; do
    if [ $state = up ]; then state=down; else state=up; fi
    case $what in
      udp) eth1 "$node" $state ;;
      serial) if [ $state = down ]; then cable_down; else cable_up; fi ;;
      both) eth1 "$node" $state; if [ $state = down ]; then cable_down; else cable_up; fi ;;
    esac
    sleep "0.$((2 + RANDOM % 10))"
  done
  eth1 "$node" up; cable_up_if_down
  done_with
  ev end "$STEP"
}
# The lab's kernel may lack sch_netem (this one does): the loss is iptables' statistic match, the
# jitter tests/chaos/nfq_delay behind an NFQUEUE rule; both on eth1's egress at both ends.
# ipt NODE -I|-D CHAIN RULE... — one rule in NODE's namespace, robust against the host's load: the
# xtables lock is one file for every namespace of the machine (another fault, another test's lab),
# so wait for it (-w), and try again when the command failed anyway (killed under load: one
# 60-minute run lost a fault that way). -I inserts once: a retry first checks (-C) whether the
# failed try got the rule in. -D removes every copy.
ipt() {
  local node=$1 op=$2 i; shift 2
  local x=(ip netns exec "$HA_LAB-$node" iptables -w 10)
  if [ "$op" = -D ]; then
    for i in 1 2 3 4 5; do "${x[@]}" -C "$@" 2>/dev/null || return 0; "${x[@]}" -D "$@" 2>/dev/null || sleep 0.5; done
    ! "${x[@]}" -C "$@" 2>/dev/null
    return
  fi
  for i in 1 2 3; do
    "${x[@]}" -C "$@" 2>/dev/null && return 0
    "${x[@]}" "$op" "$@" && return 0
    sleep 0.5
  done
  return 1
}
ipt_eth1() {  # ipt_eth1 -I|-D RULE... — in both nodes' OUTPUT chain, for eth1
  local n op=$1 rc=0; shift
  for n in web1 web2; do ipt "$n" "$op" OUTPUT -o eth1 "$@" || { rc=1; [ "$op" = -D ] || return 1; }; done
  return $rc
}
fault_loss() {  # fault_loss SECONDS — 30 % of eth1's packets dropped, each way
  later "ipt_eth1 -D -m statistic --mode random --probability 0.3 -j DROP"
  ipt_eth1 -I -m statistic --mode random --probability 0.3 -j DROP || violation "iptables statistic failed"
  sleep_s "$1"
  ipt_eth1 -D -m statistic --mode random --probability 0.3 -j DROP
  done_with
  ev end "$STEP"
}
fault_jitter() {  # fault_jitter SECONDS — every eth1 packet delayed 200 ms ± 200 ms (so reordered)
  local n pids=()
  for n in web1 web2; do
    ip netns exec "$HA_LAB-$n" "$HM_BIN/nfq_delay" 7 200 200 "$RANDOM" </dev/null 2>>"$LABDIR/nfq_delay.err" &
    pids+=($!)
  done
  later "kill ${pids[*]}"; later "ipt_eth1 -D -j NFQUEUE --queue-num 7 --queue-bypass"
  sleep 0.2
  ipt_eth1 -I -j NFQUEUE --queue-num 7 --queue-bypass || violation "iptables NFQUEUE failed"
  sleep_s "$1"
  ipt_eth1 -D -j NFQUEUE --queue-num 7 --queue-bypass
  kill "${pids[@]}" 2>/dev/null
  wait "${pids[@]}" 2>/dev/null
  done_with
  ev end "$STEP"
}
fault_garbage() {  # fault_garbage NODE SECONDS — random bytes into NODE's end of the cable
  local node=$1 until_t tty n bytes=0
  tty=$(readlink -f "${TTY[$node]}")
  until_t=$(awk -v n="$EPOCHREALTIME" -v s="$2" 'BEGIN { printf "%d", n + s }')
  # root passes the daemon's TIOCEXCL; what is written here reaches the other node's daemon
  while [ "${EPOCHREALTIME%.*}" -lt "$until_t" ]; do
    n=$((16 + RANDOM % 200))
    head -c "$n" /dev/urandom 2>/dev/null >"$tty" && bytes=$((bytes + n))
    sleep "0.$((1 + RANDOM % 3))"
  done
  [ $bytes -gt 0 ] || violation "no garbage could be written into $tty"
  ev note "$STEP" "$bytes bytes of garbage written into $node's end of the cable"
  ev end "$STEP"
}
fault_icmp_drop() {  # fault_icmp_drop NODE SECONDS
  local node=$1
  later "ipt $node -D INPUT -p icmp -s 192.0.2.1 -j DROP"
  ipt "$node" -I INPUT -p icmp -s 192.0.2.1 -j DROP || violation "iptables icmp drop failed"
  sleep_s "$2"
  ipt "$node" -D INPUT -p icmp -s 192.0.2.1 -j DROP
  done_with
  ev end "$STEP"
}
fault_cpu() {  # fault_cpu NODE SECONDS — every CPU busy, from inside the node's namespace
  ip netns exec "$HA_LAB-$1" stress-ng --cpu "$(nproc)" --timeout "${2%.*}s" --quiet </dev/null >/dev/null 2>&1
  ev end "$STEP"
}

# --- operations ---
master_hup() { local pid; pid=$(master_pid_in_ns "$1") && kill -HUP "$pid"; }
fault_reload_good() {  # what `service hamaster reload` does: hamaster -t, then SIGHUP
  local node=$1 f=$LABDIR/$1/etc/ha.d/ha.cf
  if grep -q '^warntime[[:space:]]*1$' "$f"; then
    sed -i -E 's/^warntime[[:space:]].*/warntime        900ms/' "$f"
  else
    sed -i -E 's/^warntime[[:space:]].*/warntime        1/' "$f"
  fi
  cp "$f" "$LABDIR/$node/ha.cf.good"
  if node_exec "$node" "$HM_BIN/hamaster" -t >/dev/null 2>&1; then
    master_hup "$node"
  else
    violation "$node: hamaster -t refused a valid ha.cf"
  fi
  ev end "$STEP"
}
fault_reload_broken() {  # SIGHUP with a broken ha.cf (as `kill -HUP` would, past the init script's check)
  local node=$1 f=$LABDIR/$1/etc/ha.d/ha.cf t line
  later "cp $LABDIR/$node/ha.cf.good $f"
  echo "keepalive       banana" >>"$f"
  line=$(wc -l <"$f")
  t=$(now)
  master_hup "$node"
  wait_for 10 eval '[ -n "$(awk -v t='"$t"' '"'"'$1 > t && /ha\.cf:'"$line"':/'"'"' "$WATCH/'"$node"'.hamaster.log")" ]' ||
    violation "$node: a broken ha.cf on SIGHUP was not reported as ha.cf:$line"
  cp "$LABDIR/$node/ha.cf.good" "$f"
  done_with
  master_pid_in_ns "$node" >/dev/null || violation "$node: the master died on a broken reload"
  ev end "$STEP"
}
fault_tool() {  # fault_tool TOOL NODE — the tools tell the truth: a yes (exit 0) moves the service
  local rc
  node_exec "$2" timeout 30 "$HM_BIN/$1" >>"$LABDIR/tools.out" 2>&1
  rc=$?
  echo "step $STEP: $1 on $2 exit $rc" >>"$LABDIR/tools.out"
  ev note "$STEP" "$1 on $2 exit $rc"
  if [ $rc -eq 0 ]; then
    case $1 in
      hb_standby) wait_for 15 eval '! vip_on '"$2" || violation "$2: hb_standby said yes (exit 0) and the VIP stayed 15 s" ;;
      hb_takeover) wait_for 15 vip_on "$2" || violation "$2: hb_takeover said yes (exit 0) and the VIP did not come within 15 s" ;;
    esac
  fi
  ev end "$STEP"
}

# --- whole node ---
fault_restart() {  # fault_restart graceful|crash|clock NODE SECONDS
  local how=$1 node=$2 off=""
  case $how in
    crash) lab_crash "$node" ;;
    *) graceful_stop "$node" || violation "$node: the master did not stop within 90 s of SIGTERM" ;;
  esac
  if [ "$how" != crash ]; then
    vip_on "$node" && violation "$node: the VIP is still up after a graceful stop"
    no_procs_in "$node" || violation "$node: processes left after a graceful stop: $(node_procs "$node" | tr '\n' ' ')"
  fi
  if [ "$how" = clock ]; then
    # A step of CLOCK_MONOTONIC/BOOTTIME for every process of the node: far ahead, or back to
    # just after a boot (what the node's new life sees as its uptime).
    local up; up=$(cut -d. -f1 /proc/uptime)
    if [ $((RANDOM % 2)) = 0 ]; then off=$((86400 * (1 + RANDOM % 400))); else off=$((60 + RANDOM % 600 - up)); fi
    ev note "$STEP" "$node restarts with CLOCK_MONOTONIC shifted by $off s"
  fi
  sleep_s "$3"
  start_master "$node" "$off"
  ev end "$STEP"
}
fault_isolate() {  # fault_isolate NODE SECONDS — the node loses eth0, eth1 and the cable
  local node=$1
  later "links $node up"; later cable_up_if_down
  links "$node" down; cable_down
  sleep_s "$2"
  links "$node" up; cable_up
  ip -n "$HA_LAB-$node" route replace default via 192.0.2.1
  done_with
  ev end "$STEP"
}
fault_plant() {  # fault_plant NODE SECONDS — the planted violation: the VIP forced up on NODE
  local node=$1
  later "ip -n $HA_LAB-$node addr del $VIP/24 dev eth0"
  ip -n "$HA_LAB-$node" addr add "$VIP/24" dev eth0 nodad 2>/dev/null
  sleep_s "$2"
  ip -n "$HA_LAB-$node" addr del "$VIP/24" dev eth0
  done_with
  ev end "$STEP"
}

run_fault() {  # run_fault KIND NODE SECONDS
  local kind=$1 node=$2 secs=$3
  case $kind in
    kill-*) fault_kill "${kind#kill-}" "$node" ;;
    stop-*) fault_stop "${kind#stop-}" "$node" "$secs" ;;
    cut-*) fault_cut "${kind#cut-}" "$node" "$secs" ;;
    flap-*) fault_flap "${kind#flap-}" "$node" "$secs" ;;
    loss) fault_loss "$secs" ;;
    jitter) fault_jitter "$secs" ;;
    garbage) fault_garbage "$node" "$secs" ;;
    icmp-drop) fault_icmp_drop "$node" "$secs" ;;
    cpu) fault_cpu "$node" "$secs" ;;
    clock-step) fault_restart clock "$node" "$secs" ;;
    reload-good) fault_reload_good "$node" ;;
    reload-broken) fault_reload_broken "$node" ;;
    standby) fault_tool hb_standby "$node" ;;
    takeover) fault_tool hb_takeover "$node" ;;
    restart) fault_restart graceful "$node" "$secs" ;;
    crash) fault_restart crash "$node" "$secs" ;;
    isolate) fault_isolate "$node" "$secs" ;;
    plant-vip-both) fault_plant "$node" "$secs" ;;
    *) violation "unknown fault $kind"; ev end "$STEP" ;;
  esac
}

repair() {  # after a failed recovery: start what should run, so the run can go on
  local n
  for n in web1 web2; do master_pid_in_ns "$n" >/dev/null || start_master "$n"; done
  eth1 web1 up; eth1 web2 up; cable_up_if_down
}

run_step() {  # run_step STEP KIND ROLE SECONDS PAUSE [AMBIENT AROLE ASECONDS]
  local step=$1 kind=$2 node anode apid=""
  STEP=$step
  node=$(node_of "$3")
  if [ "${6:--}" != - ]; then  # the ambient fault: its own step (STEPa), in the background
    anode=$(node_of "$7")
    ev begin "${step}a" "$6" "$anode" "$8" "$(effects "$6" "$anode")"
    say "step ${step}a: $6 on $anode ($7) for $8 s, beside step $step"
    (STEP=${step}a; CLEANUPS=(); run_fault "$6" "$anode" "$8"; ev recovered "${step}a") </dev/null &
    apid=$!
  fi
  ev begin "$step" "$kind" "$node" "$4" "$(effects "$kind" "$node")"
  say "step $step: $kind on $node ($3) for $4 s"
  run_fault "$kind" "$node" "$4"
  [ -z "$apid" ] || wait "$apid"
  if wait_for 90 healthy; then
    ev recovered "$step"
  else
    violation "no recovery 90 s after $kind on $node: $WHY"
    repair
    if wait_for 60 healthy; then ev recovered "$step"; else violation "no recovery after a repair: $WHY"; fi
  fi
  sleep "$5"
}

final_stop_and_leak_check() {  # both nodes stop gracefully; nothing of them may be left
  local n pid f
  for n in web2 web1; do
    pid=$(master_pid_in_ns "$n") && kill -TERM "$pid"
  done
  for n in web1 web2; do
    wait_for 90 no_procs_in "$n" || violation "$n: processes left 90 s after SIGTERM: $(node_procs "$n" | tr '\n' ' ')"
    vip_on "$n" && violation "$n: the VIP is left on eth0 after the stop"
    f=$(find "$LABDIR/$n/run" -mindepth 1 \( -type s -o -name '*.pid' -o -name 'hamaster.status*' \) -printf '%f ' 2>/dev/null)
    [ -z "$f" ] || violation "$n: left in the run dir after the stop: $f"
  done
  f=$(find /dev/shm -maxdepth 1 -mindepth 1 -printf '%f\n' 2>/dev/null | sort | comm -13 "$LABDIR/shm.before" - | grep -iE 'hamaster|heartbeat|^ha[._-]|status' | tr '\n' ' ')
  [ -z "$f" ] || violation "shared memory left in /dev/shm after the stop: $f"
}
