# Shared by bench/ab.sh and bench/peer.sh (sourced): each measure's rounds
# recorded in R and reported as their median with the rounds beside it.

log() { printf '%s\n' "$*" >&2; }

# A process's CPU time so far (user + system), in clock ticks.
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }

declare -A R
record() { R[$1]+="${R[$1]:+ }$2"; }
median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{ a[NR] = $1 } END { if (NR) print a[int((NR + 1) / 2)]; else print "n/a" }'; }
cell() { local v="${R[$1]:-}"; [[ -z "$v" ]] && { echo "n/a"; return; }; echo "$(median <<<"$v") [${v// /, }]"; }
