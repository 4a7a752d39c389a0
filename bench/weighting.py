"""Benchmark surveys.weighting.rake against the weightipy reference (RIM raking).

Run: python -m bench.weighting   (needs bench/requirements.txt installed)

Three margins with 5, 2 and 5 categories on 10k, 100k and 1M synthetic respondents whose
region and gender are correlated (so raking needs several sweeps). Reports the best wall time
of several runs for each implementation, the largest relative difference between the two sets
of weights, and whether the targets (1M rows < 1 s, >= 5x faster, difference < 1e-6) hold.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np

from surveys.weighting import rake

MARGINS = {
    "region": {0: 0.10, 1: 0.30, 2: 0.20, 3: 0.25, 4: 0.15},
    "gender": {0: 0.48, 1: 0.52},
    "age": {0: 0.15, 1: 0.20, 2: 0.25, 3: 0.22, 4: 0.18},
}
SIZES = (10_000, 100_000, 1_000_000)


def synthetic(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    region = rng.choice(5, n, p=[0.3, 0.1, 0.2, 0.25, 0.15])
    gender = (rng.random(n) < 0.4 + 0.05 * region).astype(np.int64)
    age = rng.choice(5, n, p=[0.1, 0.15, 0.2, 0.25, 0.3])
    return {"region": region, "gender": gender, "age": age}


def best_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> int:
    try:
        import pandas as pd
        import weightipy as wp
    except ImportError:
        wp = None
        print("weightipy not installed: timing surveys.weighting only")
    ok = True
    header = (
        f"{'rows':>10} {'iters':>5} {'ours (s)':>10} {'weightipy (s)':>14} "
        f"{'speed-up':>9} {'max rel diff':>13}  targets"
    )
    print(header)
    print("-" * len(header))
    for n in SIZES:
        data = synthetic(n)
        rake(data, MARGINS, tol=1e-12)  # warm-up
        ours_t, result = best_time(lambda d=data: rake(d, MARGINS, tol=1e-12), repeat=7)
        ref_t, diff, ratio = float("nan"), float("nan"), float("nan")
        if wp is not None:
            frame = pd.DataFrame(data)
            scheme = wp.scheme_from_dict(
                {k: {c: 100 * s for c, s in v.items()} for k, v in MARGINS.items()},
                name="bench",
                rim_params={"convcrit": 1e-14, "max_iterations": 1000},
            )
            ref_t, ref = best_time(lambda f=frame, s=scheme: wp.weight(f, s), repeat=3)
            ref_w = ref.to_numpy()
            diff = float(np.max(np.abs(result.weights - ref_w) / np.abs(ref_w)))
            ratio = ref_t / ours_t
        checks = []
        if n == 1_000_000:
            checks.append(("<1s", ours_t < 1.0))
        if wp is not None:
            checks.append(("diff<1e-6", diff < 1e-6))
            if n == 1_000_000:
                checks.append((">=5x", ratio >= 5))
        ok &= all(passed for _, passed in checks)
        verdict = " ".join(f"{name}:{'ok' if passed else 'FAIL'}" for name, passed in checks)
        print(
            f"{n:>10,} {result.iterations:>5} {ours_t:>10.4f} {ref_t:>14.4f} "
            f"{ratio:>8.1f}x {diff:>13.2e}  {verdict}"
        )
    print("all targets met" if ok else "SOME TARGETS MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
