#!/usr/bin/env bash
# The paper's baseline (FedAvg, 10 IID clients, no attack) with the MLP and with the CNN.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-runs/paper-baseline}"
"$here/fedtrust" run --config "$here/../hocon/paper.conf" --out "$out/mlp"
"$here/fedtrust" run --config "$here/../hocon/paper.conf" --set fedtrust.model=cnn --rounds 10 --out "$out/cnn"
