# tests/chaos/check.awk — the chaos soak's invariants, checked after the run on what was recorded
# (POSIX awk). Usage:
#   awk -v deadtime=S -v out_bound=S -f check.awk EVENTS SAMPLES ANSWERS WEB1_LOG WEB2_LOG
# EVENTS   tests/chaos/chaos.sh's events.log: "T start|begin|end|recovered|note|violation|stop ..."
#          (begin: "T begin STEP KIND NODE SECONDS EFFECTS", effects as in tests/chaos/faults.sh)
# SAMPLES  lab_vip_sampler every 10 ms: "T A B C U1 U2" (VIP on web1, web2, web1 again; eth0 up)
# ANSWERS  the client's requests sorted by start: "START END web1|web2|-"
# *_LOG    each master's hamaster.log as the lab's follower saw it: "T LINE"
# A fault's window is [begin, recovered]: while it lasts, what its effects name may fail. Checked:
#   1. VIP on both nodes (a "1 1 1" sample, both eth0 up) only within 5 s of a lan: fault's window;
#   2. every outage (failed requests in a row) starts inside the window of an `out` fault, or within
#      5 s after a master logged that it gives the preferred node its group back (auto_failback,
#      e.g. once a partition healed, or ipfail's `Going standby [foreign].` when the ping counts
#      are balanced), and lasts at most out_bound s (deadtime + the takeover path,
#      docs/reliability.md);
#   3. a dead verdict (`node P: is dead`, `Link P:L dead.`) of a node or a link only when, in the
#      deadtime + 1 s before it, a fault stopped P's heartbeats (hb:P) or cut that medium (med:M) —
#      for a node verdict, every medium;
#   4. the driver's live checks (violation lines) count as they are.
# Prints each violation with its step, then the table; the last line is "invariant violations N".

function ms(x) { return sprintf("%d", x * 1000 + 0.5) }
function active(t,   k, s) {  # the step running at t (the last one begun before t), or "start"
  s = "start"
  for (k = 1; k <= nsteps; k++) if (sb[k] <= t) s = k; else break
  return s
}
function stepname(k) {
  if (k == "start") return "before step 1"
  if (k == "stop") return "the stop"
  return "step " sid[k] " (" skind[k] " on " snode[k] ")"
}
function has(k, tag) { return index("," seff[k] ",", "," tag ",") > 0 }
function report(t, k, text) {
  nviol++
  printf "VIOLATION at +%.3fs, %s: %s\n", t - t0, stepname(k), text
}
function excused(t, tag, tag2,   k, lo) {  # a fault with tag (or tag2) whose window meets [t-deadtime-1, t]
  lo = t - deadtime - 1
  for (k = 1; k <= nsteps; k++)
    if ((has(k, tag) || (tag2 != "" && has(k, tag2))) && sb[k] <= t && sr[k] >= lo) return 1
  return 0
}
function flush_both(   k) {
  if (both_n == 0) return
  k = active(both_a)
  report(both_a, k, sprintf("the VIP on both nodes with both public links up: %d samples from +%.3fs to +%.3fs", both_n, both_a - t0, both_b - t0))
  both_n = 0
}
# An outage is judged at the end, once the logs (files 4 and 5) have named the planned hand-overs.
function close_outage(t_back) {
  noutages++
  oa[noutages] = out_a; od[noutages] = t_back - out_a; on[noutages] = out_n
  out_n = 0
}
function judge_outage(a, d, n,   k, found, kk, j) {
  found = ""
  for (kk = 1; kk <= nsteps; kk++)
    if (has(kk, "out") && sb[kk] - 0.5 <= a && a <= sr[kk] + 1) found = kk
  k = found != "" ? found : active(a)
  if (found == "")  # auto_failback on: the holder gives the preferred node its group back (stop, then start)
    for (j = 1; j <= nfb; j++) if (fb[j] - 0.5 <= a && a <= fb[j] + 5) found = "failback"
  if (d > longest) { longest = d; longest_k = k }
  if (found == "")
    report(a, k, sprintf("the service did not answer for %s ms (%d failed requests) and no fault allows an outage then", ms(d), n))
  else if (d > out_bound)
    report(a, k, sprintf("an outage of %s ms (%d failed requests), longer than the %s s allowed", ms(d), n, out_bound))
}

BEGIN { nsteps = 0; nviol = 0; file = 0; t0 = 0; if (tstop == "") tstop = 9999999999 }  # -v tstop=T: a run cut short
# Which file by name, not by counting first lines: an empty file has none.
FNR == 1 { file = 0; for (i = 1; i < ARGC; i++) if (ARGV[i] == FILENAME) { file = i; break } }

# --- 1: the events --------------------------------------------------------------------------
file == 1 && $2 == "start" { t0 = $1; next }
file == 1 && $2 == "begin" {
  nsteps++; sid[nsteps] = $3; skind[nsteps] = $4; snode[nsteps] = $5; seff[nsteps] = $7
  sb[nsteps] = $1; se[nsteps] = $1; sr[nsteps] = 9999999999; stepk[$3] = nsteps
  nkind[$4]++
  next
}
file == 1 && $2 == "end" { if ($3 in stepk) se[stepk[$3]] = $1; next }
file == 1 && $2 == "recovered" { if ($3 in stepk) sr[stepk[$3]] = $1; next }
file == 1 && $2 == "stop" { tstop = $1; next }
file == 1 && $2 == "violation" {
  k = ($3 in stepk) ? stepk[$3] : ($1 >= tstop ? "stop" : active($1))
  text = $0; sub(/^[^ ]+ [^ ]+ [^ ]+ /, "", text)
  report($1, k, text)
  next
}
file == 1 { next }

# --- 2: the VIP samples: invariant 1, and the takeovers ---------------------------------------
file == 2 && $1 >= t0 {
  if ($2 == 1 && $3 == 0 && $4 == 1) h = "web1"; else if ($2 == 0 && $3 == 1 && $4 == 0) h = "web2"; else h = ""
  if (h != "" && $1 <= tstop) { if (holder != "" && h != holder) takeovers++; holder = h }
  nsamples++
  if ($2 == 1 && $3 == 1 && $4 == 1 && $5 == 1 && $6 == 1) {
    ok = 0
    for (k = 1; k <= nsteps; k++)
      if ((index(seff[k], "lan:") > 0) && sb[k] <= $1 && $1 <= sr[k] + 5) ok = 1
    if (!ok) {
      if (both_n == 0) both_a = $1
      both_n++; both_b = $1
      next
    }
  }
  flush_both()
  next
}

# --- 3: the client's answers: invariant 2 -----------------------------------------------------
file == 3 && FNR == 1 { flush_both() }
file == 3 && $1 >= t0 && $1 <= tstop {
  nreq++
  if ($3 == "-") {
    nfailed++
    if (out_n == 0) out_a = $1
    out_n++
  } else if (out_n > 0) {
    close_outage($1)
  }
  next
}

# --- 4, 5: the masters' logs: invariant 3 -----------------------------------------------------
(file == 4 || file == 5) && $1 >= t0 && $1 <= tstop {
  obs = file == 4 ? "web1" : "web2"
  # A planned hand-over to the preferred node: the master's auto_failback, or ipfail's (ping
  # counts balanced, auto_failback on: ipfaild asks its master for a standby of the foreign part).
  if (index($0, "Giving up foreign resources (auto_failback).") || index($0, "Going standby [foreign].")) { fb[++nfb] = $1; next }
  if (match($0, /node web[12]: is dead/)) {
    peer = substr($0, RSTART + 5, 4)
    ndead++
    lastdead[obs] = $1
    bad = ""
    if (!excused($1, "med:udp", "hb:" peer)) bad = bad " UDP (eth1)"
    if (!excused($1, "med:serial", "hb:" peer)) bad = bad " serial"
    if (bad != "") report($1, active($1), obs " declared " peer " dead while these links lived:" bad)
  } else if (match($0, /Link web[12]:[^ ]+ dead\./)) {
    peer = substr($0, RSTART + 5, 4)
    link = substr($0, RSTART + 10, RLENGTH - 16)
    med = link ~ /tty/ ? "med:serial" : "med:udp"
    nlinkdead++
    if ((obs in lastdead) && $1 - lastdead[obs] < 0.5) next  # the links of a node verdict, checked above
    if (!excused($1, med, "hb:" peer)) report($1, active($1), obs " declared the link " peer ":" link " dead while it lived")
  }
  next
}

END {
  flush_both()
  if (out_n > 0) close_outage(tstop)
  for (i = 1; i <= noutages; i++) judge_outage(oa[i], od[i], on[i])
  print ""
  print "chaos run: " nsteps " steps, " sprintf("%.1f", (tstop - t0) / 60) " min"
  print "faults injected by kind:"
  n = 0
  for (kd in nkind) names[++n] = kd
  for (i = 2; i <= n; i++) { x = names[i]; for (j = i - 1; j >= 1 && names[j] > x; j--) names[j + 1] = names[j]; names[j + 1] = x }
  for (i = 1; i <= n; i++) printf "  %-24s %d\n", names[i], nkind[names[i]]
  printf "%-34s %d\n", "takeovers (VIP moved)", takeovers
  printf "%-34s %d of %d\n", "failed client requests", nfailed, nreq
  printf "%-34s %d\n", "outages", noutages
  printf "%-34s %s ms%s\n", "longest outage", ms(longest), longest_k != "" ? " (" stepname(longest_k) ")" : ""
  printf "%-34s %d node, %d link\n", "dead verdicts", ndead, nlinkdead
  printf "%-34s %d\n", "VIP samples (10 ms)", nsamples
  printf "%-34s %d\n", "invariant violations", nviol
}
