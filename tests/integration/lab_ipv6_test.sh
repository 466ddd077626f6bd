#!/usr/bin/env bash
# shellcheck disable=SC2016  # eval'd conditions are single-quoted on purpose (expanded at each try)
# lab_ipv6_test.sh SOURCE_DIR [BIN_DIR] — an IPv6 VIP (IPv6addr::2001:db8::100/64/eth0 + nginx,
# preferred on web1) with two live hamaster nodes in the namespace lab, real neighbour discovery
# between real kernels, seen from the lab's client over IPv6.
#
# One `scripts/lab up` (own HA_LAB prefix; the lab's IPv4 is untouched). The test enables IPv6 on
# eth0 of web1, web2, gw and client only (duplicate address detection off there, so addresses work
# at once) with 2001:db8::11, ::12, ::1, ::50 /64, turns the bridge's multicast snooping off (no
# MLD querier in the lab), and makes each node's nginx listen on [::]:80 too. Only 2001:db8::/32,
# only inside the lab's namespaces. Demo timings (keepalive 200ms, deadtime 2, warntime 1,
# initdead 4). Scenarios:
#   guard  the VIP is planted on gw (a third machine answering for it); web1 starts alone: after
#          initdead its split-brain guard probes with DAD neighbour solicitations, gw's kernel
#          answers → web1's rscd logs CRIT naming gw's eth0 MAC once, web1 does not add the VIP
#          (checked for well over deadtime), and its probe socket has joined the VIP's
#          solicited-node group on eth0 (to see another node's DAD probe through a NIC's filter); gw drops the VIP → after deadtime of silence web1
#          takes the group over and the client gets web1's page at http://[2001:db8::100]/;
#   failover  web2 starts and joins; web1 dies as a host (links down, every process SIGKILLed,
#          its addresses gone) → web2 declares it dead, its guard finds the VIP free, it adds the VIP and
#          announces it with unsolicited neighbour advertisements: the client's neighbour entry
#          for the VIP moves to web2's MAC before the client sends anything, and the client gets
#          web2's page over IPv6.
# Before the guard scenario web1 gets a copy of the VIP added with the kernel's DAD, which fails
# against gw (dadfailed): the guard probes as if it were absent, and the start replaces it.
# Only correctness is asserted, with generous deadlines. Exit 77 (skipped) when not root, without
# network namespaces or without nginx/curl. KEEP_LOGS=1 keeps $LABDIR after a passing run.
set -uo pipefail

LAB_SRC=$(cd "${1:?usage: lab_ipv6_test.sh SOURCE_DIR [BIN_DIR]}" && pwd)
HM_BIN=${2:-$LAB_SRC/build/bin}
export HA_LAB=hl6$$
LABDIR=$(mktemp -d /tmp/hamaster-lab-ipv6.XXXXXX)
# shellcheck source=tests/integration/lab_lib.sh
. "$LAB_SRC/tests/integration/lab_lib.sh"

if ! why=$(lab_can_run); then echo "SKIP: $why"; rm -rf "$LABDIR"; exit 77; fi

failures=0
trap 'lab_finish hamaster rscd' EXIT
trap 'exit 1' INT TERM

VIP6=2001:db8::100
KEY6=IPv6addr::$VIP6/64/eth0
declare -A ADDR6=([web1]=2001:db8::11 [web2]=2001:db8::12 [gw]=2001:db8::1 [client]=2001:db8::50)

ipv6_up() {  # IPv6 on eth0 of the lab's machines (scripts/lab leaves it disabled everywhere)
  local n
  ip -n "$HA_LAB-sw" link set br0 type bridge mcast_snooping 0
  for n in web1 web2 gw client; do
    ip netns exec "$HA_LAB-$n" sysctl -q -w net.ipv6.conf.eth0.accept_dad=0 net.ipv6.conf.eth0.disable_ipv6=0 \
      net.ipv6.conf.lo.disable_ipv6=0 >/dev/null || return 1
    ip -n "$HA_LAB-$n" -6 addr add "${ADDR6[$n]}/64" dev eth0 nodad || return 1
  done
}
mac_of() { ip -n "$HA_LAB-$1" link show eth0 | awk '/link\/ether/ {print $2}'; }
vip6_on() { ip -n "$HA_LAB-$1" -o -6 addr show dev eth0 | grep " $VIP6/" | grep -qv 'tentative\|dadfailed'; }  # usable
dadfailed_on() { ip -n "$HA_LAB-$1" -o -6 addr show dev eth0 | grep " $VIP6/" | grep -q dadfailed; }
no_vip6_on() { ! vip6_on "$1"; }
page6() { ip netns exec "$HA_LAB-client" curl -s -g -m 2 "http://[$VIP6]/" 2>/dev/null | sed -n 's/.*<h1>\(web[12]\)<\/h1>.*/\1/p'; }
serves6() { [ "$(page6)" = "$1" ]; }
neigh6_mac() { ip -n "$HA_LAB-client" -6 neigh show "$VIP6" dev eth0 | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}'; }
neigh6_is() { [ "$(neigh6_mac)" = "$1" ]; }
rscd_log() { cat "$LABDIR/$1/log/rscd.log" 2>/dev/null; }
logged() { rscd_log "$1" | grep -qF "$2"; }
count_logged() { rscd_log "$1" | grep -cF "$2"; }
stays_without_vip() {  # stays_without_vip NODE SECONDS — NODE never has the VIP during SECONDS
  local end=$((SECONDS + $2))
  while [ $SECONDS -lt $end ]; do vip6_on "$1" && return 1; sleep 0.1; done
  return 0
}

lab_up || { echo "FAIL - lab up"; exit 1; }
check "IPv6 on the lab's eth0 links (2001:db8::/64)" ipv6_up
lab_write_config
for n in web1 web2; do
  echo "web1 $KEY6 nginx" >"$LABDIR/$n/etc/ha.d/haresources"
  sed -i 's/^\( *\)listen 80;/\1listen 80;\n\1listen [::]:80;/' "$LABDIR/$n/nginx/nginx.conf"
done
check "hamaster -t accepts the IPv6addr group and shows it as built-in" \
  sh -c "'$LAB' exec web1 '$HM_BIN/hamaster' -t 2>&1 | grep -qE '^ +$KEY6 +built-in'"
check "the client reaches web2's own IPv6 address (the lab's IPv6 works)" \
  wait_for 5 sh -c "ip netns exec '$HA_LAB-client' ping -6 -c 1 -W 1 '${ADDR6[web2]}' >/dev/null"

# --- guard: another machine (gw) answers for the VIP
GW_MAC=$(mac_of gw)
ip -n "$HA_LAB-gw" -6 addr add "$VIP6/64" dev eth0 nodad
# A copy of the VIP added on web1 with the kernel's own DAD (as a script agent would) fails it
# against gw and is left unusable: it must not count as "already here" for the guard or the start.
ip netns exec "$HA_LAB-web1" sysctl -q -w net.ipv6.conf.eth0.accept_dad=1 >/dev/null
ip -n "$HA_LAB-web1" -6 addr add "$VIP6/64" dev eth0
check "guard: web1's own DAD-checked copy of the VIP failed against gw (dadfailed)" wait_for 10 dadfailed_on web1
ip netns exec "$HA_LAB-web1" sysctl -q -w net.ipv6.conf.eth0.accept_dad=0 >/dev/null
lab_start_master web1
crit="CRIT: IPv6addr: $VIP6 is still answered by $GW_MAC on eth0: not taking it over (split-brain guard)"
check "guard: web1's rscd logs the CRIT naming gw's MAC ($GW_MAC)" wait_for 30 logged web1 "$crit"
check "guard: web1 does not add the VIP while gw answers (8 s, deadtime 2 s)" stays_without_vip web1 8
check "guard: exactly one CRIT for the session" [ "$(count_logged web1 "$crit")" -eq 1 ]
check "guard: web1's probe socket joined the VIP's solicited-node group (33:33:ff:00:01:00) on eth0" \
  sh -c "ip -n '$HA_LAB-web1' maddr show dev eth0 | grep -q '33:33:ff:00:01:00'"
ip -n "$HA_LAB-gw" -6 addr del "$VIP6/64" dev eth0
check "guard: once gw is silent for deadtime, web1 takes the VIP over" wait_for 20 vip6_on web1
check "guard: web1's rscd logs the holder's silence" \
  logged web1 "info: IPv6addr: $VIP6: no answer from $GW_MAC for 2000 ms (deadtime); taking it over"
check "guard: web1 replaced the DAD-failed copy" \
  logged web1 "IPv6addr: Removing the unusable (tentative or DAD-failed) inet6 address $VIP6/64 from device eth0"
check "guard: web1 added the VIP through netlink (inet6)" logged web1 "IPv6addr: Adding inet6 address $VIP6/64 to device eth0"
check "guard: web1 announced it with unsolicited neighbour advertisements" \
  logged web1 "IPv6addr: Sending 5 unsolicited neighbour advertisements for $VIP6 on eth0 every 200 ms"
check "guard: the client gets web1's page over IPv6" wait_for 20 serves6 web1

# --- failover: web2 joins, web1 dies as a host
WEB1_MAC=$(mac_of web1)
WEB2_MAC=$(mac_of web2)
lab_start_master web2
check "failover: web2 joins (web1 sees it active)" wait_for 30 nodestatus_is web1 web2 active
check "failover: web1 still serves over IPv6" serves6 web1
check "failover: the client's neighbour entry for the VIP is web1's MAC" neigh6_is "$WEB1_MAC"
# A dead host answers for nothing: its links go first (SIGKILLing its processes one by one would
# leave its kernel answering for the VIP a moment, which web2's guard rightly holds on), then its
# processes and its addresses.
links web1 down
lab_crash web1
ip -n "$HA_LAB-web1" -6 addr del "$VIP6/64" dev eth0 2>/dev/null
check "failover: web2 takes the VIP over" wait_for 30 vip6_on web2
check "failover: the client's entry moved to web2's MAC ($WEB2_MAC) from the advertisement, before any traffic" \
  wait_for 3 neigh6_is "$WEB2_MAC"
check "failover: the client gets web2's page over IPv6" wait_for 20 serves6 web2
check "failover: web2's guard found the VIP free (NDP), no CRIT" \
  sh -c "grep -q 'IPv6addr: $VIP6 is free on eth0 (3 NDP probes unanswered' '$LABDIR/web2/log/rscd.log' && ! grep -q 'CRIT: IPv6addr' '$LABDIR/web2/log/rscd.log'"

if [ $failures -ne 0 ]; then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all checks passed"
