#!/usr/bin/env bash
# bench/timeline-plot (issue 21 item 6): a fixed events file, out of time order, gives a text
# timeline in time order (unmeasured events last) and an SVG that holds every event's label, drawn
# by gnuplot; a malformed line is refused naming file:line. Skipped (77) without gnuplot.
set -uo pipefail
src=${1:?usage: timeline_plot_test.sh SOURCE_DIR}
plot=$src/bench/timeline-plot
events=$src/tests/integration/timeline_events.txt
command -v gnuplot >/dev/null || { echo "skip: gnuplot is not installed (gnuplot-nox)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failures=0
pass() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then pass "$what"; else fail "$what"; fi; }

"$plot" -t "fixture failover" "$events" "$tmp/t.svg" >"$tmp/text" 2>"$tmp/err"
check "timeline-plot exits 0" test $? -eq 0
check "no error output" test ! -s "$tmp/err"
cat "$tmp/text"
check "the SVG is written" test -s "$tmp/t.svg"
check "the SVG is an SVG document" grep -q '<svg' "$tmp/t.svg"
check "the SVG is complete" grep -q '</svg>' "$tmp/t.svg"
check "the SVG has the title" grep -qF '<text>fixture failover</text>' "$tmp/t.svg"

# every event's label (as gnuplot escapes it for XML) in the SVG and in the text
timed=0
while IFS= read -r line; do
  case $line in '' | '#'*) continue ;; esac
  read -r -a f <<<"$line"
  n=${#f[@]} node=${f[n - 1]} t=${f[n - 2]} name=${f[*]:0:n-2}
  check "text has \"$name\"" grep -qF -- "$name" "$tmp/text"
  [ "$t" = "?" ] && continue
  timed=$((timed + 1))
  xml=$(printf '%s' "$node: $name" | sed 's/&/\&amp;/g; s/</\&lt;/g')
  check "SVG has \"$node: $name\"" grep -qF -- "$xml" "$tmp/t.svg"
  check "SVG has its time $t ms" grep -qF -- "$(printf '%.1f ms' "$t")" "$tmp/t.svg"
done <"$events"
check "the fixture has events out of time order" \
  test "$(grep -v '^#' "$events" | awk '$(NF-1) != "?" { print $(NF-1) }' | sort -c -g 2>&1 | wc -l)" -gt 0
check "the text lists every event once" test "$(grep -c ' ms  ' "$tmp/text")" -eq "$(grep -vc '^#' "$events")"
times=$(awk '{ print $1 }' "$tmp/text")
in_order() { printf '%s\n' "$times" | grep -v '?' | sed 's/^+//' | sort -c -g; }
check "the text timeline is in time order" in_order
check "the unmeasured event is listed last" test "$(tail -n 1 "$tmp/text" | awk '{ print $1 }')" = "?"
check "the timed events come first" test "$(printf '%s\n' "$times" | grep -vc '?')" -eq "$timed"

# text only: no SVG argument, the same lines
"$plot" "$events" >"$tmp/text2" 2>&1
check "text only gives the same timeline" cmp -s "$tmp/text" "$tmp/text2"

# a malformed line: an error naming file:line, nothing written
printf 'dead decision 455 web2\nVIP added soon web2\n' >"$tmp/bad"
"$plot" "$tmp/bad" "$tmp/bad.svg" >/dev/null 2>"$tmp/err"
check "a bad time fails" test $? -ne 0
check "the error names file:line" grep -qF "$tmp/bad:2:" "$tmp/err"
check "nothing is drawn for bad input" test ! -e "$tmp/bad.svg"

[ "$failures" -eq 0 ] && echo "all ok" || echo "$failures failed"
[ "$failures" -eq 0 ]
