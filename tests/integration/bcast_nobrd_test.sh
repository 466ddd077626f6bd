#!/usr/bin/env bash
# bcast on an interface whose address has no broadcast address (issue 19 item 6).
#
#   usage: bcast_nobrd_test.sh BIN_DIR
#
# Two private network namespaces made here ($P-a, $P-b, P=hbn$$), joined by a veth pair:
#   a: veth0 198.51.100.1/24 added WITHOUT `brd`   b: veth1 198.51.100.2/24 brd +
# heartbeatd-net runs in `a` with the stdio test bus and `--bcast veth0`; a UDP listener in `b`
# must receive its signed status messages, sent to the directed broadcast 198.51.100.255 (before
# the fix it sent them to 198.51.100.1, itself, and `b` heard nothing). Then the address is made a
# /32, which has no broadcast address: heartbeatd-net must refuse to start with an error naming
# veth0. Only RFC 5737 addresses, only inside the namespaces; both are deleted on exit.
# Needs root and `ip netns`; otherwise skipped (77).
set -uo pipefail

BIN=${1:?usage: bcast_nobrd_test.sh BIN_DIR}
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root"; exit 77; }
command -v ip >/dev/null && command -v python3 >/dev/null || { echo "SKIP: needs ip and python3"; exit 77; }

P=hbn$$
A=$P-a
B=$P-b
DIR=$(mktemp -d /tmp/ha-bcast-XXXXXX)
PORT=$((20000 + $$ % 30000))
PIDS=()
fail=0

cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$A" 2>/dev/null
  ip netns del "$B" 2>/dev/null
  if [ "$fail" -eq 0 ]; then rm -rf "$DIR"; else echo "kept $DIR"; fi
}
trap cleanup EXIT

ip netns add "$A" || { echo "SKIP: cannot create a network namespace"; exit 77; }
ip netns add "$B" || exit 1
ip -n "$A" link add veth0 type veth peer name veth1 netns "$B" || exit 1
ip -n "$A" link set lo up
ip -n "$B" link set lo up
ip -n "$A" addr add 198.51.100.1/24 dev veth0      # no brd: the case under test
ip -n "$B" addr add 198.51.100.2/24 brd + dev veth1
ip -n "$A" link set veth0 up
ip -n "$B" link set veth1 up

mkdir -p "$DIR/run" "$DIR/log"
printf 'auth 1\n1 md5 bcast-secret\n' > "$DIR/authkeys"
chmod 600 "$DIR/authkeys"

# The listener in b: the first datagram on PORT, written to $DIR/heard.
ip netns exec "$B" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.settimeout(20)
data, src = s.recvfrom(65536)
open(sys.argv[2], "wb").write(data + b"\nfrom=" + src[0].encode() + b"\n")
' "$PORT" "$DIR/heard" &
PIDS+=($!)
LISTENER=$!
sleep 0.3

# heartbeatd-net in a, fed a status message every 100 ms on its stdio bus.
feed() {
  local i
  for i in $(seq 1 100); do
    printf '>>>\nt=status\nst=active\nsrc=web1\nseq=%x\nhg=1\nts=%x\nld=0.00 0.00 0.00 1/1 1\nttl=3\n<<<\n' "$i" "$(date +%s)"
    sleep 0.1
  done
}
feed | ip netns exec "$A" "$BIN/heartbeatd-net" --node web1 --config "$DIR" --run-dir "$DIR/run" \
  --log-dir "$DIR/log" --stdio-bus --nodes web1,web2 --udpport "$PORT" --bcast veth0 >"$DIR/stdout" 2>"$DIR/stderr" &
PIDS+=($!)

wait "$LISTENER"
if [ -s "$DIR/heard" ] && grep -q 't=status' "$DIR/heard" && grep -q 'src=web1' "$DIR/heard" && grep -q '^from=198.51.100.1$' "$DIR/heard"; then
  echo "ok: the peer namespace heard the status message on the no-brd bcast link"
else
  echo "FAIL: nothing heard in $B on port $PORT"; fail=1
fi
if grep -q "bcast veth0 on port $PORT, sending to 198.51.100.255:$PORT" "$DIR/log/heartbeatd-net.log"; then
  echo "ok: sends to the directed broadcast 198.51.100.255"
else
  echo "FAIL: not sending to 198.51.100.255"; fail=1
fi
if grep -q "sending to 198.51.100.1:" "$DIR/log/heartbeatd-net.log"; then
  echo "FAIL: sends to its own address"; fail=1
fi
grep -q "bcast veth0: the interface's address has no broadcast address set; sending to 198.51.100.255" \
  "$DIR/log/heartbeatd-net.log" && echo "ok: the derived address is logged" || { echo "FAIL: no WARN about the derived address"; fail=1; }
kill "${PIDS[-1]}" 2>/dev/null; wait "${PIDS[-1]}" 2>/dev/null

# A /32 has no broadcast address at all: refuse, naming the interface.
ip -n "$A" addr del 198.51.100.1/24 dev veth0
ip -n "$A" addr add 198.51.100.1/32 dev veth0
rm -f "$DIR/log/heartbeatd-net.log"
timeout 10 ip netns exec "$A" "$BIN/heartbeatd-net" --node web1 --config "$DIR" --run-dir "$DIR/run" \
  --log-dir "$DIR/log" --stdio-bus --nodes web1,web2 --udpport "$PORT" --bcast veth0 </dev/null >"$DIR/stdout32" 2>"$DIR/stderr32"
rc=$?
if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] && grep -q "bcast veth0: 198.51.100.1 (netmask 255.255.255.255) has no broadcast address" \
    "$DIR/log/heartbeatd-net.log" "$DIR/stderr32" 2>/dev/null; then
  echo "ok: /32 refused (exit $rc) with an error naming veth0"
else
  echo "FAIL: /32 not refused clearly (exit $rc)"; cat "$DIR/log/heartbeatd-net.log" "$DIR/stderr32" 2>/dev/null; fail=1
fi

[ "$fail" -eq 0 ] || { echo "--- heartbeatd-net.log"; cat "$DIR/log/heartbeatd-net.log" 2>/dev/null; exit 1; }
echo "PASS"
