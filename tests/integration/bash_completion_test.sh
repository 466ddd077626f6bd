#!/usr/bin/env bash
# bash_completion_test.sh COMPLETION_FILE HA_CF — the bash completion the .deb installs
# (packaging/bash-completion/hamaster): sourced into a plain bash, it registers a function for
# hamaster, cl_status, hb_standby and hb_takeover, and completes partial words as each tool's
# --help spells them (node names from HA_CF's `node` lines).
set -euo pipefail
file=$1
ha_cf=$2
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v bash >/dev/null || { echo "SKIP: no bash"; exit 77; }
bash -n "$file" || fail "$file: syntax error"

# complete_words WORD... — COMPREPLY for the command line WORD... (the last word is the partial one),
# one word per line, sorted.
complete_words() {
    HAMASTER_COMPLETION_HA_CF=$ha_cf bash --norc --noprofile -c '
        source "$0" || exit 2
        spec=$(complete -p "$1") || exit 3
        fn=${spec#*-F }; fn=${fn%% *}
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        "$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf "%s\n" "${COMPREPLY[@]}" | sort' "$file" "$@"
}
expect() {  # expect "WANTED (newline-separated)" WORD...
    local want=$1; shift
    local got
    got=$(complete_words "$@") || fail "'$*': completion failed (exit $?)"
    [ "$got" = "$want" ] || fail "'$*': got [$(tr '\n' ' ' <<<"$got")], want [$(tr '\n' ' ' <<<"$want")]"
}

for cmd in hamaster cl_status hb_standby hb_takeover; do
    HAMASTER_COMPLETION_HA_CF=$ha_cf bash --norc --noprofile -c 'source "$0"; complete -p "$1"' "$file" "$cmd" \
        | grep -q -- "-F _hamaster[a-z_]* $cmd\$\|-F _hamaster[a-z_]* hb_standby $cmd\$" || fail "no complete -F for $cmd"
done

expect "status" hamaster st
expect "pacemaker" hamaster export p
expect "--prometheus" hamaster --prom
expect "--state-dir" hamaster --sta
expect "web1
web2" hamaster --node w
expect "hblinkstatus
hbparameter
hbstatus" cl_status hb
expect "nodesite
nodestatus
nodetype
nodeweight" cl_status --json node
expect "web2" cl_status nodeweight web2
expect "web2" cl_status nodestatus web2
expect "web1
web2" cl_status --run-dir /tmp listhblinks ""
expect "-m
-n
-p" cl_status listnodes -
expect "failback
foreign" hb_standby f
expect "local" hb_takeover --wait l
expect "" cl_status bogus ""
echo "bash_completion_test: ok"
