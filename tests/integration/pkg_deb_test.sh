#!/usr/bin/env bash
# pkg_deb_test.sh BUILD_DIR — build the Debian package with CPack and check it, then install,
# query, remove and purge it in a scratch root, without touching the host.
#
# 1. `cpack -G DEB` (output in a temp dir, not in BUILD_DIR) -> hamaster_<version>_<arch>.deb
# 2. `dpkg-deb -c`: every path of BUILD_DIR/packaging/pkg_expected_paths.txt (what the install
#    rules put in for the targets that exist), executables 0755, owner root, no build-tree paths.
# 3. `dpkg-deb -f/-e`: Package, Version, Architecture, Section admin, Depends computed by
#    dpkg-shlibdeps (libc6 and the linked libraries) plus passwd, Conflicts heartbeat,
#    conffiles, maintainer scripts.
# 4. In `unshare --mount --pid --net --ipc --uts --fork`: a tmpfs, an overlayfs with / as the
#    read-only lower layer and the upper layer in that tmpfs, chroot into it; there:
#    dpkg -i; files, haclient/hacluster, directory modes, conffiles registered, the binaries run;
#    init script: status 3 (stopped), start without ha.cf 6 (not configured), reload 7, unknown
#    action 2, stop when stopped 0; with a stand-in `hamaster` process: status 0, reload with a
#    broken config 6 (no signal sent), reload with the sample config (SIGHUP arrives), stop (SIGTERM,
#    pid file removed); dpkg -r (binaries gone, conffiles kept), dpkg -P (all gone, user kept).
#    Nothing runs in the host's network or pid namespace, and every write lands in the tmpfs.
# 5. The host's dpkg database, passwd/group and install paths are unchanged afterwards.
#
# Exit 77 (ctest SKIP_RETURN_CODE) when not root or a needed tool is missing.
set -uo pipefail

BUILD_DIR=${1:?usage: pkg_deb_test.sh BUILD_DIR}
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (unshare, mount, chroot)"
for tool in cpack dpkg dpkg-deb dpkg-shlibdeps unshare chroot mount; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool not found (dpkg-dev, util-linux)"
done
grep -qw overlay /proc/filesystems || modprobe overlay 2>/dev/null
grep -qw overlay /proc/filesystems || skip "no overlayfs in this kernel"
[ -f "$BUILD_DIR/CPackConfig.cmake" ] || { echo "FAIL: $BUILD_DIR/CPackConfig.cmake missing (not configured?)"; exit 1; }
EXPECTED_LIST=$BUILD_DIR/packaging/pkg_expected_paths.txt
[ -f "$EXPECTED_LIST" ] || { echo "FAIL: $EXPECTED_LIST missing"; exit 1; }

WORK=$(mktemp -d /tmp/hamaster-pkg-test.XXXXXX)
cleanup() {
    # The scratch mounts live in the child's mount namespace and vanish with it; only files here.
    rm -rf "$WORK"
}
trap cleanup EXIT

failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION COMMAND...
    local what=$1; shift
    if "$@"; then ok "$what"; else fail "$what"; fi
}

# ---- 1. build the package ------------------------------------------------------------------
echo "== cpack -G DEB ($BUILD_DIR)"
if ! (cd "$BUILD_DIR" && cpack -G DEB -B "$WORK/out") >"$WORK/cpack.log" 2>&1; then
    cat "$WORK/cpack.log"
    echo "FAIL cpack -G DEB"
    exit 1
fi
arch=$(dpkg --print-architecture)
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD_DIR/CPackConfig.cmake")
deb=$WORK/out/hamaster_${version}_${arch}.deb
if [ -z "$version" ] || [ ! -f "$deb" ]; then
    ls -l "$WORK/out"
    echo "FAIL expected package hamaster_${version}_${arch}.deb"
    exit 1
fi
ok "package built: $(basename "$deb") ($(stat -c %s "$deb") bytes)"

# ---- 2. contents ---------------------------------------------------------------------------
echo "== dpkg-deb -c"
dpkg-deb -c "$deb" >"$WORK/contents.txt"
# "-rwxr-xr-x root/root 12345 2026-11-29 03:30 ./usr/sbin/hamaster" -> mode owner path
awk '{print $1, $2, $6}' "$WORK/contents.txt" | sed 's| \./| /|; s|\(.*\) -> .*|\1|' >"$WORK/paths.txt"
while IFS= read -r path; do
    [ -n "$path" ] || continue
    if grep -q " ${path}\$" "$WORK/paths.txt"; then ok "contains $path"; else fail "missing $path"; fi
done <"$EXPECTED_LIST"
while IFS= read -r path; do
    case $path in
        /usr/sbin/*|/usr/bin/*|/usr/lib/hamaster/*|/etc/init.d/*)
            if grep -q "^-rwxr-xr-x root/root ${path}\$" "$WORK/paths.txt"; then ok "$path is 0755 root"
            else fail "$path mode/owner: $(grep " ${path}\$" "$WORK/paths.txt")"; fi ;;
    esac
done <"$EXPECTED_LIST"
check "no build-tree paths or CPack leftovers" \
    bash -c "! grep -E '/(work|tmp|home|build)/|_CPack|CMakeFiles' '$WORK/paths.txt'"
check "all files owned by root/root" bash -c "! awk '\$2 != \"root/root\"' '$WORK/paths.txt' | grep -q ."
check "sample symlink serial/resource.d/nginx kept" \
    grep -q '\./usr/share/doc/hamaster/examples/serial/resource.d/nginx -> ' "$WORK/contents.txt"

# ---- 3. control ----------------------------------------------------------------------------
echo "== dpkg-deb -I"
dpkg-deb -I "$deb" >"$WORK/info.txt"
field() { dpkg-deb -f "$deb" "$1"; }
check "Package: hamaster" test "$(field Package)" = hamaster
check "Version: $version" test "$(field Version)" = "$version"
check "Architecture: $arch" test "$(field Architecture)" = "$arch"
check "Section: admin" test "$(field Section)" = admin
depends=$(field Depends)
echo "     Depends: $depends"
check "Depends computed by dpkg-shlibdeps (libc6 with version)" bash -c "grep -Eq 'libc6 \\(>= [0-9.]+\\)' <<<'$depends'"
check "Depends lists passwd (useradd in postinst)" bash -c "grep -Eq '(^|, )passwd(,|$| )' <<<'$depends'"
for lib in libzmq5 libstdc\\+\\+6; do
    check "Depends has $lib" bash -c "grep -Eq '(^|, )$lib( |,|$)' <<<'$depends'"
done
check "Conflicts: heartbeat" test "$(field Conflicts)" = heartbeat
mkdir -p "$WORK/control"
dpkg-deb -e "$deb" "$WORK/control"
for f in /etc/init.d/hamaster /etc/logrotate.d/hamaster /etc/default/hamaster; do
    check "conffile $f" grep -qx "$f" "$WORK/control/conffiles"
done
while IFS= read -r f; do
    check "conffile $f is in the package" grep -q " ${f}\$" "$WORK/paths.txt"
done <"$WORK/control/conffiles"
for s in postinst prerm postrm; do
    check "maintainer script $s, executable" test -x "$WORK/control/$s"
done

# ---- 4. install / remove / purge in a scratch root -----------------------------------------
echo "== scratch root: overlayfs over / in a private mount, pid and network namespace"
snapshot() {  # host state that must not change
    {
        sha256sum /var/lib/dpkg/status /etc/passwd /etc/group /etc/shadow 2>/dev/null
        for p in /usr/sbin/hamaster /usr/bin/cl_status /usr/lib/hamaster /etc/init.d/hamaster \
                 /etc/default/hamaster /etc/logrotate.d/hamaster /lib/systemd/system/hamaster.service \
                 /var/lib/hamaster /var/log/hamaster /etc/ha.d; do
            if [ -e "$p" ] || [ -L "$p" ]; then echo "exists $p"; else echo "absent $p"; fi
        done
    } >"$1"
}
snapshot "$WORK/host.before"

cat >"$WORK/inside.sh" <<'INSIDE'
#!/bin/bash
# Runs as root in the scratch root (chroot), pid 1's child in a fresh pid namespace, no network.
set -uo pipefail
failures=0
ok() { echo "ok   $*"; }
fail() { echo "FAIL $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }
rc_is() {  # rc_is WANT DESCRIPTION COMMAND...
    local want=$1 what=$2; shift 2
    local out rc
    out=$("$@" 2>&1); rc=$?
    if [ "$rc" -eq "$want" ]; then ok "$what -> $rc"; else fail "$what -> $rc (want $want): $out"; fi
}
EXPECTED=/tmp/expected.txt
export DEBIAN_FRONTEND=noninteractive

# The host may have Debian's heartbeat (scripts/setup installs it as the interop reference peer).
# hamaster Conflicts with it (same tool names), so remove it here: this root is a scratch overlay.
if dpkg -s heartbeat >/dev/null 2>&1; then
    dpkg --remove --force-depends heartbeat >/tmp/dpkg-r-heartbeat.log 2>&1 || { cat /tmp/dpkg-r-heartbeat.log; fail "remove heartbeat in the scratch root"; }
fi
hacluster_before=no
getent passwd hacluster >/dev/null && hacluster_before=yes
# Files another package left in /etc/ha.d (heartbeat's, removed above without purge) stay: dpkg
# removes /etc/ha.d only when it is empty.
etc_ha_d_foreign=no
[ -n "$(ls -A /etc/ha.d 2>/dev/null)" ] && etc_ha_d_foreign=yes
check "heartbeat package absent in the scratch root (Conflicts)" bash -c '! dpkg -s heartbeat >/dev/null 2>&1 || dpkg -s heartbeat | grep -q "Status: deinstall"'
if ! dpkg -i /tmp/hamaster.deb >/tmp/dpkg-i.log 2>&1; then
    cat /tmp/dpkg-i.log; fail "dpkg -i"; exit 1
fi
ok "dpkg -i"
cp /etc/default/hamaster /tmp/default.orig
check "dpkg status: install ok installed" \
    bash -c '[ "$(dpkg-query -W -f="\${Status}" hamaster)" = "install ok installed" ]'
conffiles=$(dpkg-query -W -f='${Conffiles}' hamaster)
for f in /etc/init.d/hamaster /etc/logrotate.d/hamaster /etc/default/hamaster; do
    check "dpkg registered conffile $f" grep -q " $f " <<<"$conffiles "
done
while IFS= read -r p; do
    [ -n "$p" ] || continue
    check "installed $p" test -e "$p"
done <"$EXPECTED"
check "nothing auto-started (no pid file)" test ! -e /run/hamaster/hamaster.pid
check "not enabled at boot (no rc2.d link)" bash -c '! ls /etc/rc2.d/S*hamaster >/dev/null 2>&1'
check "group haclient (system)" bash -c 'gid=$(getent group haclient | cut -d: -f3) && [ "$gid" -lt 1000 ]'
# A hacluster user made earlier (e.g. by Debian's pacemaker) is kept as it is: only its group is checked.
if [ "$hacluster_before" = yes ]; then want_home=""; else want_home=/var/lib/hamaster; fi
export want_home
check "user hacluster (system, group haclient)" \
    bash -c 'IFS=: read -r _ _ uid gid _ home shell < <(getent passwd hacluster) && [ "$uid" -lt 1000 ] &&
             [ "$gid" = "$(getent group haclient | cut -d: -f3)" ] && { [ -z "$want_home" ] || [ "$home" = "$want_home" ]; }'
check "/etc/ha.d is a directory" test -d /etc/ha.d
check "/var/lib/hamaster mode 700" bash -c '[ "$(stat -c %a /var/lib/hamaster)" = 700 ]'
check "/var/log/hamaster mode 750" bash -c '[ "$(stat -c %a /var/log/hamaster)" = 750 ]'
for b in /usr/sbin/hamaster /usr/bin/* /usr/lib/hamaster/*; do
    case $b in /usr/sbin/hamaster|/usr/lib/hamaster/*|/usr/bin/cl_status|/usr/bin/hb_standby|/usr/bin/hb_takeover) ;; *) continue ;; esac
    [ -e "$b" ] || continue
    check "$b: every shared library resolves" bash -c "! ldd '$b' | grep -q 'not found'"
done
rc_is 0 "hamaster --help" /usr/sbin/hamaster --help
rc_is 1 "hamaster -t without /etc/ha.d/ha.cf" /usr/sbin/hamaster -t --node web1
if command -v systemd-analyze >/dev/null; then
    out=$(systemd-analyze verify /lib/systemd/system/hamaster.service 2>&1)
    check "systemd-analyze verify hamaster.service: no complaints" test -z "$out"
    [ -z "$out" ] || echo "$out"
fi
if command -v logrotate >/dev/null; then
    check "logrotate -d accepts /etc/logrotate.d/hamaster" logrotate -d -s /tmp/lr.state /etc/logrotate.d/hamaster
fi
check "man -l ha.cf.5 renders" bash -c 'command -v man >/dev/null || exit 0; MANPAGER=cat man -l /usr/share/man/man5/ha.cf.5 | grep -q autojoin'

for page in man1/hb_standby.1 man1/hb_takeover.1 man1/cl_status.1 man8/hamaster.8; do
    check "man -l $page renders" bash -c "command -v man >/dev/null || exit 0; MANPAGER=cat man -l /usr/share/man/$page | grep -q 'EXIT STATUS\|SEE ALSO'"
done
# The tools with no hamaster running, and with bad arguments (compat spec §10.2 usage rule).
for tool in hb_standby hb_takeover; do
    rc_is 2 "$tool with no hamaster running" /usr/bin/$tool
    rc_is 1 "$tool bogus-kind (usage)" /usr/bin/$tool bogus-kind
    rc_is 1 "$tool all local (one argument at most)" /usr/bin/$tool all local
done
rc_is 1 "cl_status hbstatus with no hamaster running" /usr/bin/cl_status hbstatus

# init script, nothing running
init=/etc/init.d/hamaster
rc_is 3 "$init status (stopped)" $init status
rc_is 3 "service hamaster status (stopped)" service hamaster status
rc_is 0 "$init stop when stopped" $init stop
rc_is 6 "$init start without ha.cf (not configured)" $init start
check "start without config left no pid file" test ! -e /run/hamaster/hamaster.pid
rc_is 7 "$init reload when stopped" $init reload
rc_is 2 "$init bogus-action" $init bogus-action

# A stand-in master: a script named hamaster (so /proc/PID/comm says hamaster) that records
# SIGHUP and exits on SIGTERM. It lives only in this pid namespace.
mkdir -p /tmp/fake /run/hamaster
cat >/tmp/fake/hamaster <<'EOF'
#!/bin/bash
trap 'echo hup >>/tmp/fake/signals' HUP
trap 'echo term >>/tmp/fake/signals; exit 0' TERM
while :; do sleep 0.2; done
EOF
chmod 755 /tmp/fake/hamaster
/tmp/fake/hamaster </dev/null >/dev/null 2>&1 &
fake=$!
sleep 0.5
echo "$fake" >/run/hamaster/hamaster.pid
rc_is 0 "$init status (stand-in running)" $init status
rc_is 0 "$init start when running" $init start
rc_is 6 "$init reload with no config (refused by hamaster -t)" $init reload
check "no SIGHUP after a refused reload" test ! -e /tmp/fake/signals
cp -rL /usr/share/doc/hamaster/examples/web/. /etc/ha.d/
chmod 600 /etc/ha.d/authkeys
echo 'HAMASTER_OPTS="--node web1"' >>/etc/default/hamaster
rc_is 0 "hamaster -t on the installed sample (--node web1)" /usr/sbin/hamaster -t --node web1
rc_is 0 "$init reload with the sample config" $init reload
sleep 0.5
check "stand-in got SIGHUP" grep -qx hup /tmp/fake/signals
rc_is 0 "$init stop (stand-in)" $init stop
check "stand-in got SIGTERM and exited" bash -c "grep -qx term /tmp/fake/signals && ! kill -0 $fake 2>/dev/null"
check "stop removed the pid file" test ! -e /run/hamaster/hamaster.pid
# The real daemon, one node (web1) alone on lo: start, status, reload, stop through the script.
if command -v ip >/dev/null; then ip link set lo up; fi
cat >/etc/ha.d/ha.cf <<'CF'
keepalive 200ms
deadtime 2
initdead 4
udpport 6694
ucast lo 127.0.0.3
auto_failback on
node web1 web2
realtime off
CF
: >/etc/ha.d/haresources
printf 'auth 1\n1 sha1 pkg-test-key\n' >/etc/ha.d/authkeys
chmod 600 /etc/ha.d/authkeys
echo 'HAMASTER_OPTS="--node web1 --bind 127.0.0.2"' >>/etc/default/hamaster
rc_is 0 "$init start (real hamaster)" $init start
pid=$(cat /run/hamaster/hamaster.pid 2>/dev/null)
check "pid file names a live hamaster" bash -c "[ -n '$pid' ] && [ \"\$(cat /proc/$pid/comm)\" = hamaster ]"
check "/run/hamaster is mode 700" bash -c '[ "$(stat -c %a /run/hamaster)" = 700 ]'
rc_is 0 "$init status (real hamaster)" $init status
if [ -x /usr/bin/cl_status ]; then
    rc_is 0 "cl_status hbstatus (real hamaster)" cl_status hbstatus
fi
rc_is 0 "$init reload (real hamaster)" $init reload
sleep 0.5
check "hamaster still running after reload" kill -0 "$pid"
rc_is 0 "$init stop (real hamaster)" $init stop
check "hamaster gone after stop" bash -c "! kill -0 '$pid' 2>/dev/null"
check "no hamaster process or child left" \
    bash -c '! grep -qxE "hamaster|heartbeatd-net|heartbeatd-serial|ipfaild|rscd" /proc/[0-9]*/comm 2>/dev/null'
rc_is 3 "$init status after stop" $init status
echo 99999 >/run/hamaster/hamaster.pid
rc_is 1 "$init status with a stale pid file" $init status
rm -f /run/hamaster/hamaster.pid
rm -rf /etc/ha.d/*

# The seed's three files, unchanged (the packaged web example: ucast on eth1, ping 192.0.2.1,
# `respawn hacluster /usr/lib64/heartbeat/ipfail`, VIP on eth0), and no flags at all: the node
# name comes from `uname -n` (this UTS namespace), every path is the default. eth0/eth1 are veth
# pairs inside this private network namespace, so whatever hamaster sends goes nowhere else.
cp /tmp/default.orig /etc/default/hamaster
hostname web1
for i in 0 1; do ip link add eth$i type veth peer name peer$i && ip link set eth$i up && ip link set peer$i up; done
ip addr add 192.0.2.11/24 dev eth0
ip addr add 198.51.100.11/24 dev eth1
cp /usr/share/doc/hamaster/examples/web/ha.cf /usr/share/doc/hamaster/examples/web/haresources \
   /usr/share/doc/hamaster/examples/web/authkeys /etc/ha.d/
chmod 600 /etc/ha.d/authkeys
ls /dev/shm | grep '^hamaster\.' | sort >/tmp/shm.before  # /dev is the host's: compare, don't assume empty
rc_is 0 "service hamaster start (seed ha.cf, haresources, authkeys; no flags)" service hamaster start
pid=$(cat /run/hamaster/hamaster.pid 2>/dev/null)
up=no
for _ in $(seq 100); do  # the children come up within a second or two; allow 20 s
    if cl_status hbstatus >/dev/null 2>&1 && grep -qxE "up|active" <<<"$(cl_status nodestatus web1 2>/dev/null)" &&
       grep -qx ipfaild /proc/[0-9]*/comm 2>/dev/null; then up=yes; break; fi
    sleep 0.2
done
check "seed config: hamaster up, web1 up (active after initdead), ipfaild running" test "$up" = yes
[ "$up" = yes ] || { cl_status hbstatus; cl_status nodestatus web1; cat /proc/[0-9]*/comm | sort | uniq -c; tail -30 /var/log/ha-log; ls /var/log/hamaster; tail -n 20 /var/log/hamaster/*.log; }
rc_is 0 "service hamaster status (seed config)" service hamaster status
status_out=$(service hamaster status 2>&1)
check "status names this node, its peer and the link" bash -c 'grep -q web1 <<<"$0" && grep -q web2 <<<"$0" && grep -q eth1 <<<"$0"' "$status_out"
check "cl_status listnodes: web1 web2 and the ping node" \
    bash -c '[ "$(cl_status listnodes | sort | tr "\n" " ")" = "192.0.2.1 web1 web2 " ]'
check "cl_status nodetype 192.0.2.1 is ping" bash -c '[ "$(cl_status nodetype 192.0.2.1)" = ping ]'
for child in heartbeatd-net ipfaild rscd; do
    check "child $child running" grep -qx "$child" /proc/[0-9]*/comm
done
check "logfile /var/log/ha-log from ha.cf written in the Heartbeat format" \
    grep -Eq '^[A-Z][a-z]{2} [ 0-9][0-9] [0-9:]{8} web1 hamaster: \[[0-9]+\]: info: ' /var/log/ha-log
check "no VIP before initdead (120 s)" bash -c '! ip -o addr show dev eth0 | grep -q 192.0.2.100'
rc_is 0 "service hamaster stop (seed config)" service hamaster stop
check "nothing left after stop: no process" \
    bash -c '! grep -qxE "hamaster|heartbeatd-net|heartbeatd-serial|ipfaild|rscd" /proc/[0-9]*/comm 2>/dev/null'
check "nothing left after stop: pid file, control socket, shm" \
    bash -c '[ ! -e /run/hamaster/hamaster.pid ] && [ -z "$(ls -A /run/hamaster 2>/dev/null)" ] &&
             [ -z "$(ls /dev/shm | grep "^hamaster\." | sort | comm -13 /tmp/shm.before -)" ]'
check "nothing left after stop: no VIP" bash -c '! ip -o addr show | grep -q 192.0.2.100'
rc_is 3 "service hamaster status after stop" service hamaster status
# A start that fails after hamaster detached (issue 20: it used to exit 0): here the watchdog
# device cannot be opened. `hamaster -t` passes (the device is opened at start), the start fails.
echo "watchdog /nonexistent/watchdog" >>/etc/ha.d/ha.cf
rc_is 1 "service hamaster start fails when the daemon cannot start (watchdog device missing)" service hamaster start
check "failed start: nothing left running" \
    bash -c '! grep -qxE "hamaster|heartbeatd-net|ipfaild|rscd" /proc/[0-9]*/comm 2>/dev/null'
sed -i '/^watchdog /d' /etc/ha.d/ha.cf
for i in 0 1; do ip link del eth$i; done
rm -rf /etc/ha.d/*

# remove: binaries go, conffiles and user stay
echo 'started' >/var/log/hamaster/hamaster.log
if dpkg -r hamaster >/tmp/dpkg-r.log 2>&1; then ok "dpkg -r"; else cat /tmp/dpkg-r.log; fail "dpkg -r"; fi
check "dpkg status after remove: deinstall ok config-files" \
    bash -c '[ "$(dpkg-query -W -f="\${Status}" hamaster)" = "deinstall ok config-files" ]'
check "binary /usr/sbin/hamaster removed" test ! -e /usr/sbin/hamaster
check "/usr/lib/hamaster removed" test ! -e /usr/lib/hamaster
check "man page removed" test ! -e /usr/share/man/man8/hamaster.8
check "conffile /etc/init.d/hamaster kept after remove" test -e /etc/init.d/hamaster
check "logs kept after remove" test -e /var/log/hamaster/hamaster.log

# purge: conffiles, state and logs go, user and group stay
if dpkg -P hamaster >/tmp/dpkg-p.log 2>&1; then ok "dpkg -P"; else cat /tmp/dpkg-p.log; fail "dpkg -P"; fi
check "package unknown to dpkg after purge" bash -c '! dpkg-query -W -f="\${Status}" hamaster 2>/dev/null | grep -q installed'
for p in /etc/init.d/hamaster /etc/default/hamaster /etc/logrotate.d/hamaster /var/lib/hamaster /var/log/hamaster /etc/ha.d; do
    [ "$p" = /etc/ha.d ] && [ "$etc_ha_d_foreign" = yes ] && continue
    check "purged $p" test ! -e "$p"
done
check "user hacluster kept after purge" bash -c 'getent passwd hacluster >/dev/null'
check "group haclient kept after purge" bash -c 'getent group haclient >/dev/null'

echo "inside: $failures failure(s)"
exit $((failures > 0))
INSIDE
chmod 755 "$WORK/inside.sh"
sed 's|/$||' "$EXPECTED_LIST" >"$WORK/expected.txt"

cat >"$WORK/outside.sh" <<'OUTSIDE'
#!/bin/bash
# Runs in the new mount/pid/net namespaces, still seeing the host's /, builds the scratch root.
set -euo pipefail
W=$1
mount --make-rprivate /
mkdir -p "$W/scratch"
mount -t tmpfs -o size=2g,mode=0755 scratch "$W/scratch"
S=$W/scratch
mkdir -p "$S/upper" "$S/work" "$S/root"
mount -t overlay overlay -o "lowerdir=/,upperdir=$S/upper,workdir=$S/work" "$S/root"
R=$S/root
mount -t proc proc "$R/proc"
mount --rbind /dev "$R/dev"
mount -t tmpfs -o mode=0755 run "$R/run"
mount -t tmpfs -o mode=1777 tmp "$R/tmp"
mount -t tmpfs -o mode=0755 sys "$R/sys"   # an empty /sys: nothing here needs the host's
cp "$W/hamaster.deb" "$W/inside.sh" "$W/expected.txt" "$R/tmp/"
exec chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
    /bin/bash /tmp/inside.sh
OUTSIDE
chmod 755 "$WORK/outside.sh"
cp "$deb" "$WORK/hamaster.deb"

unshare --mount --pid --net --ipc --uts --fork "$WORK/outside.sh" "$WORK" 2>&1 | tee "$WORK/inside.log"
inside_rc=${PIPESTATUS[0]}
failures=$((failures + $(grep -c '^FAIL' "$WORK/inside.log")))
[ "$inside_rc" -eq 0 ] || grep -q '^FAIL' "$WORK/inside.log" || fail "scratch root run exited $inside_rc"

# ---- 5. the host is untouched ----------------------------------------------------------------
snapshot "$WORK/host.after"
if diff -u "$WORK/host.before" "$WORK/host.after"; then ok "host dpkg database, users and paths unchanged"
else fail "host changed"; fi

echo "== $failures failure(s)"
[ "$failures" -eq 0 ]
