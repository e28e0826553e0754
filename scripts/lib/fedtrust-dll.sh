# Sourced by the scripts that start several fedtrust processes. It builds the CLI once and names its dll, so that N
# processes do not each run `dotnet run` (and its build) at the same time.
#
#   fedtrust_dll ROOT   prints the path of fedtrust.dll to run with `dotnet`. With FEDTRUST_DLL set, that dll as it
#                       is (a build of your own, or the tests' build); otherwise an incremental Release build of
#                       src/FedTrust.Cli (a few seconds when nothing changed), the configuration scripts/fedtrust runs.
# On failure it prints one `error: …` line and returns 2 for a FEDTRUST_DLL that does not exist, 1 for a build that
# failed (after the build's own error lines).

fedtrust_dll() {
  local root="$1"
  if [[ -n "${FEDTRUST_DLL:-}" ]]; then
    if [[ ! -f "$FEDTRUST_DLL" ]]; then
      echo "error: FEDTRUST_DLL=$FEDTRUST_DLL: no such file (unset it to build src/FedTrust.Cli)" >&2
      return 2
    fi
    printf '%s\n' "$FEDTRUST_DLL"
    return 0
  fi
  local log
  log="$(mktemp)"
  if ! dotnet build "$root/src/FedTrust.Cli" -c Release --nologo -v q >"$log" 2>&1; then
    grep -E ': error ' "$log" | sort -u >&2 || true
    echo "error: dotnet build $root/src/FedTrust.Cli -c Release failed (full output: $log)" >&2
    return 1
  fi
  rm -f "$log"
  printf '%s\n' "$root/src/FedTrust.Cli/bin/Release/net10.0/linux-x64/fedtrust.dll"
}

#   new_out_dir DIR     refuses (via the caller's usage_error) an out-dir that is a file or a folder that is not empty:
#                       a script's run never mixes its files with another run's.
new_out_dir() {
  if [[ -e "$1" && ! -d "$1" ]]; then usage_error "$1 is a file, not a folder"; fi
  if [[ -d "$1" && -n "$(ls -A "$1")" ]]; then usage_error "$1 is not empty: choose a new out-dir"; fi
}

#   print_help SCRIPT   prints the script's header comment (from line 2 to `set -euo pipefail`) as its --help.
print_help() {
  sed -n '2,/^set -euo/p' "$1" | sed '$d; s/^# \{0,1\}//'
}
