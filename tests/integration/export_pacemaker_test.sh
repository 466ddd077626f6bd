#!/usr/bin/env bash
# export_pacemaker_test.sh HAMASTER SOURCE_DIR — `hamaster export pacemaker` on the seed's configs
# (conf/web, conf/serial — the lab's /etc/ha.d is a copy of conf/web — and the loopback config of the
# two-node fixture) and on hand-written ones (bcast + mcast, crc, auto_failback legacy, Heartbeat
# wrappers, OCF and LSB agents, respawn, ping_group, markup in a parameter). Each CIB must pass
# `crm_verify --xml-file` (Debian's pacemaker-cli-utils) and Pacemaker's RELAX NG schema (xmllint);
# each corosync.conf must pass `corosync -t` (corosync 3.1: parse and check the config, exit; it
# starts nothing) inside a private network namespace (unshare -n) where the node's ring addresses
# exist on lo — corosync -t insists on finding the local node. A broken copy of each proves both
# checkers fail. Skipped (77) without crm_verify; the corosync part needs root, unshare and corosync.
set -euo pipefail
hamaster=$1
src=$2
command -v crm_verify >/dev/null || { echo "SKIP: crm_verify missing (Debian package pacemaker-cli-utils)"; exit 77; }
schema=""
if command -v xmllint >/dev/null && [ -f /usr/share/pacemaker/pacemaker-3.0.rng ]; then schema=/usr/share/pacemaker/pacemaker-3.0.rng; fi
corosync_ok=0
if [ "$(id -u)" -eq 0 ] && command -v corosync >/dev/null && command -v unshare >/dev/null && unshare -n true 2>/dev/null; then
  corosync_ok=1
else
  echo "note: corosync -t not run (needs root, unshare and Debian's corosync)"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
wrap=(env)

# corosync -t on CONF as the node whose ring addresses are ADDR... (added to lo in a new netns).
corosync_check() {
  local conf=$1 key=$2; shift 2
  local copy=$tmp/corosync-check.conf
  # The exported file points at /etc/corosync/authkey; the check reads the exported one.
  if [ -n "$key" ]; then sed "s|^    crypto_hash: .*|&\n    keyfile: $key|" "$conf" >"$copy"; else cp "$conf" "$copy"; fi
  # shellcheck disable=SC2016  # expanded by the inner bash
  unshare -n bash -c 'ip link set lo up; for a in "${@:2}"; do ip addr add "$a/32" dev lo; done; corosync -t -c "$1"' _ "$copy" "$@" >"$tmp/corosync.out" 2>&1
}

# export NAME DIR NODE [--extra-args...]: runs the export (under "${wrap[@]}" when set), checks the outputs, leaves them in $tmp/out-NAME.
export_and_check() {
  local name=$1 dir=$2 node=$3; shift 3
  local out=$tmp/out-$name
  "${wrap[@]}" "$hamaster" export pacemaker --config "$dir" --node "$node" --output "$out" "$@" >"$tmp/$name.stdout" 2>"$tmp/$name.stderr" ||
    { cat "$tmp/$name.stderr" >&2; fail "$name: export exited $?"; }
  for f in corosync.conf cib.xml; do [ -s "$out/$f" ] || fail "$name: no $f"; done
  crm_verify --xml-file "$out/cib.xml" -V >"$tmp/crm_verify.out" 2>&1 || { cat "$tmp/crm_verify.out" "$out/cib.xml" >&2; fail "$name: crm_verify refused the CIB"; }
  [ ! -s "$tmp/crm_verify.out" ] || { cat "$tmp/crm_verify.out" >&2; fail "$name: crm_verify had something to say"; }
  if [ -n "$schema" ]; then
    xmllint --noout --relaxng "$schema" "$out/cib.xml" 2>"$tmp/xmllint.out" || { cat "$tmp/xmllint.out" >&2; fail "$name: not valid pacemaker-3.0"; }
  fi
  echo "ok: $name exported as $node, crm_verify clean ($(grep -c '<primitive' "$out/cib.xml") primitives)"
}

# The addresses of NODE's ring0..N in an exported corosync.conf.
ring_addrs() { awk -v n="$2" '$1=="name:"{cur=$2} cur==n && $1 ~ /^ring[0-9]+_addr:$/ {print $2}' "$1"; }

check_corosync() {
  local name=$1 node=$2
  local out=$tmp/out-$name key=""
  [ "$corosync_ok" -eq 1 ] || return 0
  [ -f "$out/authkey" ] && key=$out/authkey
  # shellcheck disable=SC2046
  corosync_check "$out/corosync.conf" "$key" $(ring_addrs "$out/corosync.conf" "$node") ||
    { cat "$tmp/corosync.out" "$out/corosync.conf" >&2; fail "$name: corosync -t refused corosync.conf"; }
  echo "ok: $name corosync -t clean as $node"
}

# --- the seed's configs ------------------------------------------------------------------------
for sample in web serial; do
  cp -rL "$src/conf/$sample" "$tmp/$sample"
  chmod 600 "$tmp/$sample/authkeys"
  for node in web1 web2; do
    export_and_check "$sample-$node" "$tmp/$sample" "$node"
    check_corosync "$sample-$node" "$node"
  done
done
out=$tmp/out-web-web1
grep -q '<rsc_location id="prefer-group_ip_192.0.2.100" rsc="group_ip_192.0.2.100" node="web1" score="100"/>' "$out/cib.xml" || fail "web: no preference for web1"
grep -q 'score-attribute="pingd"' "$out/cib.xml" || fail "web: no ping rule for ipfail"
if [ "$(stat -c %a "$out/authkey")" != 400 ] || [ "$(stat -c %s "$out/authkey")" != 256 ]; then fail "web: authkey not 256 bytes mode 0400"; fi
cmp -s "$out/authkey" "$tmp/out-web-web2/authkey" || fail "web: the nodes derived different authkeys"
grep -q 'authkey' "$tmp/web-web1.stdout" || fail "web: stdout does not list the authkey"
grep -q "ha.cf:[0-9]*: warning: serial /dev/ttyS0: not carried over" "$tmp/serial-web1.stderr" || { cat "$tmp/serial-web1.stderr" >&2; fail "serial: the cable is not warned with its line"; }
grep -q 'name="resource-stickiness" value="200"' "$tmp/out-serial-web1/cib.xml" || fail "serial: auto_failback off without stickiness"
grep -q 'value="192.0.2.1 203.0.113.1"' "$tmp/out-serial-web1/cib.xml" || fail "serial: ping_group hosts missing"

# The two-node fixture's config (tests/integration/fixture/cluster.cpp): ucast on lo, 127.0.0.2/3.
mkdir -p "$tmp/fixture/resource.d"
printf 'keepalive 200ms\ndeadtime 2\ninitdead 4\nudpport 7694\nucast lo 127.0.0.2\nucast lo 127.0.0.3\nauto_failback on\nnode web1 web2\nrealtime off\n' >"$tmp/fixture/ha.cf"
printf 'web1 svc\n' >"$tmp/fixture/haresources"
printf 'auth 1\n1 md5 fixture-key\n' >"$tmp/fixture/authkeys"; chmod 600 "$tmp/fixture/authkeys"
printf '#!/bin/sh\necho running\n' >"$tmp/fixture/resource.d/svc"; chmod 755 "$tmp/fixture/resource.d/svc"
export_and_check fixture "$tmp/fixture" web1
check_corosync fixture web1
grep -q '        ring0_addr: 127.0.0.2' "$tmp/out-fixture/corosync.conf" || fail "fixture: web1 is not 127.0.0.2"
grep -q '    token: 2000' "$tmp/out-fixture/corosync.conf" || fail "fixture: token is not deadtime"

# --- hand-written configs ------------------------------------------------------------------------
# Every agent kind, markup in a parameter value, bcast + mcast, crc, legacy failback, respawn.
hw=$tmp/handwritten
mkdir -p "$hw/resource.d" "$tmp/init.d" "$tmp/ocf/resource.d/heartbeat"
cat >"$hw/ha.cf" <<'EOF'
keepalive 500ms
deadtime 5
initdead 20
bcast eth0
mcast eth2 239.0.0.1 694 1 0
node alpha beta
ping_group routers 192.0.2.1 203.0.113.1
respawn root /usr/lib/heartbeat/ipfail
respawn root /usr/local/bin/site-check
cluster db-pair
EOF
cat >"$hw/haresources" <<'EOF'
alpha 192.0.2.50/24/eth0/192.0.2.255 Filesystem::/dev/sdb1::/srv/db::ext4::noatime ocf:heartbeat:apache::configfile=/etc/a&b<"c">.conf postgresql
beta IPaddr2::192.0.2.51 MailTo::ops@example.org::db-pair site-script
EOF
printf 'auth 2\n2 crc\n' >"$hw/authkeys"; chmod 600 "$hw/authkeys"
for s in Filesystem MailTo site-script; do printf '#!/bin/sh\n' >"$hw/resource.d/$s"; chmod 755 "$hw/resource.d/$s"; done
printf '#!/bin/sh\n' >"$tmp/init.d/postgresql"; chmod 755 "$tmp/init.d/postgresql"
printf '#!/bin/sh\n' >"$tmp/ocf/resource.d/heartbeat/apache"; chmod 755 "$tmp/ocf/resource.d/heartbeat/apache"
# On "alpha" itself: a private netns whose eth0 and eth2 hold alpha's addresses, so the export
# fills in alpha's ring addresses from its interfaces (and the host's own interfaces play no part).
if [ "$corosync_ok" -eq 1 ]; then
  # shellcheck disable=SC2016  # expanded by the inner bash
  wrap=(unshare -n bash -c 'ip link add eth0 type veth peer name eth0p && ip link add eth2 type veth peer name eth2p &&
        ip addr add 192.0.2.11/24 dev eth0 && ip addr add 203.0.113.11/24 dev eth2 && exec "$@"' _)
fi
export_and_check handwritten "$hw" alpha --init-dir "$tmp/init.d" --ocf-root "$tmp/ocf"
wrap=(env)
o=$tmp/out-handwritten
e=$tmp/handwritten.stderr
grep -q 'value="/etc/a&amp;b&lt;&quot;c&quot;&gt;.conf"' "$o/cib.xml" || fail "handwritten: parameter not escaped"
grep -q 'name="options" value="noatime"' "$o/cib.xml" || fail "handwritten: Filesystem options not mapped"
grep -q '<primitive id="postgresql" class="lsb" type="postgresql"/>' "$o/cib.xml" || fail "handwritten: LSB not mapped"
grep -q 'cluster_name: db-pair' "$o/corosync.conf" || fail "handwritten: cluster name"
grep -q 'crypto_cipher: none' "$o/corosync.conf" || fail "handwritten: crc should turn crypto off"
[ ! -e "$o/authkey" ] || fail "handwritten: an authkey for crc"
for w in "authkeys:2: warning: crc authenticates nothing" "ha.cf:4: warning: bcast eth0: knet links are unicast" \
         "ha.cf:5: warning: mcast eth2 239.0.0.1: knet links are unicast" "ha.cf:7: warning: ping_group routers" \
         "ha.cf:9: warning: respawn root /usr/local/bin/site-check: not carried over" "ha.cf: warning: auto_failback legacy" \
         "haresources:2: warning: resource.d/site-script" "cib.xml: warning: stonith-enabled=false"; do
  grep -qF "$w" "$e" || { cat "$e" >&2; fail "handwritten: no warning \"$w\""; }
done
if [ "$corosync_ok" -eq 1 ]; then
  # As the warning says: the peer's ring addresses are its name until the operator fills them in.
  [ "$(ring_addrs "$o/corosync.conf" alpha | tr '\n' ' ')" = "192.0.2.11 203.0.113.11 " ] ||
    { cat "$o/corosync.conf" >&2; fail "handwritten: alpha's ring addresses are not its interfaces'"; }
  sed -i -e 's/ring0_addr: beta/ring0_addr: 192.0.2.12/' -e 's/ring1_addr: beta/ring1_addr: 203.0.113.12/' "$o/corosync.conf"
  corosync_check "$o/corosync.conf" "" 192.0.2.11 203.0.113.11 || { cat "$tmp/corosync.out" >&2; fail "handwritten: corosync -t refused"; }
  echo "ok: handwritten corosync -t clean as alpha (peer addresses filled in)"
  # The checkers do refuse a broken file.
  sed 's/crypto_hash: none/crypto_hash: md4/' "$o/corosync.conf" >"$tmp/broken.conf"
  if corosync_check "$tmp/broken.conf" "" 192.0.2.11 203.0.113.11; then fail "corosync -t accepted a bad crypto_hash"; fi
fi
sed 's/class="lsb"/class="nonsense"/' "$o/cib.xml" >"$tmp/broken.xml"
if crm_verify --xml-file "$tmp/broken.xml" >/dev/null 2>&1; then fail "crm_verify accepted a bad resource class"; fi

# A config error: exit 1, the error with its line, nothing written.
cp -r "$tmp/web" "$tmp/bad"
echo "deadtime 3O" >>"$tmp/bad/ha.cf"
set +e
"$hamaster" export pacemaker --config "$tmp/bad" --node web1 --output "$tmp/out-bad" >/dev/null 2>"$tmp/bad.stderr"
rc=$?
set -e
[ "$rc" -eq 1 ] || fail "bad config: exit $rc, expected 1"
grep -q "ha.cf:[0-9]*: error: deadtime" "$tmp/bad.stderr" || { cat "$tmp/bad.stderr" >&2; fail "bad config: no file:line error"; }
[ ! -e "$tmp/out-bad" ] || fail "bad config: something was written"
echo "PASS"
