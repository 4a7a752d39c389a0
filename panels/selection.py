"""Fair panel selection: inputs, quota feasibility and LEXIMIN selection probabilities.

Volunteers with the same values on every quota feature are interchangeable, so all work is done
over these *types*: a panel is a vector of counts per type. A LEXIMIN distribution that treats
members of one type alike always exists, so optimising over types loses nothing and turns the
person-level problem (thousands of binary variables) into a small one.

References: Flanigan, Gölz, Gupta, Hennig, Procaccia, "Fair algorithms for selecting citizens'
assemblies", Nature 596 (2021). Only numpy/scipy (HiGHS) are used.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

ALGORITHM = "leximin-types-colgen"
VERSION = "1.1"  # 1.1: relaxation + decomposition first (same probabilities, other panels)
QUANTUM = 1e-3  # panel weights are whole multiples of this where possible (1/M for M=1000)


class SelectionInputError(ValueError):
    """Bad selection input; carries the row (1-based data row) and column when known."""

    def __init__(self, message: str, *, row: int | None = None, column: str | None = None):
        where = []
        if row is not None:
            where.append(f"row {row}")
        if column is not None:
            where.append(f"column '{column}'")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)
        self.row = row
        self.column = column
        self.detail = message


class InfeasibleQuotasError(ValueError):
    """No panel meets the quotas; `report` says which constraints conflict and how to relax them."""

    def __init__(self, report: FeasibilityReport):
        super().__init__(" ".join(report.messages))
        self.report = report


@dataclass(frozen=True)
class Quota:
    """How many panel members must have `value` for `feature` (inclusive bounds)."""

    feature: str
    value: str
    min: int
    max: int


@dataclass(frozen=True)
class Problem:
    """A selection problem reduced to volunteer types.

    Built with `Problem.from_people`; `profiles[t]` holds type t's value per feature,
    `members[t]` its person ids (sorted, so draws do not depend on input order).
    """

    features: tuple[str, ...]
    quotas: tuple[Quota, ...]
    panel_size: int
    profiles: tuple[tuple[str, ...], ...]
    members: tuple[tuple[str, ...], ...]
    person_features: Mapping[str, tuple[str, ...]] = field(repr=False)

    @classmethod
    def from_people(
        cls,
        people: Sequence[Mapping[str, str]],
        quotas: Iterable[Quota],
        panel_size: int,
        id_key: str = "id",
    ) -> Problem:
        """Group people into types; validate that every value is one the quotas know."""
        quotas = tuple(quotas)
        _validate_quotas(quotas)
        features: list[str] = []
        allowed: dict[str, set[str]] = {}
        for q in quotas:
            if q.feature not in allowed:
                features.append(q.feature)
                allowed[q.feature] = set()
            allowed[q.feature].add(q.value)
        if panel_size < 1:
            raise SelectionInputError(f"panel size must be at least 1, got {panel_size}")
        by_profile: dict[tuple[str, ...], list[str]] = {}
        person_features: dict[str, tuple[str, ...]] = {}
        for row, person in enumerate(people, start=1):
            if id_key not in person:
                raise SelectionInputError("missing id", row=row, column=id_key)
            pid = str(person[id_key]).strip()
            if not pid:
                raise SelectionInputError("empty id", row=row, column=id_key)
            if pid in person_features:
                raise SelectionInputError(f"duplicate id '{pid}'", row=row, column=id_key)
            profile = []
            for f in features:
                if f not in person:
                    raise SelectionInputError(f"missing feature '{f}'", row=row, column=f)
                v = str(person[f]).strip()
                if v not in allowed[f]:
                    raise SelectionInputError(
                        f"unknown value '{v}' for feature '{f}' "
                        f"(known values: {', '.join(sorted(allowed[f]))})",
                        row=row,
                        column=f,
                    )
                profile.append(v)
            person_features[pid] = tuple(profile)
            by_profile.setdefault(tuple(profile), []).append(pid)
        profiles = tuple(sorted(by_profile))
        members = tuple(tuple(sorted(by_profile[p])) for p in profiles)
        return cls(tuple(features), quotas, int(panel_size), profiles, members, person_features)

    @property
    def type_sizes(self) -> np.ndarray:
        return np.array([len(m) for m in self.members], dtype=np.int64)

    @property
    def pool_size(self) -> int:
        return len(self.person_features)

    def quota_matrix(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(A, lo, hi): A[q, t] = 1 when type t has quota q's value; lo <= A x <= hi."""
        index = {f: i for i, f in enumerate(self.features)}
        a = np.zeros((len(self.quotas), len(self.profiles)), dtype=np.int64)
        for qi, q in enumerate(self.quotas):
            fi = index[q.feature]
            for t, prof in enumerate(self.profiles):
                a[qi, t] = prof[fi] == q.value
        lo = np.array([q.min for q in self.quotas], dtype=np.int64)
        hi = np.array([q.max for q in self.quotas], dtype=np.int64)
        return a, lo, hi

    def type_index(self) -> dict[str, int]:
        """Person id -> type index."""
        return {pid: t for t, ids in enumerate(self.members) for pid in ids}

    def counts_meet_quotas(self, x: np.ndarray) -> bool:
        """True when the count vector is a valid panel (size, pool limits, every quota)."""
        a, lo, hi = self.quota_matrix()
        x = np.asarray(x)
        return bool(
            x.sum() == self.panel_size
            and np.all(x >= 0)
            and np.all(x <= self.type_sizes)
            and np.all(a @ x >= lo)
            and np.all(a @ x <= hi)
        )


def _validate_quotas(quotas: Sequence[Quota]) -> None:
    seen: set[tuple[str, str]] = set()
    for i, q in enumerate(quotas, start=1):
        key = (q.feature, q.value)
        if key in seen:
            raise SelectionInputError(f"duplicate quota for {q.feature}={q.value}", row=i)
        seen.add(key)
        if q.min < 0:
            raise SelectionInputError(f"min {q.min} is negative", row=i, column="min")
        if q.min > q.max:
            raise SelectionInputError(
                f"min {q.min} exceeds max {q.max} for {q.feature}={q.value}", row=i, column="min"
            )


# ---------------------------------------------------------------------------------------------
# Parsing the Sortition Foundation CSV formats


def _read_csv(text: str) -> tuple[list[str], list[list[str]]]:
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in r)]
    if not rows:
        raise SelectionInputError("the file is empty")
    return [h.strip() for h in rows[0]], rows[1:]


def _int_cell(cell: str, row: int, column: str) -> int:
    try:
        return int(cell.strip())
    except ValueError:
        msg = f"'{cell}' is not a whole number"
        raise SelectionInputError(msg, row=row, column=column) from None


def parse_categories(text: str) -> list[Quota]:
    """Read quotas from `feature,value,min,max` or the paper's `category,feature,min,max` CSV."""
    header, rows = _read_csv(text)
    if "value" in header:
        fcol, vcol = "feature", "value"
    elif "category" in header:
        fcol, vcol = "category", "feature"
    else:
        fcol, vcol = "feature", "value"
    for col in (fcol, vcol, "min", "max"):
        if col not in header:
            raise SelectionInputError(f"missing column '{col}'", column=col)
    pos = {h: i for i, h in enumerate(header)}
    quotas = []
    for row, cells in enumerate(rows, start=1):
        if len(cells) < len(header):
            raise SelectionInputError(f"expected {len(header)} cells, found {len(cells)}", row=row)
        feature, value = cells[pos[fcol]].strip(), cells[pos[vcol]].strip()
        if not feature or not value:
            raise SelectionInputError("empty feature or value", row=row)
        lo = _int_cell(cells[pos["min"]], row, "min")
        hi = _int_cell(cells[pos["max"]], row, "max")
        if lo > hi:
            raise SelectionInputError(
                f"min {lo} exceeds max {hi} for {feature}={value}", row=row, column="min"
            )
        quotas.append(Quota(feature, value, lo, hi))
    _validate_quotas(quotas)
    return quotas


def parse_people(
    text: str, quotas: Sequence[Quota], id_column: str | None = "id"
) -> list[dict[str, str]]:
    """Read volunteers; with `id_column=None` the 1-based data row number is the id."""
    header, rows = _read_csv(text)
    features = list(dict.fromkeys(q.feature for q in quotas))
    needed = ([id_column] if id_column else []) + features
    for col in needed:
        if col not in header:
            raise SelectionInputError(f"missing column '{col}'", column=col)
    people = []
    for row, cells in enumerate(rows, start=1):
        if len(cells) < len(header):
            raise SelectionInputError(f"expected {len(header)} cells, found {len(cells)}", row=row)
        person = {h: c.strip() for h, c in zip(header, cells, strict=False)}
        person["id"] = person[id_column] if id_column else str(row)
        people.append(person)
    Problem.from_people(people, quotas, 1)  # validates ids and values with row/column
    return people


def quotas_from_shares(
    shares: Mapping[str, Mapping[str, float]], panel_size: int, tolerance: float = 0.05
) -> list[Quota]:
    """Quotas of floor/ceil((share -/+ tolerance) * panel_size), shares normalised per feature."""
    quotas = []
    eps = 1e-9
    for feature, values in shares.items():
        total = float(sum(values.values()))
        if total <= 0 or any(s < 0 for s in values.values()):
            raise SelectionInputError(f"shares for '{feature}' must be non-negative, not all 0")
        for value, share in values.items():
            s = share / total
            lo = max(0, math.floor((s - tolerance) * panel_size + eps))
            hi = min(panel_size, math.ceil((s + tolerance) * panel_size - eps))
            quotas.append(Quota(feature, value, lo, hi))
    return quotas


def inputs_digest(problem: Problem, algorithm_version: str = f"{ALGORITHM}/{VERSION}") -> str:
    """SHA-256 of the canonical inputs, for the audit record of a selection."""
    doc = {
        "algorithm": algorithm_version,
        "panel_size": problem.panel_size,
        "features": list(problem.features),
        "quotas": sorted([q.feature, q.value, q.min, q.max] for q in problem.quotas),
        "people": sorted([pid, list(vals)] for pid, vals in problem.person_features.items()),
    }
    blob = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------------------
# Feasibility


@dataclass(frozen=True)
class Conflict:
    """One reason why no panel exists; `kind` is a stable code for translation."""

    kind: str  # "pool_too_small" | "shortage" | "min_sum" | "max_sum" | "cross_feature"
    feature: str | None
    value: str | None
    needed: int
    available: int
    message: str


@dataclass(frozen=True)
class QuotaChange:
    """A change to one quota, part of the smallest relaxation that makes the quotas feasible."""

    feature: str
    value: str
    old_min: int
    old_max: int
    new_min: int
    new_max: int

    @property
    def message(self) -> str:
        parts = []
        if self.new_min != self.old_min:
            parts.append(f"min {self.old_min} -> {self.new_min}")
        if self.new_max != self.old_max:
            parts.append(f"max {self.old_max} -> {self.new_max}")
        return f"{self.feature}={self.value}: " + ", ".join(parts)


@dataclass(frozen=True)
class FeasibilityReport:
    feasible: bool
    conflicts: tuple[Conflict, ...] = ()
    relaxation: tuple[QuotaChange, ...] = ()

    @property
    def messages(self) -> list[str]:
        out = [c.message for c in self.conflicts]
        if self.relaxation:
            out.append(
                "Smallest change that makes the quotas feasible: "
                + "; ".join(c.message for c in self.relaxation)
                + "."
            )
        return out

    def relaxed_quotas(self, quotas: Sequence[Quota]) -> list[Quota]:
        """The quotas with the proposed relaxation applied."""
        change = {(c.feature, c.value): c for c in self.relaxation}
        out = []
        for q in quotas:
            c = change.get((q.feature, q.value))
            out.append(Quota(q.feature, q.value, c.new_min, c.new_max) if c else q)
        return out


def _panel_constraints(problem: Problem) -> list[LinearConstraint]:
    a, lo, hi = problem.quota_matrix()
    k = problem.panel_size
    mat = sparse.vstack([sparse.csr_matrix(np.ones((1, a.shape[1]))), sparse.csr_matrix(a)])
    return [LinearConstraint(mat, np.r_[k, lo], np.r_[k, hi])]


def check_feasibility(problem: Problem) -> FeasibilityReport:
    """Say whether any panel meets the quotas; if not, why, and the smallest relaxation."""
    n_t = problem.type_sizes
    k = problem.panel_size
    a, lo, hi = problem.quota_matrix()
    if len(n_t) and k <= n_t.sum():
        res = milp(
            np.zeros(len(n_t)),
            integrality=np.ones(len(n_t)),
            bounds=Bounds(0, n_t),
            constraints=_panel_constraints(problem),
        )
        if res.status == 0:
            return FeasibilityReport(True)
    conflicts: list[Conflict] = []
    if problem.pool_size < k:
        conflicts.append(
            Conflict(
                "pool_too_small",
                None,
                None,
                k,
                problem.pool_size,
                f"The pool has {problem.pool_size} volunteers; the panel needs {k}.",
            )
        )
    available = a @ n_t
    for qi, q in enumerate(problem.quotas):
        if q.min > available[qi]:
            conflicts.append(
                Conflict(
                    "shortage",
                    q.feature,
                    q.value,
                    q.min,
                    int(available[qi]),
                    f"{q.feature}={q.value} volunteers: {int(available[qi])}; "
                    f"quotas need at least {q.min}.",
                )
            )
    for f in problem.features:
        rows = [i for i, q in enumerate(problem.quotas) if q.feature == f]
        sum_min = int(lo[rows].sum())
        sum_max = int(np.minimum(hi[rows], available[rows]).sum())
        if sum_min > k:
            conflicts.append(
                Conflict(
                    "min_sum",
                    f,
                    None,
                    sum_min,
                    k,
                    f"Minimums for {f} add up to {sum_min}, more than the panel size {k}.",
                )
            )
        if sum_max < k:
            conflicts.append(
                Conflict(
                    "max_sum",
                    f,
                    None,
                    k,
                    sum_max,
                    f"Maximums for {f} (capped by volunteers available) add up to {sum_max}, "
                    f"less than the panel size {k}.",
                )
            )
    relaxation: tuple[QuotaChange, ...] = ()
    if problem.pool_size >= k:
        relaxation = _minimal_relaxation(problem)
        if not conflicts:
            conflicts.append(
                Conflict(
                    "cross_feature",
                    None,
                    None,
                    0,
                    0,
                    "Each feature's quotas can be met on their own, "
                    "but no panel meets all of them together.",
                )
            )
    return FeasibilityReport(False, tuple(conflicts), relaxation)


def _minimal_relaxation(problem: Problem) -> tuple[QuotaChange, ...]:
    """Smallest total change to mins/maxes (integer MILP with slacks) that admits a panel."""
    a, lo, hi = problem.quota_matrix()
    n_t = problem.type_sizes
    nq, nt = a.shape
    # variables: x (nt, integer), s_down (nq), s_up (nq)
    eye = sparse.identity(nq, format="csr")
    a_s = sparse.csr_matrix(a)
    rows_lo = sparse.hstack([a_s, eye, sparse.csr_matrix((nq, nq))])  # A x + s_down >= lo
    rows_hi = sparse.hstack([a_s, sparse.csr_matrix((nq, nq)), -eye])  # A x - s_up <= hi
    size = sparse.hstack([sparse.csr_matrix(np.ones((1, nt))), sparse.csr_matrix((1, 2 * nq))])
    cons = [
        LinearConstraint(rows_lo, lo, np.inf),
        LinearConstraint(rows_hi, -np.inf, hi),
        LinearConstraint(size, problem.panel_size, problem.panel_size),
    ]
    upper = np.r_[n_t, lo, np.full(nq, problem.panel_size)]
    res = milp(
        np.r_[np.zeros(nt), np.ones(2 * nq)],
        integrality=np.r_[np.ones(nt), np.ones(2 * nq)],
        bounds=Bounds(0, upper),
        constraints=cons,
    )
    if res.status != 0:
        return ()
    s = np.round(res.x[nt:]).astype(int)
    changes = []
    for qi, q in enumerate(problem.quotas):
        down, up = int(s[qi]), int(s[nq + qi])
        if down or up:
            changes.append(QuotaChange(q.feature, q.value, q.min, q.max, q.min - down, q.max + up))
    return tuple(changes)


# ---------------------------------------------------------------------------------------------
# LEXIMIN


@dataclass(frozen=True)
class SolverStats:
    """Work done: levels and LPs include the relaxation's; `pricing_solves` counts every MILP
    (rounding fallbacks of the decomposition and pricing of the column generation)."""

    levels: int
    lp_solves: int
    pricing_solves: int
    columns: int
    seconds: float


@dataclass(frozen=True)
class SelectionResult:
    """A distribution over panels (count vectors over types) and the selection probabilities."""

    problem: Problem = field(repr=False)
    panels: np.ndarray  # (P, T) counts per type
    weights: np.ndarray  # (P,) probabilities, sum 1
    type_probabilities: np.ndarray  # (T,) per-person probability for each type
    algorithm: str
    version: str
    stats: SolverStats

    @property
    def person_probabilities(self) -> dict[str, float]:
        return {
            pid: float(self.type_probabilities[t])
            for t, ids in enumerate(self.problem.members)
            for pid in ids
        }

    @property
    def min_probability(self) -> float:
        return float(self.type_probabilities.min())

    @property
    def max_probability(self) -> float:
        return float(self.type_probabilities.max())

    @property
    def spread(self) -> float:
        return self.max_probability - self.min_probability

    @property
    def equal_share(self) -> float:
        return self.problem.panel_size / self.problem.pool_size

    @property
    def gini(self) -> float:
        return weighted_gini(self.type_probabilities, self.problem.type_sizes)


def weighted_gini(values: np.ndarray, weights: np.ndarray) -> float:
    """Gini coefficient of a vector in which values[i] occurs weights[i] times."""
    order = np.argsort(values)
    v, w = np.asarray(values, float)[order], np.asarray(weights, float)[order]
    total_w, total = w.sum(), (w * v).sum()
    if total <= 0:
        return 0.0
    cum_w = np.cumsum(w) - w
    cum_wv = np.cumsum(w * v) - w * v
    pair_sum = (w * (v * cum_w - cum_wv)).sum()  # sum over pairs s<t of w_s w_t (v_t - v_s)
    return float(pair_sum / (total_w * total))


class _Pricer:
    """Finds the panel maximising a weighted count sum (small MILP over type counts)."""

    def __init__(self, problem: Problem):
        self.n_t = problem.type_sizes.astype(float)
        self.cons = _panel_constraints(problem)
        self.integrality = np.ones(len(self.n_t))
        self.bounds = Bounds(0, self.n_t)
        self.calls = 0

    def best(self, w: np.ndarray) -> tuple[np.ndarray, float]:
        """Best panel for weights w and an upper bound on the best value."""
        self.calls += 1
        scale = max(float(np.abs(w).max()), 1e-300)
        res = milp(
            -w / scale,
            integrality=self.integrality,
            bounds=self.bounds,
            constraints=self.cons,
            options={"mip_rel_gap": 1e-9, "presolve": True},
        )
        if res.x is None:
            raise RuntimeError(f"pricing MILP failed: {res.message}")
        x = np.round(res.x).astype(np.int64)
        bound = res.mip_dual_bound if res.mip_dual_bound is not None else res.fun
        return x, max(float(w @ x), -float(bound) * scale)


def leximin(
    problem: Problem,
    *,
    seed: int = 0,
    initial_panels: int = 12,
    time_limit: float | None = None,
) -> SelectionResult:
    """LEXIMIN distribution over panels: maximise the smallest selection probability, then the
    next smallest, and so on.

    First the LEXIMIN point of the LP relaxation (fractional panels) is computed; it is an upper
    bound in the LEXIMIN order, so if it is a convex combination of integer panels it is the
    exact answer. That decomposition is tried by randomised rounding (`_Decomposer`). When it
    fails, column generation over type-count panels with exact MILP pricing takes over, seeded
    with the panels found so far: at each level the types whose dual value is positive are
    provably at the optimum min in every optimal solution (complementary slackness), so exactly
    those are fixed. Raises InfeasibleQuotasError when no panel exists and TimeoutError when
    `time_limit` seconds pass first.
    """
    started = time.perf_counter()
    deadline = None if time_limit is None else started + time_limit

    def check_time() -> None:
        if deadline is not None and time.perf_counter() > deadline:
            raise TimeoutError(f"LEXIMIN not finished within {time_limit} s")

    n_t = problem.type_sizes.astype(float)
    nt = len(n_t)
    rng = np.random.default_rng(seed)
    relaxed = _relaxed_leximin(problem, check_time) if nt else None
    if relaxed is None:
        report = check_feasibility(problem)
        if not report.feasible:
            raise InfeasibleQuotasError(report)
        relaxed_levels, relaxed_lps = 0, 0
        seed_columns: list[np.ndarray] = []
    else:
        y_star, relaxed_levels, relaxed_lps = relaxed
        decomposer = _Decomposer(problem, rng)
        seed_columns, seed_weights = decomposer.decompose(y_star, check_time)
        if seed_weights is not None:
            panels, weights = _merge(seed_columns, seed_weights)
            probs = (weights @ panels) / n_t
            if np.all(np.abs(probs - y_star / n_t) <= 1e-9 * max(1.0, float(probs.max()))):
                stats = SolverStats(
                    relaxed_levels,
                    relaxed_lps,
                    decomposer.milp_calls,
                    len(seed_columns),
                    time.perf_counter() - started,
                )
                return SelectionResult(problem, panels, weights, probs, ALGORITHM, VERSION, stats)
        report = check_feasibility(problem)
        if not report.feasible:
            raise InfeasibleQuotasError(report)
    return _column_generation(
        problem, rng, seed_columns, initial_panels, check_time, started, relaxed_levels, relaxed_lps
    )


def _merge(
    columns: Sequence[np.ndarray], weights: Sequence[float]
) -> tuple[np.ndarray, np.ndarray]:
    """Distinct panels with their summed weights; negligible weights dropped, sum 1."""
    total: dict[bytes, float] = {}
    rows: dict[bytes, np.ndarray] = {}
    for x, w in zip(columns, weights, strict=True):
        key = x.tobytes()
        total[key] = total.get(key, 0.0) + float(w)
        rows[key] = x
    keys = [key for key in total if total[key] > 1e-12]
    panels = np.array([rows[key] for key in keys], dtype=np.int64)
    weights_ = np.array([total[key] for key in keys])
    return panels, weights_ / weights_.sum()


def _relaxed_leximin(problem: Problem, check_time) -> tuple[np.ndarray, int, int] | None:
    """LEXIMIN expected counts over the LP relaxation (fractional panels); None if infeasible.

    Returns (y, levels, LP solves). Same fixing rule as the integer column generation.
    """
    n_t = problem.type_sizes.astype(float)
    nt = len(n_t)
    a, lo, hi = problem.quota_matrix()
    a_s = sparse.csr_matrix(a.astype(float))
    nq = len(lo)
    quota_rows = sparse.vstack([a_s, -a_s])
    quota_rows = sparse.hstack([quota_rows, sparse.csr_matrix((2 * nq, 1))])
    a_eq = sparse.csr_matrix(np.r_[np.ones(nt), 0.0][None, :])
    fixed = np.full(nt, np.nan)
    levels = 0
    y = np.zeros(nt)
    while np.isnan(fixed).any():
        check_time()
        levels += 1
        free_idx = np.flatnonzero(np.isnan(fixed))
        nf = len(free_idx)
        rows = sparse.csr_matrix((-1.0 / n_t[free_idx], (np.arange(nf), free_idx)), shape=(nf, nt))
        a_ub = sparse.vstack(
            [sparse.hstack([rows, sparse.csr_matrix(np.ones((nf, 1)))]), quota_rows]
        ).tocsr()
        lower = np.r_[np.where(np.isnan(fixed), 0.0, np.nan_to_num(fixed) * n_t), -np.inf]
        res = linprog(
            np.r_[np.zeros(nt), -1.0],
            A_ub=a_ub,
            b_ub=np.r_[np.zeros(nf), hi, -lo],
            A_eq=a_eq,
            b_eq=[problem.panel_size],
            bounds=np.c_[lower, np.r_[n_t, np.inf]],
            method="highs-ds",
        )
        if res.status == 2 and levels == 1:
            return None
        if res.status != 0:
            raise RuntimeError(f"relaxed LEXIMIN LP failed: {res.message}")
        z = -float(res.fun)
        y = res.x[:nt]
        dual = -res.ineqlin.marginals[:nf]
        tight = dual > 1e-9
        if not tight.any():
            tight = y[free_idx] / n_t[free_idx] <= z + 1e-9
        fixed[free_idx[tight]] = z - 1e-10
    return np.clip(y, 0.0, n_t), levels, levels


class _Decomposer:
    """Writes a point of the relaxation as a convex combination of integer panels.

    Carathéodory-style: pick an integer panel x on the smallest face of the relaxation that
    holds the current point y (x agrees with y where y is at a bound: 0, n_t, or a quota that
    is met exactly), take the largest step y' = (y - lam x) / (1 - lam) that stays feasible, and
    repeat on y', whose face has at least one more tight constraint; so at most T + Q + 1
    panels. Panels come from systematic sampling of y (marginals exact, panel size exact) and a
    greedy repair of quota violations by single-feature moves; a small MILP only if that fails.
    """

    def __init__(self, problem: Problem, rng: np.random.Generator):
        self.k = problem.panel_size
        self.n_t = problem.type_sizes.astype(float)
        a, self.lo, self.hi = problem.quota_matrix()
        self.a = a.astype(float)
        self.rng = rng
        self.milp_calls = 0
        features = problem.features
        qpos = {(q.feature, q.value): i for i, q in enumerate(problem.quotas)}
        self.qfeat = np.array([features.index(q.feature) for q in problem.quotas], dtype=np.int64)
        self.qidx = np.array(
            [[qpos[(f, prof[j])] for j, f in enumerate(features)] for prof in problem.profiles],
            dtype=np.int64,
        ).reshape(len(self.n_t), len(features))
        index = {prof: t for t, prof in enumerate(problem.profiles)}
        # neighbour[t, q]: the type equal to t except that quota q's feature has q's value
        self.neighbour = np.full((len(self.n_t), len(self.lo)), -1, dtype=np.int64)
        for t, prof in enumerate(problem.profiles):
            for qi, q in enumerate(problem.quotas):
                other = list(prof)
                other[self.qfeat[qi]] = q.value
                self.neighbour[t, qi] = index.get(tuple(other), -1)
        self.constraints = _panel_constraints(problem)

    def decompose(
        self, y_star: np.ndarray, check_time
    ) -> tuple[list[np.ndarray], list[float] | None]:
        """Panels and weights whose mix is y_star; weights None when no decomposition found
        (the panels found are still valid and returned as seed columns)."""
        n_t, a, lo0, hi0 = self.n_t, self.a, self.lo, self.hi
        nt, nq = len(n_t), len(lo0)
        rest = y_star.astype(float).copy()
        mass = 1.0
        columns: list[np.ndarray] = []
        weights: list[float] = []
        spare: list[np.ndarray] = []  # valid panels from abandoned paths (seed columns)
        failures = 0
        for _ in range(4 * (nt + nq) + 20):
            check_time()
            y = np.clip(rest / mass, 0.0, n_t)
            # rounding errors in `rest` grow by 1/mass in y
            eps = min(1e-9 + 1e-12 / mass, 1e-4)
            at0 = y <= eps
            atn = y >= n_t - eps
            c = a @ y
            tlo = c <= lo0 + 100 * eps
            thi = c >= hi0 - 100 * eps
            lo = np.where(thi, hi0, lo0)
            hi = np.where(tlo, lo0, hi0)
            movable = ~(at0 | atn)
            x = self._face_panel(y, lo, hi, at0, atn, movable)
            if x is None:
                # the path left the integer hull (or the face is hard): back up and re-draw
                failures += 1
                if failures > 4 or not columns:
                    return columns + spare, None
                keep = max(0, len(columns) - 2**failures)
                spare.extend(columns[keep:])
                del columns[keep:], weights[keep:]
                mass = 1.0 - math.fsum(weights)
                rest = y_star - (np.array(weights) @ np.array(columns) if columns else 0.0)
                continue
            lam = 1.0
            up = (x > y) & movable
            if up.any():
                lam = min(lam, float(np.min(y[up] / x[up])))
            down = (x < y) & movable
            if down.any():
                lam = min(lam, float(np.min((n_t[down] - y[down]) / (n_t[down] - x[down]))))
            cx = a @ x
            up = (cx > c) & ~tlo
            if up.any():
                lam = min(lam, float(np.min((c[up] - lo0[up]) / (cx[up] - lo0[up]))))
            down = (cx < c) & ~thi
            if down.any():
                lam = min(lam, float(np.min((hi0[down] - c[down]) / (hi0[down] - cx[down]))))
            columns.append(x.astype(np.int64))
            if lam >= 1.0 - 1e-12 or mass * (1.0 - lam) <= 1e-11:
                weights.append(mass)
                return columns, weights
            step = lam * mass
            if step >= QUANTUM:  # whole lottery tickets where possible: rounding stays easy
                step = math.floor(step / QUANTUM + 1e-9) * QUANTUM
            weights.append(step)
            rest = rest - step * x
            mass -= step
        return columns + spare, None

    def _face_panel(self, y, lo, hi, at0, atn, movable) -> np.ndarray | None:
        for _ in range(4):
            x = self._sample(y)
            x[at0] = 0
            x[atn] = self.n_t[atn]
            if x.sum() == self.k:
                repaired = self._repair(x, y, lo, hi, movable)
                if repaired is not None:
                    return repaired
        return self._face_milp(y, lo, hi, at0, atn)

    def _sample(self, y: np.ndarray) -> np.ndarray:
        """Systematic sampling along a random lexicographic order of the features, so that
        counts per value of the leading features are within one of their expectation."""
        rng = self.rng
        nt, nf = self.qidx.shape
        floor = np.floor(y + 1e-9)
        frac = np.clip(y - floor, 0.0, 1.0)
        keys = self.qidx[:, rng.permutation(nf)]
        order = np.lexsort(np.c_[rng.random(nt), keys[:, ::-1]].T)
        cum = np.cumsum(frac[order])
        u = rng.random()
        take = np.floor(cum + u + 1e-9) - np.floor(np.r_[0.0, cum[:-1]] + u + 1e-9)
        x = floor.copy()
        x[order] += take
        return x

    def _repair(self, x, y, lo, hi, movable) -> np.ndarray | None:
        """Greedy single-feature moves (one person to the neighbouring type) that reduce the
        total quota violation, preferring moves that bring x back towards y."""
        a, n_t, qfeat, nbr = self.a, self.n_t, self.qfeat, self.neighbour

        def viol(count, q):
            return np.maximum(lo[q] - count, 0) + np.maximum(count - hi[q], 0)

        every = np.arange(len(lo))
        for _ in range(4 * self.k):
            c = a @ x
            v = viol(c, every)
            if not v.any():
                return x
            q = int(np.argmax(v))
            if c[q] < lo[q]:
                src = np.flatnonzero((x > 0) & (a[q] == 0) & movable)
                dst = nbr[src, q]
                ok = dst >= 0
                src, dst = src[ok], dst[ok]
                ok = (x[dst] < n_t[dst]) & movable[dst]
                src, dst = src[ok], dst[ok]
                qs = self.qidx[src, qfeat[q]]
                gain = viol(c[qs] - 1, qs) - viol(c[qs], qs) + viol(c[q] + 1, q) - v[q]
            else:
                base = np.flatnonzero((x > 0) & (a[q] == 1) & movable)
                parts = []
                for q2 in np.flatnonzero(qfeat == qfeat[q]):
                    if q2 == q:
                        continue
                    dst = nbr[base, q2]
                    ok = dst >= 0
                    ok[ok] &= (x[dst[ok]] < n_t[dst[ok]]) & movable[dst[ok]]
                    delta = viol(c[q2] + 1, q2) - viol(c[q2], q2) + viol(c[q] - 1, q) - v[q]
                    parts.append((base[ok], dst[ok], np.full(int(ok.sum()), delta)))
                src = np.concatenate([p[0] for p in parts])
                dst = np.concatenate([p[1] for p in parts])
                gain = np.concatenate([p[2] for p in parts])
            if not len(src):
                return None
            score = gain * 1e6 + (y[src] - x[src]) + (x[dst] - y[dst])
            score += 1e-3 * self.rng.random(len(src))
            i = int(np.argmin(score))
            if gain[i] >= 0:
                return None
            x[src[i]] -= 1
            x[dst[i]] += 1
        return None

    def _face_milp(self, y, lo, hi, at0, atn) -> np.ndarray | None:
        """An integer panel on the face (rounding y where possible), by MILP."""
        n_t = self.n_t
        mat = self.constraints[0].A
        cons = [LinearConstraint(mat, np.r_[self.k, lo], np.r_[self.k, hi])]
        floor = np.floor(y + 1e-9)
        frac = y - floor
        for lower, upper in (
            (floor, np.minimum(floor + (frac > 1e-9), n_t)),
            (np.zeros_like(n_t), n_t),
        ):
            lower = np.where(atn, n_t, np.where(at0, 0.0, lower))
            upper = np.where(atn, n_t, np.where(at0, 0.0, upper))
            self.milp_calls += 1
            res = milp(
                0.5 - frac,
                integrality=np.ones(len(n_t)),
                bounds=Bounds(lower, upper),
                constraints=cons,
            )
            if res.status == 0:
                return np.round(res.x)
        return None


# Improving panels one swap away from each priced panel, added beside it.
EXTRA_COLUMNS = 16
# Pricing MILPs per round beyond the exact one, each on the duals scaled type by type by a
# random factor in [1 - PERTURBATION, 1 + PERTURBATION]: they find other improving panels, and
# a MILP costs a fraction of the master LP that each round re-solves.
EXTRA_MILPS = 3
PERTURBATION = 0.9


def _column_generation(
    problem: Problem,
    rng: np.random.Generator,
    seed_columns: Sequence[np.ndarray],
    initial_panels: int,
    check_time,
    started: float,
    levels_before: int,
    lps_before: int,
    extra_columns: int = EXTRA_COLUMNS,
    extra_milps: int = EXTRA_MILPS,
) -> SelectionResult:
    """Exact LEXIMIN over integer panels by column generation with MILP pricing.

    Each pricing MILP yields one improving panel; the panels one swap away from it that also
    improve are added with it (up to ``extra_columns``), so fewer MILPs reach the optimum.
    Each round also prices ``extra_milps`` randomly perturbed copies of the duals and adds the
    panels (and their improving swaps) that improve at the true duals, so fewer master LPs
    are solved. A level ends only when the exact MILP finds no improving panel, so the result
    is the same LEXIMIN whatever these extra columns are."""
    n_t = problem.type_sizes.astype(float)
    nt = len(n_t)
    pricer = _Pricer(problem)
    swaps = _Swaps(problem, extra_columns)

    columns: list[np.ndarray] = []
    seen: set[bytes] = set()

    def add(x: np.ndarray) -> bool:
        x = np.asarray(x, dtype=np.int64)
        key = x.tobytes()
        if key in seen:
            return False
        seen.add(key)
        columns.append(x)
        return True

    for x in seed_columns:
        add(x)
    add(pricer.best(1.0 / n_t)[0])
    for _ in range(initial_panels):
        add(pricer.best(rng.random(nt) / n_t)[0])

    fixed = np.full(nt, np.nan)  # lower bound on each fixed type's probability
    lp_solves = levels = 0
    weights = np.zeros(0)
    while np.isnan(fixed).any():
        levels += 1
        free = np.isnan(fixed)
        while True:
            lp_solves += 1
            z, weights, y, mu = _master(np.array(columns), n_t, fixed)
            w = y / n_t
            tol = 1e-9 * max(1.0, abs(mu))
            x, bound = pricer.best(w)
            if bound <= mu + tol or not add(x):
                break
            for neighbour in swaps.improving(x, w, mu):
                add(neighbour)
            for _ in range(extra_milps):
                factor = 1.0 + PERTURBATION * (2.0 * rng.random(nt) - 1.0)
                other = pricer.best(w * factor)[0]
                if float(w @ other) > mu + tol and add(other):
                    for neighbour in swaps.improving(other, w, mu):
                        add(neighbour)
            check_time()
        tight = free & (y > 1e-7)
        if not tight.any():
            probs = (weights @ np.array(columns)) / n_t
            tight = free & (probs <= probs[free].min() + 1e-9)
        fixed[tight] = z - 1e-10
    panels = np.array(columns)
    keep = weights > 1e-12
    panels, weights = panels[keep], weights[keep] / weights[keep].sum()
    probs = (weights @ panels) / n_t
    stats = SolverStats(
        levels_before + levels,
        lps_before + lp_solves,
        pricer.calls,
        len(columns),
        time.perf_counter() - started,
    )
    return SelectionResult(problem, panels, weights, probs, ALGORITHM, VERSION, stats)


class _Swaps:
    """Panels one swap (a person of one type out, one of another in) from a given panel that
    meet every quota, the cheap neighbours of a pricing MILP's panel."""

    def __init__(self, problem: Problem, limit: int):
        a, self.lo, self.hi = problem.quota_matrix()
        self.a = a.astype(np.int64)
        self.n_t = problem.type_sizes
        self.limit = limit

    def improving(self, x: np.ndarray, w: np.ndarray, threshold: float) -> list[np.ndarray]:
        """Up to ``limit`` neighbours of x whose value w @ x' exceeds threshold, best first."""
        if self.limit <= 0:
            return []
        counts = self.a @ x
        value = float(w @ x)
        into = np.flatnonzero(x < self.n_t)
        a_into = self.a[:, into]
        found: list[tuple[float, int, int]] = []
        # Chunks of types leaving keep the (quota, out, in) array near a million entries.
        out_types = np.flatnonzero(x > 0)
        step = max(1, 1_000_000 // max(1, a_into.size))
        for start in range(0, len(out_types), step):
            out = out_types[start : start + step]
            after = counts[:, None, None] - self.a[:, out][:, :, None] + a_into[:, None, :]
            ok = np.all(
                (after >= self.lo[:, None, None]) & (after <= self.hi[:, None, None]), axis=0
            )
            gain = value + w[into][None, :] - w[out][:, None]
            ok &= (gain > threshold + 1e-12 * max(1.0, abs(threshold))) & (
                out[:, None] != into[None, :]
            )
            rows, cols = np.nonzero(ok)
            found.extend(
                zip(gain[rows, cols].tolist(), out[rows].tolist(), into[cols].tolist(), strict=True)
            )
        found.sort(key=lambda f: (-f[0], f[1], f[2]))
        neighbours = []
        for _, s, t in found[: self.limit]:
            y = x.copy()
            y[s] -= 1
            y[t] += 1
            neighbours.append(y)
        return neighbours


def _master(
    cols: np.ndarray, n_t: np.ndarray, fixed: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray, float]:
    """Restricted LP: max z s.t. free types' probability >= z, fixed types' >= their level.

    Returns z, panel weights, type duals y (y >= 0, summing to 1 over free types) and mu, the
    largest dual-weighted value of any current column (the pricing threshold).
    """
    npan, nt = cols.shape
    free = np.isnan(fixed)
    a = sparse.csr_matrix(cols.T / n_t[:, None])  # (nt, npan) probability contributions
    a_ub = sparse.hstack([-a, sparse.csr_matrix(free.astype(float)[:, None])])
    b_ub = np.where(free, 0.0, -np.nan_to_num(fixed))
    a_eq = sparse.csr_matrix(np.r_[np.ones(npan), 0.0][None, :])
    c = np.r_[np.zeros(npan), -1.0]
    res = linprog(
        c,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=[1.0],
        bounds=[(0, None)] * npan + [(None, None)],
        method="highs-ds",
    )
    if res.status != 0:
        raise RuntimeError(f"master LP failed: {res.message}")
    y = np.maximum(-res.ineqlin.marginals, 0.0)
    mu = float((a.T @ y).max())
    return -float(res.fun), res.x[:npan], y, mu
