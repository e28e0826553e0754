#!/usr/bin/env bash
# The figures the docs show, regenerated from the grids that draw them (never by hand).
#
#   scripts/figures.sh GRID... [--out DIR]     runs each GRID, then copies its figures
#   scripts/figures.sh GRID --from DIR         copies the figures of a grid folder you already have
#
#   GRID   paper | robustness | heterogeneity (or all). Each runs the command its captions in hocon/README.md name:
#            paper          fedtrust grid --config hocon/paper-grid.conf                       (full: 28 cells, ~5 min)
#            robustness     fedtrust grid --config hocon/robustness-grid.conf --quick
#                             --set 'fedtrust.grid.defenses=[hybrid,"centered-clipping+trust"]'
#            heterogeneity  fedtrust grid --config hocon/heterogeneity-grid.conf --quick --set 'fedtrust.grid.datasets=[mnist]'
#                             --set 'fedtrust.grid.defenses=[fedavg,trust,"median+trust",hybrid]'
#   --out  the folder the grids run in, one subfolder per grid (default runs/figures); a grid reuses the cells it
#          already finished there, so a second call only copies
#   --from an existing output folder of one GRID (e.g. a full grid you ran yourself: then change its captions)
#
# It copies the PNGs the grid wrote (src/FedTrust.Cli/Reports: Figures.cs, RobustnessReport.cs, HeterogeneityReport.cs)
# to hocon/figures/<grid>-<file>.png (about 40-50 KB each), recompressed losslessly (metadata stripped) when
# ImageMagick's convert is on PATH, and records where each came from in hocon/figures/SOURCES.txt. A figure the grid
# did not write is named and the script exits 1. With FEDTRUST_DLL=path/fedtrust.dll it runs that build (otherwise
# an incremental Release build).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=lib/fedtrust-dll.sh
source "$root/scripts/lib/fedtrust-dll.sh"

usage_error() {
  echo "error: $1 (usage: scripts/figures.sh GRID... [--out DIR] | scripts/figures.sh GRID --from DIR; GRID: paper, robustness, heterogeneity, all)" >&2
  exit 2
}

# The figures each grid contributes, and the arguments of the grid run that draws them.
figures_of() {
  case "$1" in
    paper) echo "fig-accuracy-gradient-manipulation.png fig-accuracy-label-flip.png fig-comparison.png trust-hybrid-gradient-manipulation-0.3.png" ;;
    robustness) echo "worst-case-heatmap.png asr-heatmap.png" ;;
    heterogeneity) echo "heterogeneity-heatmap-mnist.png" ;;
  esac
}
grid_args() {
  case "$1" in
    paper) grid_cmd=(grid --config "$root/hocon/paper-grid.conf") ;;
    robustness) grid_cmd=(grid --config "$root/hocon/robustness-grid.conf" --quick
                          --set 'fedtrust.grid.defenses=[hybrid,"centered-clipping+trust"]') ;;
    heterogeneity) grid_cmd=(grid --config "$root/hocon/heterogeneity-grid.conf" --quick
                             --set 'fedtrust.grid.datasets=[mnist]'
                             --set 'fedtrust.grid.defenses=[fedavg,trust,"median+trust",hybrid]') ;;
  esac
}

case "${1:-}" in -h|--help) print_help "$0"; exit 0 ;; esac
grids=() from="" out="runs/figures"
while [[ $# -gt 0 ]]; do
  case "$1" in
    paper|robustness|heterogeneity) grids+=("$1") ;;
    all) grids+=(paper robustness heterogeneity) ;;
    --from) [[ $# -ge 2 ]] || usage_error "--from needs a folder"; from="$2"; shift ;;
    --out) [[ $# -ge 2 ]] || usage_error "--out needs a folder"; out="$2"; shift ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
  shift
done
[[ ${#grids[@]} -gt 0 ]] || usage_error "no GRID given"
if [[ -n "$from" ]]; then
  [[ ${#grids[@]} -eq 1 ]] || usage_error "--from takes the folder of one GRID, but ${#grids[@]} were given"
  [[ -d "$from" ]] || usage_error "--from $from: no such folder"
fi

dest="$root/hocon/figures"
mkdir -p "$dest"
sources="$dest/SOURCES.txt"
touch "$sources"
missing=0
for grid in "${grids[@]}"; do
  grid_args "$grid"
  if [[ -n "$from" ]]; then
    dir="$from"
    origin="$(cd "$dir" && pwd) (given with --from)"
  else
    dll="$(fedtrust_dll "$root")" || exit $?
    dir="$out/$grid"
    mkdir -p "$dir"
    echo "figures: $grid: fedtrust ${grid_cmd[*]} --out $dir" >&2
    dotnet "$dll" "${grid_cmd[@]}" --out "$dir"
    origin="$dir (run by scripts/figures.sh)"
  fi
  for file in $(figures_of "$grid"); do
    if [[ ! -f "$dir/$file" ]]; then
      echo "error: $dir/$file: the $grid grid wrote no such figure" >&2
      missing=1
      continue
    fi
    # The grid's name once: heterogeneity-heatmap-mnist.png stays as it is, worst-case-heatmap.png becomes robustness-worst-case-heatmap.png.
    name="$file"; [[ "$file" == "$grid-"* ]] || name="$grid-$file"
    target="$dest/$name"
    if convert -version 2>/dev/null | grep -q ImageMagick; then
      convert "$dir/$file" -strip -define png:compression-level=9 "$target"
    else
      cp "$dir/$file" "$target"
    fi
    # One line per figure: the latest source replaces an earlier one.
    line="$name: $file from $origin; the captions call it the output of: fedtrust ${grid_cmd[*]#"$root/"}"
    grep -v "^$name: " "$sources" > "$sources.tmp" || true
    echo "$line" >> "$sources.tmp"
    sort "$sources.tmp" > "$sources"
    rm -f "$sources.tmp"
    echo "figures: hocon/figures/$name ($(wc -c < "$target") bytes)"
  done
done
exit "$missing"
