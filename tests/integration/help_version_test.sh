#!/bin/bash
# Every binary the package installs answers -h/--help and --version with exit 0 and text on
# stdout, and names itself in its version line (issue 21 item 4; the table is in hamaster(8)).
# Usage: help_version_test.sh BIN_DIR
set -u
bin=$1
fail=0
for b in hamaster heartbeatd-net heartbeatd-serial ipfaild rscd cl_status hb_standby hb_takeover; do
  for opt in --help -h --version; do
    out=$("$bin/$b" "$opt" 2>/dev/null); rc=$?
    if [ "$rc" -ne 0 ] || [ -z "$out" ]; then
      echo "FAIL $b $opt: rc=$rc, stdout ${#out} bytes"; fail=1
    fi
  done
  v=$("$bin/$b" --version 2>/dev/null | head -1)
  case "$v" in
    "$b (hamaster) "[0-9]*) ;;
    *) echo "FAIL $b --version: first line [$v]"; fail=1 ;;
  esac
  # --help mentions --version: one option style everywhere.
  "$bin/$b" --help 2>/dev/null | grep -q -- "--version" || { echo "FAIL $b --help does not list --version"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "ok: every binary answers --help and --version"
exit "$fail"
