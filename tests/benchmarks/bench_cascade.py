"""Benchmark: failure cascade on 5,000 facilities and 20,000 dependencies.

Target: one ``compute_cascade`` run in ≤ 100 ms. The baseline, measured in the
same run, is a plain breadth-first search over the same supplier → dependent
adjacency (what any cascade must at least do), so the ratio says how much the
priority queue, redundancy and generator rules cost on top of a traversal.

Run: ``python tests/benchmarks/bench_cascade.py [facilities] [dependencies]``
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import deque
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from krisenstab.domain.cascade import (
    CascadeDependency,
    CascadeGraph,
    CascadeNode,
    DependencyKind,
    Scenario,
    compute_cascade,
)

MUNICIPALITIES = ("Musterstadt", "Beispielhausen", "Probedorf", "Testingen", "Übungsheim")
KINDS = tuple(DependencyKind)
TARGET_MS = 100.0
RUNS = 15


def build(n_nodes: int, n_deps: int, seed: int = 4711) -> tuple[list, list]:
    rng = random.Random(seed)
    nodes = []
    for i in range(n_nodes):
        roll = rng.random()
        status = "betriebsbereit"
        remaining = None
        if roll < 0.02:
            status = "ausgefallen"
        elif roll < 0.05:
            status = "Notstrombetrieb"
            remaining = rng.uniform(0, 24)
        nodes.append(
            CascadeNode(
                id=f"obj-{i}",
                name=f"Musterobjekt {i}",
                persons_supplied=rng.randrange(0, 5000),
                status=status,
                generator_autonomy_h=rng.choice((None, None, 8.0, 24.0, 72.0)),
                generator_remaining_h=remaining,
                failed_since_h=rng.choice((None, 2.0)),
                municipality=rng.choice(MUNICIPALITIES),
            )
        )
    deps = []
    for _ in range(n_deps):
        # Mostly "downhill" (lower index supplies higher), some back edges for cycles;
        # few kinds per facility so redundancy (several suppliers of one kind) is common.
        a, b = rng.randrange(n_nodes), rng.randrange(n_nodes)
        if a == b:
            b = (b + 1) % n_nodes
        if rng.random() < 0.85 and a < b:
            a, b = b, a
        kind = KINDS[(a + rng.randrange(2)) % len(KINDS)]
        deps.append(
            CascadeDependency(f"obj-{a}", f"obj-{b}", kind, rng.choice((0.0, 0.0, 4.0, 12.0)))
        )
    return nodes, deps


def bfs(adjacency: list[list[int]], sources: list[int]) -> int:
    seen = bytearray(len(adjacency))
    queue = deque(sources)
    for s in sources:
        seen[s] = 1
    count = 0
    while queue:
        u = queue.popleft()
        count += 1
        for w in adjacency[u]:
            if not seen[w]:
                seen[w] = 1
                queue.append(w)
    return count


def median_ms(fn, runs: int = RUNS) -> float:
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000.0)
    return statistics.median(samples)


def median_cpu_ms(fn, runs: int = RUNS) -> float:
    """CPU time of this process: tells a slow algorithm from a busy machine."""
    samples = []
    for _ in range(runs):
        t0 = time.process_time()
        fn()
        samples.append((time.process_time() - t0) * 1000.0)
    return statistics.median(samples)


def main() -> None:
    n_nodes = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    n_deps = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    nodes, deps = build(n_nodes, n_deps)
    index = {node.id: i for i, node in enumerate(nodes)}
    adjacency: list[list[int]] = [[] for _ in nodes]
    for dep in deps:
        adjacency[index[dep.supplier_id]].append(index[dep.dependent_id])
    fail = [f"obj-{i}" for i in range(0, n_nodes, max(1, n_nodes // 20))]
    scenarios = {
        "20 failures + 1 area outage": (fail, ["Musterstadt"]),
        "all 5 municipalities dark": ([], list(MUNICIPALITIES)),
    }
    graph = CascadeGraph(nodes, deps)
    t_build = median_ms(lambda: CascadeGraph(nodes, deps))
    print(f"Graph: {n_nodes} facilities, {n_deps} dependencies (cycles, redundancy, generators)")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"Median of {RUNS} runs (wall clock; CPU time in brackets); load average {load:.2f}")
    print("Baseline: plain BFS over the same supplier → dependent adjacency, same sources")
    t_build_cpu = median_cpu_ms(lambda: CascadeGraph(nodes, deps))
    print(f"  build CascadeGraph            {t_build:8.1f} ms  ({t_build_cpu:.1f} ms CPU)")
    worst = 0.0
    for label, (fail_ids, areas) in scenarios.items():
        scenario = Scenario(fail_ids=fail_ids, area_outages=areas, horizon_h=float("inf"))
        area_set = set(areas)
        sources = [index[f] for f in fail_ids] + [
            i for i, node in enumerate(nodes) if node.municipality in area_set
        ]
        result = compute_cascade(graph, scenario)
        reached = bfs(adjacency, sources)
        t_run = median_ms(lambda scenario=scenario: compute_cascade(graph, scenario))
        t_both = median_ms(
            lambda scenario=scenario: compute_cascade(CascadeGraph(nodes, deps), scenario)
        )
        t_bfs = median_ms(lambda sources=sources: bfs(adjacency, sources))
        t_run_cpu = median_cpu_ms(lambda scenario=scenario: compute_cascade(graph, scenario))
        worst = max(worst, t_run)
        print(f"Scenario: {label}")
        print(f"  failing (no horizon): {len(result.timeline)}; BFS reaches {reached}")
        print(
            f"  compute_cascade               {t_run:8.1f} ms  ({t_run_cpu:.1f} ms CPU; "
            f"target ≤ {TARGET_MS:.0f} ms)"
        )
        print(f"  build + compute               {t_both:8.1f} ms")
        print(f"  baseline plain BFS            {t_bfs:8.1f} ms")
        print(f"  ratio compute / BFS           {t_run / t_bfs:8.1f} x")
        print(f"  ratio build+compute / BFS     {t_both / t_bfs:8.1f} x")
    verdict = "OK" if worst <= TARGET_MS else "ZU LANGSAM"
    print(f"compute_cascade, slowest scenario {worst:.1f} ms: {verdict}")


if __name__ == "__main__":
    main()
