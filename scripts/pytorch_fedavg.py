#!/usr/bin/env python3
"""A plain PyTorch FedAvg loop: the reference `fedtrust bench` (stage 5, the PyTorch stage) times FedTrust against.

It does exactly the experiment a FedTrust run does, from a plan FedTrust writes (src/FedTrust.Cli/Bench/PyTorchPlan.cs):
the initial weights (FedTrust's own, in its parameter order), every round's sampled clients and every client's batch
order (sample indices of the training set, epoch after epoch), the model, the hyper-parameters (local epochs, batch
size, learning rate, SGD momentum, evaluation batch size) and the IDX files with their normalisation. Per client: load
the global weights, a fresh torch.optim.SGD with momentum, per batch index_select + forward + cross-entropy + backward +
step; the update is w_local - w_global. The server averages the updates weighted by sample count (in float64, in client
order, as FedTrust's FedAvg does), adds the average to the global weights and evaluates them on the whole test set.

Modes: PxT, P processes of T libtorch threads each.
  1xT  one process trains the sampled clients one after another with T threads (then evaluates with T threads);
  Px1  P worker processes (forked after the data is read) train client i on worker i mod P with one thread each, the
       global weights and the updates in shared memory; the main process aggregates and evaluates with P threads.

Output (stdout), one JSON object per line: {"kind": "setup", ...} then {"kind": "round", "round", "seconds",
"accuracy", "loss"} per round, where seconds run from sending the round to the end of its evaluation (what FedTrust's
result.json records as a round's seconds). --weights-out FILE writes the final global weights (float32, little-endian).

  python3 pytorch_fedavg.py --check           # torch's version and the BLAS it loaded, as JSON; exit 0
  python3 pytorch_fedavg.py PLAN_DIR --mode 2x1
"""

import argparse
import json
import multiprocessing
import os
import struct
import sys
import time


def blas_library():
    """The BLAS shared library this process mapped (after a matrix product, so it is loaded), and what kind it is."""
    import torch

    torch.mm(torch.ones(64, 64), torch.ones(64, 64))
    paths = set()
    with open("/proc/self/maps", encoding="utf-8") as maps:
        for line in maps:
            parts = line.split()
            if len(parts) >= 6 and ("blas" in parts[5].lower() or "libmkl" in parts[5].lower()):
                paths.add(parts[5])
    for path in sorted(paths):
        low = path.lower()
        if "openblas" in low:
            return "openblas", path
        if "mkl" in low:
            return "mkl", path
        if "blis" in low:
            return "blis", path
    for path in sorted(paths):
        if "libblas" in path:
            return "reference", path  # Debian's netlib libblas.so.3: the reference implementation
    if not paths and "BLAS_INFO=mkl" in torch.__config__.show():
        return "mkl", "linked into libtorch (pip's build)"
    return "unknown", ", ".join(sorted(paths)) or "no BLAS library mapped"


def check():
    import torch

    kind, path = blas_library()
    print(json.dumps({"kind": "check", "torch": torch.__version__, "blas": kind, "blasLibrary": path}))


def read_idx(path, magic):
    """An IDX file's payload as a uint8 tensor shaped by its header (magic 2051: images, 2049: labels)."""
    import torch

    with open(path, "rb") as f:
        data = f.read()
    (found,) = struct.unpack(">i", data[:4])
    if found != magic:
        raise SystemExit(f"error: {path}: magic {found}, expected {magic}")
    dims = data[3] & 0xFF
    shape = struct.unpack(">" + "i" * dims, data[4:4 + 4 * dims])
    payload = bytearray(data[4 + 4 * dims:])
    count = 1
    for d in shape:
        count *= d
    if len(payload) != count:
        raise SystemExit(f"error: {path}: header says {shape}, the file has {len(payload)} values")
    return torch.frombuffer(payload, dtype=torch.uint8).reshape(shape)


def images(path, mean, std):
    """Images as FedTrust's LabeledTensors holds them: float32 [N, rows*cols], /255, -mean, /std, in that order."""
    import torch

    raw = read_idx(path, 2051)
    return raw.reshape(raw.shape[0], -1).to(dtype=torch.float32).div_(255.0).sub_(mean).div_(std)


def labels(path):
    import torch

    return read_idx(path, 2049).to(dtype=torch.int64)


def build_model(name):
    """The architectures of FedTrust's ModelZoo (src/FedTrust.Core/Learning/ModelZoo.cs), parameters in the same order."""
    import torch
    from torch import nn

    class Mlp(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(28 * 28, 200)
            self.output = nn.Linear(200, 10)

        def forward(self, x):
            return self.output(torch.relu(self.hidden(x.flatten(1))))

    class Cnn(nn.Module):
        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=5, padding=2)
            self.conv2 = nn.Conv2d(16, 32, kernel_size=5, padding=2)
            self.head = nn.Linear(32 * 7 * 7, 10)

        def forward(self, x):
            x = x.reshape(-1, 1, 28, 28)
            x = torch.max_pool2d(torch.relu(self.conv1(x)), 2)
            x = torch.max_pool2d(torch.relu(self.conv2(x)), 2)
            return self.head(x.flatten(1))

    models = {"mlp": Mlp, "cnn": Cnn}
    if name not in models:
        raise SystemExit(f"error: model '{name}': this reference has {', '.join(models)} (cnn-large's dropout masks cannot be the same)")
    return models[name]()


class Plan:
    """What FedTrust wrote: plan.json, the initial weights and the batch orders."""

    def __init__(self, folder):
        import torch

        with open(os.path.join(folder, "plan.json"), encoding="utf-8") as f:
            plan = json.load(f)
        if plan.get("format") != 1:
            raise SystemExit(f"error: {folder}/plan.json: format {plan.get('format')}, this script reads format 1")
        self.model = plan["model"]
        self.shapes = [tuple(p["shape"]) for p in plan["parameters"]]
        self.epochs = plan["localEpochs"]
        self.batch = plan["batchSize"]
        self.lr = plan["learningRate"]
        self.momentum = plan["momentum"]
        self.eval_batch = plan["evalBatchSize"]
        self.data = plan["data"]
        self.rounds = plan["rounds"]
        weights = bytearray(open(os.path.join(folder, plan["weights"]), "rb").read())
        self.initial = torch.frombuffer(weights, dtype=torch.float32).clone()
        order = bytearray(open(os.path.join(folder, plan["order"]), "rb").read())
        self.order = torch.frombuffer(order, dtype=torch.int32).to(torch.int64)

    def batches(self, client):
        """The client's batches of sample indices, epoch after epoch (FedTrust's LocalTrainer order)."""
        n = client["samples"]
        for epoch in range(self.epochs):
            start = client["offset"] + epoch * n
            for b in range(0, n, self.batch):
                yield self.order[start + b:start + min(b + self.batch, n)]


def load_vector(model, vector):
    """Copies a flat vector into the parameters (torch's vector_to_parameters would make them views of it, so that
    training would write into the global weights)."""
    import torch

    with torch.no_grad():
        offset = 0
        for p in model.parameters():
            n = p.numel()
            p.copy_(vector[offset:offset + n].view_as(p))
            offset += n


def train_client(model, plan, client, global_weights, train_x, train_y):
    """One client's local training from the global weights; returns its update Δ = w_local - w_global."""
    import torch
    from torch.nn import functional
    from torch.nn.utils import parameters_to_vector

    with torch.no_grad():
        load_vector(model, global_weights)
    model.train()
    optimizer = torch.optim.SGD(model.parameters(), lr=plan.lr, momentum=plan.momentum)
    for idx in plan.batches(client):
        x = train_x.index_select(0, idx)
        y = train_y.index_select(0, idx)
        optimizer.zero_grad()
        functional.cross_entropy(model(x), y).backward()
        optimizer.step()
    with torch.no_grad():
        return parameters_to_vector(model.parameters()) - global_weights


def evaluate(model, plan, weights, test_x, test_y):
    """Accuracy and mean cross-entropy of the weights on the whole test set, in batches of the evaluation batch size."""
    import torch
    from torch.nn import functional

    with torch.no_grad():
        load_vector(model, weights)
        model.eval()
        correct, loss = 0, 0.0
        for start in range(0, test_x.shape[0], plan.eval_batch):
            x = test_x[start:start + plan.eval_batch]
            y = test_y[start:start + plan.eval_batch]
            logits = model(x)
            loss += functional.cross_entropy(logits, y, reduction="sum").item()
            correct += int((logits.argmax(1) == y).sum())
    return correct / test_x.shape[0], loss / test_x.shape[0]


def fedavg(global_weights, deltas, samples):
    """w + Σ nᵢΔᵢ / Σ nᵢ, summed in float64 in client order (FedTrust's FedAvg), rounded to float32 and added."""
    import torch

    total = float(sum(samples))
    acc = torch.zeros(global_weights.shape[0], dtype=torch.float64)
    for delta, n in zip(deltas, samples):
        acc.add_(delta.to(torch.float64), alpha=n / total)
    return global_weights + acc.to(torch.float32)


def worker(rank, processes, plan, shared_global, shared_deltas, train_x, train_y, tasks, done):
    import torch

    torch.set_num_threads(1)
    model = build_model(plan.model)
    while True:
        r = tasks.get()
        if r is None:
            return
        clients = plan.rounds[r]["clients"]
        for i in range(rank, len(clients), processes):
            shared_deltas[i].copy_(train_client(model, plan, clients[i], shared_global, train_x, train_y))
        done.put(rank)


def run(folder, mode, weights_out, rounds_limit):
    import torch

    try:
        processes, threads = (int(v) for v in mode.lower().split("x"))
    except ValueError:
        raise SystemExit(f"error: --mode {mode}: expected PxT, e.g. 2x1 or 1x2")
    if processes < 1 or threads < 1 or (processes > 1 and threads != 1):
        raise SystemExit(f"error: --mode {mode}: either one process of T threads (1xT) or P processes of one thread (Px1)")
    # One thread while reading, so that nothing has started an OpenMP pool before the workers are forked.
    torch.set_num_threads(1)
    plan = Plan(folder)
    data = plan.data
    train_x = images(data["trainImages"], data["mean"], data["std"])
    train_y = labels(data["trainLabels"])
    test_x = images(data["testImages"], data["mean"], data["std"])
    test_y = labels(data["testLabels"])
    model = build_model(plan.model)
    shapes = [tuple(p.shape) for p in model.parameters()]
    if shapes != plan.shapes:
        raise SystemExit(f"error: {folder}/plan.json: parameter shapes {plan.shapes}, the {plan.model} here has {shapes}")
    rounds = plan.rounds if rounds_limit is None else plan.rounds[:rounds_limit]
    kind, path = blas_library()
    print(json.dumps({"kind": "setup", "torch": torch.__version__, "blas": kind, "blasLibrary": path, "mode": mode,
                      "model": plan.model, "rounds": len(rounds), "parameters": int(plan.initial.shape[0])}), flush=True)

    global_weights = plan.initial.clone()
    pool = []
    if processes > 1:
        most = max(len(r["clients"]) for r in rounds)
        shared_global = global_weights.clone().share_memory_()
        shared_deltas = torch.zeros(most, global_weights.shape[0]).share_memory_()
        context = multiprocessing.get_context("fork")
        tasks = [context.Queue() for _ in range(processes)]
        done = context.Queue()
        pool = [context.Process(target=worker, args=(rank, processes, plan, shared_global, shared_deltas, train_x, train_y, tasks[rank], done),
                                daemon=True) for rank in range(processes)]
        for p in pool:
            p.start()
    torch.set_num_threads(threads if processes == 1 else processes)

    try:
        for r, planned in enumerate(rounds):
            clients = planned["clients"]
            start = time.perf_counter()
            if processes > 1:
                shared_global.copy_(global_weights)
                for q in tasks:
                    q.put(r)
                for _ in range(processes):
                    done.get()
                deltas = [shared_deltas[i] for i in range(len(clients))]
            else:
                deltas = [train_client(model, plan, c, global_weights, train_x, train_y) for c in clients]
            global_weights = fedavg(global_weights, deltas, [c["samples"] for c in clients])
            accuracy, loss = evaluate(model, plan, global_weights, test_x, test_y)
            seconds = time.perf_counter() - start
            print(json.dumps({"kind": "round", "round": planned["round"], "seconds": seconds, "accuracy": accuracy, "loss": loss}), flush=True)
    finally:
        for p in pool:
            tasks[pool.index(p)].put(None)
        for p in pool:
            p.join(timeout=10)
    if weights_out:
        with open(weights_out, "wb") as f:
            f.write(global_weights.numpy().astype("<f4").tobytes())


def main():
    parser = argparse.ArgumentParser(description="A plain PyTorch FedAvg loop doing the experiment of a plan FedTrust wrote.")
    parser.add_argument("plan", nargs="?", help="the folder FedTrust wrote the plan into (plan.json, weights, batch orders)")
    parser.add_argument("--mode", default="1x1", help="PxT: P processes of T libtorch threads each (1xT or Px1; default 1x1)")
    parser.add_argument("--rounds", type=int, default=None, help="only the first N rounds of the plan")
    parser.add_argument("--weights-out", help="write the final global weights here (float32, little-endian)")
    parser.add_argument("--check", action="store_true", help="print torch's version and the BLAS it loaded, as JSON, and exit")
    args = parser.parse_args()
    if args.check:
        check()
        return
    if not args.plan:
        parser.error("give the plan folder (or --check)")
    run(args.plan, args.mode, args.weights_out, args.rounds)


if __name__ == "__main__":
    main()
