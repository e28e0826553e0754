#!/usr/bin/env bash
# Round time of a cluster run against one process, for the same experiment on this machine.
#
#   scripts/cluster-bench.sh [rounds] [out-dir] [--set key=value]... [--cluster-set key=value]...
#
#   rounds         rounds of the experiment (default 10: a worker process's first rounds are slower, so a few more
#                  rounds than the warm-up give a steadier mean)
#   out-dir        a new or empty folder (default runs/cluster-bench-<timestamp>) that receives single/ (the run in
#                  one process, `fedtrust run`), cluster/ (the same run through scripts/cluster-local.sh: a server
#                  and 2 worker processes on 127.0.0.1), and each one's output, single.log and cluster.log
#   --set          given to both runs (the experiment: the defaults unless you change them)
#   --cluster-set  given to the cluster's nodes only: node-local keys, e.g. one trainer thread per node instead of
#                  one per core: --cluster-set fedtrust.trainers=1 --cluster-set fedtrust.torch-threads=1 (with
#                  torch-threads left at auto, cores / trainers, libtorch rounds sums differently: the check fails)
#
# It runs the two one after the other, reads each result.json's per-round `seconds` (the time from sending a round's
# work to the clients to its aggregated, evaluated model) and prints the mean round time of each and the ratio
# cluster/single. Round 1 is left out as warm-up when there are 2 rounds or more (it includes the first model
# transfer, JIT compilation and the libtorch start-up). Then a check line: the final metrics must be identical,
# since the cluster computes exactly what one process does (exit 1 if they differ). Needs python3 to read the JSON.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/fedtrust-dll.sh
source "$root/scripts/lib/fedtrust-dll.sh"

usage_error() {
  echo "error: $1 (usage: scripts/cluster-bench.sh [rounds] [out-dir] [--set key=value]... [--cluster-set key=value]...)" >&2
  exit 2
}

rounds=""
out=""
both=()
nodes=()
while (($# > 0)); do
  case "$1" in
    --set | --cluster-set)
      (($# >= 2)) || usage_error "$1 needs a value"
      if [[ "$1" == --set ]]; then both+=(--set "$2"); else nodes+=(--set "$2"); fi
      shift 2
      ;;
    -h | --help)
      print_help "$0"
      exit 0
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      if [[ -z "$rounds" ]]; then
        [[ "$1" =~ ^[1-9][0-9]{0,4}$ ]] || usage_error "rounds = '$1': expected a whole number from 1 to 99999"
        rounds="$1"
      elif [[ -z "$out" ]]; then
        out="$1"
      else
        usage_error "unexpected argument '$1'"
      fi
      shift
      ;;
  esac
done
rounds="${rounds:-10}"
out="${out:-runs/cluster-bench-$(date +%Y%m%d-%H%M%S)}"
new_out_dir "$out"
command -v python3 >/dev/null || { echo "error: python3 not found: cluster-bench reads result.json with it" >&2; exit 2; }

dll="$(fedtrust_dll "$root")" || exit $?
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Exits with the code of a run that failed, naming it and quoting its error line.
refuse_failed() {
  local what="$1" code="$2" log="$3" line
  line="$(grep -m 1 '^error: ' "$log" || tail -n 1 "$log")"
  echo "error: the $what failed (exit $code, output in $log): ${line#error: }" >&2
  exit "$code"
}

echo "cluster-bench: $rounds round(s) in one process ($out/single.log)" >&2
code=0
dotnet "$dll" run --rounds "$rounds" --out "$out/single" "${both[@]}" </dev/null >"$out/single.log" 2>&1 || code=$?
((code == 0)) || refuse_failed "single-process run" "$code" "$out/single.log"
echo "cluster-bench: $rounds round(s) on a server and 2 workers ($out/cluster.log)" >&2
FEDTRUST_DLL="$dll" "$root/scripts/cluster-local.sh" 2 "$out/cluster" --set "fedtrust.rounds=$rounds" "${both[@]}" "${nodes[@]}" \
  </dev/null >"$out/cluster.log" 2>&1 || code=$?
((code == 0)) || refuse_failed "cluster run" "$code" "$out/cluster.log"

python3 - "$out/single/result.json" "$out/cluster/result.json" "${nodes[*]:-}" <<'EOF'
import json, sys

single, cluster = (json.load(open(path)) for path in sys.argv[1:3])
node_sets = sys.argv[3]
rounds = len(single["rounds"])
skip = 1 if rounds > 1 else 0

def mean_round(result):
    seconds = [r["seconds"] for r in result["rounds"][skip:]]
    return sum(seconds) / len(seconds)

span = f"round {rounds}" if rounds == 2 else f"rounds 2..{rounds}"
measured = f"{span} (round 1 left out as warm-up)" if skip else "round 1 (a single round: no warm-up left out)"
config = single["config"]
print(f"{rounds} round(s): {config['clients']} clients, model {config['model']}, defense {config['defense']}, seed {config['seed']}; "
      f"mean seconds per round over {measured}")
nodes = len(cluster["cluster"]["nodes"])
rows = [("single process", f"fedtrust run, {config['trainers']} trainer(s)", mean_round(single)),
        (f"cluster ({nodes} processes)", f"scripts/cluster-local.sh 2{' ' + node_sets if node_sets else ''}", mean_round(cluster))]
width = max(len(r[0]) for r in rows)
for name, how, seconds in rows:
    print(f"  {name:<{width}}  {seconds:7.3f} s   {how}")
ratio = rows[1][2] / rows[0][2]
print(f"  {'ratio cluster/single':<{width}}  {ratio:7.2f}")

same = single["final"] == cluster["final"] and single["configFingerprint"] == cluster["configFingerprint"]
final = single["final"]
if same:
    print(f"check: final metrics identical (accuracy {final['accuracy']:.4f}, F1 {final['f1']:.4f}; configuration fingerprint {single['configFingerprint']})")
else:
    print("check: final metrics DIFFER")
    print(f"error: the cluster run's final metrics {cluster['final']} (fingerprint {cluster['configFingerprint']}) differ from "
          f"the single process's {single['final']} (fingerprint {single['configFingerprint']})", file=sys.stderr)
    sys.exit(1)
EOF
