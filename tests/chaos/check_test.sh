#!/usr/bin/env bash
# tests/chaos/check_test.sh SOURCE_DIR — the chaos checker (tests/chaos/check.awk) on made-up
# records: each planted violation of an invariant is reported with the step that caused it, and what
# a fault allows is not. No lab, no root: the records are written here, times are plain numbers.
set -uo pipefail
SRC=$(cd "${1:?usage: check_test.sh SOURCE_DIR}" && pwd)
W=$(mktemp -d /tmp/chaos-check.XXXXXX)
trap 'rm -rf "$W"' EXIT
failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { if "${@:2}"; then pass "$1"; else fail "$1"; fi; }  # check WHAT CMD...

# A run from t=1000 to t=1100: step 1 kill-hamaster on web1 at 1010 (recovered 1020), step 2
# isolate web2 at 1030 (recovered 1045), step 3 cut-udp on web1 at 1060 (recovered 1066), step 4
# stop-hamaster on web1 at 1080 (recovered 1088). Samples every 0.5 s with web1 holding the VIP,
# answers every 0.5 s all good; each case below adds its own lines.
base() {
  cat >"$W/events" <<'EOF'
1000.0 start 0 2 1 2
1010.0 begin 1 kill-hamaster web1 0.0 hb:web1,out
1012.0 end 1
1020.0 recovered 1
1030.0 begin 2 isolate web2 6.0 med:udp,med:serial,lan:web2,out
1036.0 end 2
1045.0 recovered 2
1060.0 begin 3 cut-udp web1 4.0 med:udp
1064.0 end 3
1066.0 recovered 3
1080.0 begin 4 stop-hamaster web1 1.5 hb:web1,out
1081.5 end 4
1088.0 recovered 4
1100.0 stop 5
EOF
  awk 'BEGIN { for (t = 1000; t < 1100; t += 0.5) printf "%.1f 1 0 1 1 1\n", t }' >"$W/samples"
  awk 'BEGIN { for (t = 1000; t < 1100; t += 0.5) printf "%.1f %.1f web1\n", t, t + 0.01 }' >"$W/answers"
  : >"$W/web1.log"; : >"$W/web2.log"
}
run() {  # run — the checker's report in $W/out, its violation count in $nviol
  sort -n "$W/samples" -o "$W/samples"; sort -n "$W/answers" -o "$W/answers"
  awk -v deadtime=2 -v out_bound=8 -f "$SRC/tests/chaos/check.awk" \
    "$W/events" "$W/samples" "$W/answers" "$W/web1.log" "$W/web2.log" >"$W/out"
  nviol=$(awk '/^invariant violations/ { print $NF }' "$W/out")
}
expect() {  # expect N REGEX WHAT — N violations, and (N > 0) a line matching REGEX
  if [ "$nviol" = "$1" ] && { [ "$1" = 0 ] || grep -qE -- "$2" "$W/out"; }; then pass "$3"; else
    fail "$3 (wanted $1 violation(s) matching '$2', got ${nviol:-none}):"; sed 's/^/    /' "$W/out"
  fi
}
samples() {  # samples FROM TO A B C U1 U2 — replace the samples in [FROM, TO]
  awk -v a="$1" -v b="$2" -v s="$3 $4 $5 $6 $7" '$1 >= a && $1 <= b { $0 = $1 " " s } { print }' "$W/samples" >"$W/s2"
  mv "$W/s2" "$W/samples"
}
fails() {  # fails FROM TO — the answers started in [FROM, TO] fail
  awk -v a="$1" -v b="$2" '$1 >= a && $1 <= b { $3 = "-" } { print }' "$W/answers" >"$W/a2"
  mv "$W/a2" "$W/answers"
}

base; run
expect 0 "" "a run with faults that stay in their bounds: no violation"
check "the table counts the faults by kind" grep -q "kill-hamaster  *1" "$W/out"

base; samples 1051 1052 1 1 1 1 1; run
expect 1 "VIOLATION at \+51\.000s, step 2 \(isolate on web2\): the VIP on both nodes .*3 samples" \
  "the VIP on both nodes 5 s after the LAN split healed: reported against the last step"
base; samples 1090 1092 1 1 1 1 1; run
expect 1 "step 4 \(stop-hamaster on web1\): the VIP on both" "the VIP on both nodes while nothing split the LAN"
base; samples 1032 1040 1 1 1 1 1; run
expect 0 "" "the VIP on both nodes while the isolated node's LAN is split: allowed"
base; samples 1090 1092 1 1 1 1 0; run
expect 0 "" "the VIP on both nodes while a sample shows web2's eth0 down: allowed"
base; samples 1090 1092 1 1 0 1 1; run
expect 0 "" "a handover between two looks (1 1 0) is not a double hold"

base; fails 1070 1071; run
expect 1 "step 3 \(cut-udp on web1\): the service did not answer for 1500 ms \(3 failed" \
  "an outage during a fault that allows none (a cut of one medium)"
base; fails 1011 1015; run
expect 0 "" "an outage of 5.5 s after the holder's master was killed: allowed"
base; fails 1011 1020; run
expect 1 "an outage of 9500 ms .* longer than the 8 s allowed" "an outage longer than deadtime + the takeover path"
check "the table names the longest outage and its step ($(grep 'longest outage' "$W/out"))" \
  grep -q "longest outage  *9500 ms (step 1 (kill-hamaster on web1))" "$W/out"

# auto_failback: the holder gives the preferred node its group back once a partition healed (a
# stop, then the other's start), outside any fault's window.
base; fails 1095 1095.5; echo "1094.8 Dec 07 00:00:00 web2 hamaster: [1]: info: Giving up foreign resources (auto_failback)." >>"$W/web2.log"; run
expect 0 "" "a short outage right after a planned auto_failback hand-over: allowed"
base; fails 1095 1095.5; echo "1094.9 Dec 07 00:00:00 web2 hamaster: [1]: info: Going standby [foreign]." >>"$W/web2.log"; run
expect 0 "" "a short outage right after ipfail's standby of the foreign part (auto_failback): allowed"
base; fails 1095 1095.5; echo "1085.0 Dec 07 00:00:00 web2 hamaster: [1]: info: Giving up foreign resources (auto_failback)." >>"$W/web2.log"; run
expect 1 "the service did not answer for 1000 ms" "an outage 10 s after a hand-over is not the hand-over's"
base; fails 1091 1099.5; echo "1090.8 Dec 07 00:00:00 web1 hamaster: [1]: info: Giving up foreign resources (auto_failback)." >>"$W/web1.log"; run
expect 1 "an outage of 9000 ms .* longer than the 8 s allowed" "a hand-over's outage is bounded too"

base; echo "1062.0 Dec 07 00:00:00 web2 hamaster: [1]: WARN: node web1: is dead" >>"$W/web2.log"; run
expect 1 "web2 declared web1 dead while these links lived: serial" "a node declared dead while its serial link lived (only UDP was cut)"
base; echo "1013.0 Dec 07 00:00:00 web2 hamaster: [1]: WARN: node web1: is dead" >>"$W/web2.log"; run
expect 0 "" "a node declared dead after its master was killed: allowed"
base; echo "1082.5 Dec 07 00:00:00 web1 hamaster: [1]: WARN: node web2: is dead" >>"$W/web1.log"; run
expect 1 "step 4 .*web1 declared web2 dead while these links lived: UDP \(eth1\) serial" \
  "the frozen master declares its live peer dead after SIGCONT (it must read its bus first)"
base; echo "1035.0 Dec 07 00:00:00 web1 hamaster: [1]: WARN: node web2: is dead" >>"$W/web1.log"; run
expect 0 "" "the isolated node declared dead: allowed"
base; echo "1095.0 Dec 07 00:00:00 web1 hamaster: [1]: info: Link web2:/tmp/c/web2.tty dead." >>"$W/web1.log"; run
expect 1 "declared the link web2:/tmp/c/web2.tty dead while it lived" "a link declared dead while nothing touched it"
base; echo "1063.0 Dec 07 00:00:00 web1 hamaster: [1]: info: Link web2:eth1 dead." >>"$W/web1.log"; run
expect 0 "" "the UDP link declared dead while eth1 was down: allowed"

base; echo "1015.0 violation 1 web1: the killed master's resources were not released" >>"$W/events"; run
expect 1 "step 1 \(kill-hamaster on web1\): web1: the killed master's resources were not released" \
  "a live check's violation is reported with its step"
base; echo "1101.0 violation 5 web1: left in the run dir after the stop: hamaster.pid" >>"$W/events"; run
expect 1 "the stop: web1: left in the run dir" "a leftover after the stop is reported against the stop"

if [ $failures -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all checks passed"
