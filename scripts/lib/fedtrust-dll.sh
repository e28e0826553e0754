# Sourced by the scripts that start several fedtrust processes: builds the CLI once and names its dll, so that N
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
