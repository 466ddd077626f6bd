#!/usr/bin/env bash
# config_test.sh HAMASTER CONF_DIR — `hamaster -t` on copies of the sample configs (must pass for
# web1 and web2) and on broken copies (must exit 1 with `FILE:LINE: error:` on stderr).
# authkeys gets mode 0600 in the copy, since git does not keep it (conf/README.md).
set -euo pipefail
hamaster=$1
conf=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

for sample in web serial; do
  cp -rL "$conf/$sample" "$tmp/$sample"
  chmod 600 "$tmp/$sample/authkeys"
  for node in web1 web2; do
    out=$("$hamaster" -t --config "$tmp/$sample" --node "$node" --log-dir /srv/halogs 2>"$tmp/err") || { cat "$tmp/err" >&2; fail "$sample on $node: exit $?"; }
    [ ! -s "$tmp/err" ] || { cat "$tmp/err" >&2; fail "$sample on $node: unexpected diagnostics"; }
    grep -q "^this node: *$node\$" <<<"$out" || fail "$sample on $node: summary lacks 'this node: $node'"
    grep -q "ipfaild (built-in)" <<<"$out" || fail "$sample: ipfail not mapped to ipfaild"
    if grep -qi "secret\|3f9c0b1e" <<<"$out"; then fail "$sample: summary shows a secret"; fi
    # Where each process logs: its own file under --log-dir, for exactly the processes started.
    case $sample in
      web) procs="hamaster heartbeatd-net ipfaild rscd"; absent=heartbeatd-serial;;
      serial) procs="hamaster heartbeatd-net heartbeatd-serial ipfaild rscd"; absent=none;;
    esac
    for p in $procs; do
      grep -q "^  $p  */srv/halogs/$p\.log\$" <<<"$out" || { echo "$out" >&2; fail "$sample: summary lacks $p's log file"; }
    done
    if grep -q "^  $absent " <<<"$out"; then fail "$sample: summary names $absent, which is not started"; fi
  done
done
# The serial cable's pace at its baud rate; at keepalive 10ms the note says what the cable costs.
out=$("$hamaster" -t --config "$tmp/serial" --node web1)
grep -Eq "^         a [0-9]+-byte heartbeat and a [0-9]+-byte ack take [0-9]+ms on the line: the cable beats every [0-9]+ms, dead after [0-9]+ms\$" <<<"$out" ||
  { echo "$out" >&2; fail "serial: summary lacks the cable's pace"; }
if grep -q "note: at .* baud" <<<"$out"; then echo "$out" >&2; fail "serial: a note at the sample's own timings"; fi
cp -r "$tmp/serial" "$tmp/fastserial"
sed -i '/^\(keepalive\|deadtime\|warntime\|initdead\)\b/d' "$tmp/fastserial/ha.cf"
printf 'keepalive 10ms\ndeadtime 50ms\ninitdead 10\n' >>"$tmp/fastserial/ha.cf"
out=$("$hamaster" -t --config "$tmp/fastserial" --node web1 2>/dev/null)
grep -Eq "note: at [0-9]+ baud the cable cannot beat every keepalive \(10ms\); .* a peer that dies is declared dead after [0-9]+ms, not deadtime 50ms" <<<"$out" ||
  { echo "$out" >&2; fail "fast timings over serial: no note on the cable's pace"; }

# ... and the ha.cf destinations every process shares (conf/web/ha.cf sets all three).
out=$("$hamaster" -t --config "$tmp/web" --node web1 --log-dir /srv/halogs)
grep -q "^logs: .*logfile /var/log/ha-log (info and up), debugfile /var/log/ha-debug (every line), syslog facility daemon\$" <<<"$out" ||
  { echo "$out" >&2; fail "web: summary lacks the shared log destinations"; }
sed -i 's/^\(logfile\|debugfile\|logfacility\)\b/#&/' "$tmp/web/ha.cf"
out=$("$hamaster" -t --config "$tmp/web" --node web1)
grep -q "^logs: .*no logfile, no debugfile, no syslog\$" <<<"$out" || { echo "$out" >&2; fail "web without ha.cf logs: wrong summary"; }
grep -q "^  rscd  */var/log/hamaster/rscd\.log\$" <<<"$out" || fail "default --log-dir not shown"
cp "$conf/web/ha.cf" "$tmp/web/ha.cf"

# Broken ha.cf: two errors appended at the end; exit 1, both reported with their lines.
cp -r "$tmp/web" "$tmp/broken"
printf 'deadtime 3O\nbogus_directive 1\n' >>"$tmp/broken/ha.cf"
lines=$(wc -l <"$conf/web/ha.cf")
set +e
"$hamaster" -t --config "$tmp/broken" --node web1 >"$tmp/out" 2>"$tmp/err"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "broken ha.cf: exit $rc, expected 1"
grep -q "ha.cf:$((lines + 1)): error: deadtime" "$tmp/err" || { cat "$tmp/err" >&2; fail "broken ha.cf: no ha.cf:LINE: error: deadtime"; }
grep -q "ha.cf:$((lines + 2)): error: Illegal directive \[bogus_directive\]" "$tmp/err" || { cat "$tmp/err" >&2; fail "broken: second error missing"; }
[ ! -s "$tmp/out" ] || fail "broken ha.cf: summary printed"

# Readable authkeys: refused like Heartbeat.
chmod 644 "$tmp/web/authkeys"
if "$hamaster" -t --config "$tmp/web" --node web1 >/dev/null 2>"$tmp/err"; then fail "0644 authkeys accepted"; fi
grep -q "Bad permissions on keyfile" "$tmp/err" || fail "0644 authkeys: message missing"

# Node not in the configuration.
chmod 600 "$tmp/web/authkeys"
if "$hamaster" -t --config "$tmp/web" --node db1 >/dev/null 2>"$tmp/err"; then fail "unknown node accepted"; fi
grep -q "error: Current node \[db1\] not in configuration!" "$tmp/err" || fail "unknown node: message missing"
echo "config_test: ok"
