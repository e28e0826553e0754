#!/usr/bin/env bash
# A cluster run on this machine: one server node and N worker nodes, each its own process on 127.0.0.1.
#
#   scripts/cluster-local.sh [workers] [out-dir] [--set key=value]... [--config FILE]...
#
#   workers   worker nodes to start (default 2); the clients are spread over them
#   out-dir   a new or empty folder (default runs/cluster-<timestamp>) for result.json and journal.db (written by the
#             server, as `fedtrust run --out` does), server.log and worker-1.log … worker-N.log
#   --set, --config are given to every node. The server sends the experiment (rounds, model, attack, …) to the
#             workers, so a worker only uses its node-local keys: fedtrust.data.dir, fedtrust.trainers,
#             fedtrust.torch-threads (and persistence, which only the server uses).
#
# It builds fedtrust once (an incremental Release build, like scripts/fedtrust; with FEDTRUST_DLL=path/fedtrust.dll
# it runs that dll instead), starts `fedtrust run --cluster --port 0 --workers N --out DIR` and reads the port the
# server bound from its output (no race with another program taking a port chosen beforehand), then starts the N
# `fedtrust node --role worker --seed-nodes 127.0.0.1:PORT` processes. The server's output goes to the terminal and
# DIR/server.log; each worker's to DIR/worker-K.log.
#
# Exit code: the server's (0 when the run succeeded; 1 when it failed; 2 for a configuration error). A worker that
# failed is named in one line. A server that refused to start leaves no server.log (nor a folder this script made),
# so the same out-dir can be used again. On exit, Ctrl-C, SIGTERM or SIGHUP every process it started is stopped (SIGTERM,
# then SIGKILL after 10 s) and waited for.
#
# Threads: every node resolves fedtrust.trainers = auto (one trainer per core) for itself, so on a small machine three
# processes oversubscribe the cores. To give each node one trainer thread:
#   scripts/cluster-local.sh 2 runs/c --set fedtrust.trainers=1 --set fedtrust.torch-threads=1
# (set torch-threads too: its auto is cores / trainers, and libtorch's intra-op threads change how sums are rounded,
# so 1 trainer x 2 torch threads no longer gives exactly the result of `fedtrust run` with its defaults.)
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/fedtrust-dll.sh
source "$root/scripts/lib/fedtrust-dll.sh"

usage_error() {
  echo "error: $1 (usage: scripts/cluster-local.sh [workers] [out-dir] [--set key=value]... [--config FILE]...)" >&2
  exit 2
}

workers=""
out=""
settings=()
while (($# > 0)); do
  case "$1" in
    --set | --config)
      (($# >= 2)) || usage_error "$1 needs a value"
      settings+=("$1" "$2")
      shift 2
      ;;
    --set=* | --config=*)
      settings+=("${1%%=*}" "${1#*=}")
      shift
      ;;
    -h | --help)
      print_help "$0"
      exit 0
      ;;
    -*) usage_error "unknown option '$1'" ;;
    *)
      if [[ -z "$workers" ]]; then
        [[ "$1" =~ ^[1-9][0-9]{0,2}$ ]] || usage_error "workers = '$1': expected a whole number from 1 to 999"
        workers="$1"
      elif [[ -z "$out" ]]; then
        out="$1"
      else
        usage_error "unexpected argument '$1'"
      fi
      shift
      ;;
  esac
done
workers="${workers:-2}"
out="${out:-runs/cluster-$(date +%Y%m%d-%H%M%S)}"
new_out_dir "$out"

dll="$(fedtrust_dll "$root")" || exit $?
created_out=""
[[ -d "$out" ]] || created_out=1
mkdir -p "$out"
out="$(cd "$out" && pwd)"

server=""       # pid of `fedtrust run --cluster`
worker_pids=()  # pids of the `fedtrust node` processes, worker K at index K-1
tees=()         # the two tee processes copying the server's output to the terminal and server.log

alive() { kill -0 "$1" 2>/dev/null; }

# Starts a node (the command given, with the caller's redirections) in the background, in its own session and
# process group, so that a Ctrl-C reaches only this script and a signal to the group reaches anything the node
# started. The small bash in between reports a node killed by a signal in the node's own log, not on the terminal.
spawn() { setsid bash -c '"$@"; exit $?' fedtrust-node "$@" </dev/null & }

# Sends the signal to the process group a node leads (see spawn), so anything the node started goes too.
signal_group() { kill "-$1" -- "-$2" 2>/dev/null || kill "-$1" "$2" 2>/dev/null || true; }

# Waits until none of the pids is alive, at most $1 seconds; returns 1 if some still are.
await_exit() {
  local deadline=$((SECONDS + $1)) pid
  shift
  for pid in "$@"; do
    while alive "$pid"; do
      ((SECONDS < deadline)) || return 1
      sleep 0.1
    done
  done
}

# Stops every process this script started that is still running, and waits for them. Safe to call twice.
stop_all() {
  local running=() pid
  for pid in $server "${worker_pids[@]}"; do alive "$pid" && running+=("$pid"); done
  if ((${#running[@]} > 0)); then
    for pid in "${running[@]}"; do signal_group TERM "$pid"; done
    if ! await_exit 10 "${running[@]}"; then
      for pid in "${running[@]}"; do signal_group KILL "$pid"; done
    fi
    for pid in "${running[@]}"; do wait "$pid" 2>/dev/null || true; done
  fi
  exec 3>&- 4>&-
  for pid in "${tees[@]}"; do
    await_exit 5 "$pid" || kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  tees=()
}

on_signal() {
  trap - INT TERM HUP
  echo "cluster-local: $1: stopping the server and ${#worker_pids[@]} worker(s)" >&2
  stop_all
  exit "$2"
}
trap stop_all EXIT
trap 'on_signal SIGINT 130' INT
trap 'on_signal SIGTERM 143' TERM
trap 'on_signal SIGHUP 129' HUP

# The server: its stdout and stderr each through a tee that ignores Ctrl-C, so its last lines still show.
: >"$out/server.log"
exec 3> >(trap '' INT; exec tee -a "$out/server.log")
tees+=("$!")
exec 4> >(trap '' INT; exec tee -a "$out/server.log" >&2)
tees+=("$!")
spawn dotnet "$dll" run --cluster --hostname 127.0.0.1 --port 0 --workers "$workers" --out "$out" "${settings[@]}" \
  >&3 2>&4 3>&- 4>&-
server=$!
exec 3>&- 4>&-

# Its address, once its actor system is up (after it has loaded the data set, which a first run fetches).
port=""
while [[ -z "$port" ]] && alive "$server"; do
  port="$(sed -nE 's/.*server node 127\.0\.0\.1:([0-9]+): waiting.*/\1/p' "$out/server.log" | head -n 1)"
  [[ -n "$port" ]] || sleep 0.2
done
if [[ -n "$port" ]]; then
  echo "cluster-local: server on 127.0.0.1:$port; starting $workers worker(s), logs in $out/worker-K.log" >&2
  for k in $(seq 1 "$workers"); do
    spawn dotnet "$dll" node --role worker --hostname 127.0.0.1 --port 0 --seed-nodes "127.0.0.1:$port" "${settings[@]}" \
      >"$out/worker-$k.log" 2>&1
    worker_pids+=("$!")
  done
fi

code=0
wait "$server" || code=$?

# A worker ends by itself when the server ends the run (or leaves); one that has not after 30 s is stopped.
await_exit 30 "${worker_pids[@]}" || true
failed=""
for k in $(seq 1 "${#worker_pids[@]}"); do
  pid="${worker_pids[k - 1]}"
  if alive "$pid"; then
    failed+="; worker-$k was still running 30 s after the server ended, stopped"
    continue
  fi
  worker_code=0
  wait "$pid" || worker_code=$?
  if ((worker_code > 128)); then
    failed+="; worker-$k was killed by SIG$(kill -l $((worker_code - 128)))"
  elif ((worker_code != 0)); then
    reason="$(grep -m 1 '^error: ' "$out/worker-$k.log" || true)"
    failed+="; worker-$k exited $worker_code${reason:+ (${reason#error: })}"
  fi
done
stop_all
[[ -z "$failed" ]] || echo "cluster-local: ${failed#; } (logs: $out/worker-K.log)" >&2
# A server that refused to start (a configuration error, a port in use, …) wrote nothing but its log, whose lines
# were also shown above: remove it (and the folder, if this script created it), so the corrected rerun can use it.
if ((code != 0)) && [[ -z "$port" && "$(ls -A "$out")" == "server.log" ]]; then
  rm -f "$out/server.log"
  [[ -z "$created_out" ]] || rmdir "$out" 2>/dev/null || true
fi
exit "$code"
