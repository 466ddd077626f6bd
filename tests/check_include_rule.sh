#!/bin/bash
# The include rule between folders (issue 22): a daemon folder (master, heartbeatd-net,
# heartbeatd-serial, ipfaild, rscd, tools) includes only its own files and ipc/'s; ipc/ (libha,
# ipc/media/ included) includes nothing outside ipc/. The same for linking: a daemon folder's
# CMakeLists.txt links no library another daemon folder builds, and ipc/ links none at all.
# tests/ and bench/ are exempt (they test and measure the daemons). Code two daemons share
# belongs in ipc/ (ipc/media/ for the media daemons), never in one daemon that the other includes.
# Usage: check_include_rule.sh SOURCE_DIR — prints every violation as FILE:LINE: what, exits 1 if any.
set -u
src=${1:?usage: check_include_rule.sh SOURCE_DIR}
cd "$src" || exit 2
daemons=(master heartbeatd-net heartbeatd-serial ipfaild rscd tools)
top_folders=$(find . -mindepth 1 -maxdepth 1 -type d ! -name '.*' ! -name build -printf '%f\n')
fail=0

# Every project include ("dir/..." or <dir/...> naming a top-level folder) in $1, as FILE:LINE:FOLDER.
project_includes() {
  grep -rnE --include='*.cpp' --include='*.hpp' --include='*.h' --include='*.c' --include='*.in' \
    '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<][^">/]+/' "$1" |
    sed -E 's/^([^:]+:[0-9]+):[[:space:]]*#[[:space:]]*include[[:space:]]*["<]([^">/]+)\/.*/\1:\2/' |
    while IFS=: read -r file line folder; do
      grep -qxF "$folder" <<<"$top_folders" && echo "$file:$line:$folder"
    done
}

for d in "${daemons[@]}" ipc; do
  [ -d "$d" ] || continue
  while IFS=: read -r file line folder; do
    [ -z "$file" ] && continue
    if [ "$d" = ipc ]; then
      [ "$folder" = ipc ] && continue
      echo "$file:$line: ipc/ includes $folder/ (ipc/ must include nothing outside ipc/)"
    else
      [ "$folder" = ipc ] || [ "$folder" = "$d" ] && continue
      echo "$file:$line: $d/ includes $folder/ (another daemon's files; move what both need to ipc/)"
    fi
    fail=1
  done < <(project_includes "$d")
done

# Libraries: which top-level folder builds each add_library target.
declare -A lib_folder
while IFS=: read -r file name; do
  lib_folder[$name]=${file%%/*}
done < <(grep -rhoE --include=CMakeLists.txt -H 'add_library\([A-Za-z0-9_-]+' "${daemons[@]}" ipc 2>/dev/null |
         sed -E 's/add_library\(//')
for d in "${daemons[@]}" ipc; do
  [ -d "$d" ] || continue
  while IFS=: read -r file line text; do
    for word in $(sed -E 's/.*target_link_libraries\(//; s/[()]/ /g' <<<"$text"); do
      owner=${lib_folder[$word]:-}
      [ -z "$owner" ] || [ "$owner" = "$d" ] || [ "$owner" = ipc ] && continue
      echo "$file:$line: $d/ links $word, a library of $owner/ (move what both need to ipc/)"
      fail=1
    done
  done < <(grep -rnE --include=CMakeLists.txt 'target_link_libraries\(' "$d")
done

[ "$fail" -eq 0 ] && echo "ok: no daemon folder includes or links another's files; ipc/ includes only ipc/"
exit "$fail"
