#!/usr/bin/env bash
# rsc_guard_lab_test.sh RSCD SOURCE_DIR — the split-brain guard (`rscd --oneshot probe`) in the
# namespace lab, with real ARP between real kernels.
#
# scripts/lab up (own HA_LAB prefix; deadtime 3 s, keepalive 500 ms in both nodes' ha.cf), then:
#   free:  nobody has the VIP → web2's probe prints `clear` and exits 0 quickly;
#   held:  web1 holds the group (`rscd --oneshot start`) → web2's probe, in the background, logs
#          the CRIT naming web1's eth0 MAC, prints `held …`, keeps running and does not add the VIP;
#   gone:  web1 stops the group → web2's probe exits 0 with `clear` after about deadtime of
#          silence (a generous deadline, and a loose lower bound that shows it waited).
# `scripts/lab down` and a kill of the background probe (by PID) always run (trap). Exit 77
# (skipped) when not root, without network namespaces, or without nginx.
set -uo pipefail

RSCD=${1:?usage: rsc_guard_lab_test.sh RSCD SOURCE_DIR}
SRC=${2:?usage: rsc_guard_lab_test.sh RSCD SOURCE_DIR}
LAB=$SRC/scripts/lab
export HA_LAB=hgt$$
VIP=192.0.2.100
KEY=192.0.2.100/24/eth0
DEADTIME_S=3

LAB_SRC=$SRC
HM_BIN=$(dirname "$RSCD")
LABDIR=$(mktemp -d /tmp/hamaster-guard-test.XXXXXX)
export LABDIR
# lab_can_run, pass/fail/check, wait_for and vip_on come from the lab tests' shared helpers.
# shellcheck source=tests/integration/lab_lib.sh
. "$SRC/tests/integration/lab_lib.sh"
if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi

failures=0
probe_pid=
cleanup() {
  if [ -n "$probe_pid" ] && kill -0 "$probe_pid" 2>/dev/null; then kill "$probe_pid"; wait "$probe_pid" 2>/dev/null; fi
  "$LAB" down >/dev/null 2>&1
  if [ $failures -ne 0 ] || [ "${KEEP_LOGS:-0}" = 1 ]; then
    echo "--- logs in $LABDIR"
  else
    rm -rf "$LABDIR"
  fi
}
trap cleanup EXIT

rscd() {  # rscd NODE ARGS... — runs rscd in the node, logging to the node's log dir
  local node=$1; shift
  "$LAB" exec "$node" "$RSCD" --config /etc/ha.d --node "$node" --logfile /var/log/hamaster/rscd.log "$@"
}
mac_of() { ip -n "$HA_LAB-$1" link show eth0 | awk '/link\/ether/ {print $2}'; }
no_vip_on() { ! vip_on "$1"; }
running() { kill -0 "$1" 2>/dev/null; }
not_running() { ! running "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

"$LAB" up || { echo "FAIL - lab up"; exit 1; }
for n in web1 web2; do
  sed -i -e "s/^keepalive .*/keepalive 500ms/" -e "s/^deadtime .*/deadtime $DEADTIME_S/" \
         -e "s/^warntime .*/warntime 1/" -e "s/^initdead .*/initdead 10/" "$LABDIR/$n/etc/ha.d/ha.cf"
done
WEB1_MAC=$(mac_of web1)
LOG2=$LABDIR/web2/log/rscd.log
OUT=$LABDIR/probe.out

# --- free: nobody answers for the VIP
t0=$(now_ms)
out=$(timeout 20 "$LAB" exec web2 "$RSCD" --config /etc/ha.d --node web2 --logfile /var/log/hamaster/rscd.log \
      --oneshot probe "$KEY")
rc=$?
echo "timing: free probe took $(($(now_ms) - t0)) ms (3 probes 30 ms apart + process start)"
check "free VIP: probe exits 0 (rc=$rc)" [ $rc -eq 0 ]
check "free VIP: probe prints clear (got '$out')" [ "$out" = clear ]
check "log: free on eth0 after 3 unanswered probes" grep -q "info: IPaddr: $VIP is free on eth0 (3 ARP probes unanswered)" "$LOG2"
check "free VIP: the probe did not add the VIP to web2" no_vip_on web2

# --- held: web1 has the VIP
rscd web1 --oneshot start "$KEY"
check "rscd --oneshot start on web1 exits 0" [ $? -eq 0 ]
check "VIP is on web1 eth0" vip_on web1
rscd web2 --oneshot probe "$KEY" > "$OUT" &
probe_pid=$!
crit="CRIT: IPaddr: $VIP is still answered by $WEB1_MAC on eth0: not taking it over (split-brain guard)"
check "log: CRIT naming web1's eth0 MAC ($WEB1_MAC)" wait_for 5 grep -qF "$crit" "$LOG2"
check "probe prints held with web1's MAC" wait_for 5 grep -qx "held ip=$VIP mac=$WEB1_MAC iface=eth0" "$OUT"
check "probe is still running while web1 answers" running "$probe_pid"
check "web2 did not add the VIP" no_vip_on web2

# --- gone: web1 gives it up; after deadtime of silence web2's probe says clear
t0=$(now_ms)
rscd web1 --oneshot stop "$KEY"
check "rscd --oneshot stop on web1 exits 0" [ $? -eq 0 ]
check "VIP removed from web1" no_vip_on web1
check "probe ends within deadtime + 15 s" wait_for $((DEADTIME_S + 15)) not_running "$probe_pid"
wait "$probe_pid"
rc=$?
probe_pid=
elapsed=$(($(now_ms) - t0))
echo "timing: clear came ${elapsed} ms after web1's stop began (deadtime ${DEADTIME_S} s)"
check "probe exits 0 after the holder went silent (rc=$rc)" [ $rc -eq 0 ]
check "probe's last line is clear" [ "$(tail -1 "$OUT")" = clear ]
check "probe waited for the holder's silence (>= 1.5 s, deadtime ${DEADTIME_S} s)" [ "$elapsed" -ge 1500 ]
check "log: no answer for deadtime; taking it over" \
  grep -qF "info: IPaddr: $VIP: no answer from $WEB1_MAC for $((DEADTIME_S * 1000)) ms (deadtime); taking it over" "$LOG2"
check "log: exactly one CRIT for the session" [ "$(grep -cF "$crit" "$LOG2")" -eq 1 ]
check "web2 still does not have the VIP (a probe never adds it)" no_vip_on web2

if [ $failures -ne 0 ]; then
  echo "--- $LOG2"; cat "$LOG2"
  echo "--- $OUT"; cat "$OUT" 2>/dev/null
  echo "--- $LABDIR/web1/log/rscd.log"; cat "$LABDIR/web1/log/rscd.log" 2>/dev/null
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
