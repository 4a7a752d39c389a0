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
VERSION = "1.0"


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

    Column generation over type-count panels; at each level the types whose dual value is
    positive are provably at the optimum min in every optimal solution (complementary
    slackness), so exactly those are fixed. Raises InfeasibleQuotasError when no panel exists
    and TimeoutError when `time_limit` seconds pass first.
    """
    started = time.perf_counter()
    report = check_feasibility(problem)
    if not report.feasible:
        raise InfeasibleQuotasError(report)
    n_t = problem.type_sizes.astype(float)
    nt = len(n_t)
    pricer = _Pricer(problem)
    rng = np.random.default_rng(seed)

    columns: list[np.ndarray] = []
    seen: set[bytes] = set()

    def add(x: np.ndarray) -> bool:
        key = x.tobytes()
        if key in seen:
            return False
        seen.add(key)
        columns.append(x)
        return True

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
            x, bound = pricer.best(y / n_t)
            if bound <= mu + 1e-9 * max(1.0, abs(mu)) or not add(x):
                break
            if time_limit is not None and time.perf_counter() - started > time_limit:
                raise TimeoutError(f"LEXIMIN not finished within {time_limit} s")
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
        levels, lp_solves, pricer.calls, len(columns), time.perf_counter() - started
    )
    return SelectionResult(problem, panels, weights, probs, ALGORITHM, VERSION, stats)


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
