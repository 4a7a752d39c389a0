"""Opinion map: Polis's method for opinion groups, representative and consensus statements.

A faithful port of the computation in Polis's ``math/src/polismath`` (conversation.clj, pca.clj,
clusters.clj, repness.clj, stats.clj), so that Gongnon's maps can be compared with Polis's own on
its open data. Differences are deliberate and few: Polis updates its clusters incrementally from
the previous run and takes its initial centres from the order participants arrived in; here each
map is computed from scratch and that order is a permutation drawn from ``seed``, so the same
votes and seed always give the same map. The principal components are computed exactly (an
eigendecomposition) where Polis runs 100 power iterations towards the same vectors.

Votes are coded 1 agree, -1 disagree, 0 pass, NaN not seen (Polis's export convention; its
internal matrix has the opposite sign). Only numpy is used: no Django, no apps.
"""

from __future__ import annotations

import json
import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

METHOD = "polis"
VERSION = "1"
Z_90 = 1.2816  # one-sided 90% (stats.clj z-sig-90?)

Id = Hashable


class OpinionMapError(ValueError):
    """The votes cannot be mapped (bad shape, a vote other than -1, 0, 1)."""


@dataclass(frozen=True)
class Parameters:
    """Everything that decides the map besides the votes; kept with the result."""

    seed: int = 0
    min_votes: int = 7  # in-conv: at least min(7, statements) votes
    greedy_participants: int = 15  # fewer qualify: the most active up to this many
    components: int = 2
    base_clusters: int = 100
    base_iterations: int = 100
    max_groups: int = 5
    base_starts: int = 5
    group_starts: int = 10
    group_iterations: int = 20  # Polis passes :cluster-iters, which kmeans ignores: default 20
    k_buffer: int = 4  # a new k is adopted after this many consecutive runs choose it
    max_representative: int = 5
    max_consensus: int = 5
    z_threshold: float = Z_90


@dataclass(frozen=True)
class KSmoother:
    """Polis's memory of the chosen number of groups between runs (group-k-smoother)."""

    last_k: int
    last_k_count: int
    smoothed_k: int


@dataclass(frozen=True)
class ParticipantPoint:
    """One participant: group None when not clustered; x, y None when they cast no vote."""

    id: Id
    group: int | None
    x: float | None
    y: float | None
    votes: int


@dataclass(frozen=True)
class StatementFigure:
    """A representative statement of a group and the figures it was chosen by."""

    statement: Id
    repful_for: str  # "agree" or "disagree"
    n_success: int
    n_trials: int
    p_success: float  # (1 + agrees)/(2 + seen) in the group, or disagrees
    p_test: float  # one-proportion z of that rate against 1/2
    repness: float  # ratio of the group's rate to the rest's
    repness_test: float  # two-proportion z, group against the rest
    best_agree: bool = False


@dataclass(frozen=True)
class Group:
    """An opinion group: its members' count and its representative statements."""

    id: int
    size: int
    representative: tuple[StatementFigure, ...]


@dataclass(frozen=True)
class ConsensusFigure:
    """A statement most of the room agrees (or disagrees) with (repness.clj consensus-stats)."""

    statement: Id
    n_success: int
    n_trials: int
    p_success: float
    p_test: float


@dataclass(frozen=True)
class GroupAwareConsensus:
    """Product over groups of (agrees + 1)/(votes + 2), and the same for disagrees."""

    statement: Id
    agree: float
    disagree: float


@dataclass(frozen=True)
class Consensus:
    agree: tuple[ConsensusFigure, ...]
    disagree: tuple[ConsensusFigure, ...]
    group_aware: tuple[GroupAwareConsensus, ...]  # every counted statement, highest agree first


@dataclass(frozen=True)
class OpinionMap:
    """The whole map; ``to_json`` gives the document described in docs/opinion-map.md."""

    participants: tuple[ParticipantPoint, ...]
    groups: tuple[Group, ...]
    consensus: Consensus
    parameters: Parameters
    statements: tuple[Id, ...]
    excluded_statements: tuple[Id, ...]
    silhouettes: Mapping[int, float]
    k_smoother: KSmoother | None
    components: tuple[tuple[float, ...], ...] = field(repr=False)
    center: tuple[float, ...] = field(repr=False)

    def group_of(self) -> dict[Id, int | None]:
        """Participant id to group id (None when not clustered)."""
        return {p.id: p.group for p in self.participants}

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data with a fixed key and list order."""
        return {
            "method": METHOD,
            "version": VERSION,
            "parameters": asdict(self.parameters),
            "summary": {
                "participants": len(self.participants),
                "clustered": sum(1 for p in self.participants if p.group is not None),
                "statements": len(self.statements),
                "excluded_statements": list(self.excluded_statements),
                "votes": sum(p.votes for p in self.participants),
                "groups": len(self.groups),
                "silhouettes": {str(k): v for k, v in sorted(self.silhouettes.items())},
                "k_smoother": asdict(self.k_smoother) if self.k_smoother else None,
            },
            "participants": [asdict(p) for p in self.participants],
            "groups": [
                {
                    "id": g.id,
                    "size": g.size,
                    "representative": [asdict(s) for s in g.representative],
                }
                for g in self.groups
            ],
            "consensus": {
                "agree": [asdict(c) for c in self.consensus.agree],
                "disagree": [asdict(c) for c in self.consensus.disagree],
                "group_aware": [asdict(c) for c in self.consensus.group_aware],
            },
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """The map as JSON (UTF-8 text, keys sorted)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent, sort_keys=True)


def vote_matrix(
    triples: Iterable[tuple[Id, Id, float]],
) -> tuple[list[Id], list[Id], NDArray[np.float64]]:
    """Participants, statements (in order of first vote) and their matrix from (who, what, vote)
    triples in time order: a later vote on the same statement replaces the earlier one."""
    rows: dict[Id, int] = {}
    cols: dict[Id, int] = {}
    cells: dict[tuple[int, int], float] = {}
    for pid, sid, vote in triples:
        i = rows.setdefault(pid, len(rows))
        j = cols.setdefault(sid, len(cols))
        cells[(i, j)] = float(vote)
    mat = np.full((len(rows), len(cols)), np.nan)
    if cells:
        ij = np.array(list(cells.keys()))
        mat[ij[:, 0], ij[:, 1]] = list(cells.values())
    return list(rows), list(cols), mat


def compute_opinion_map(
    participant_ids: Sequence[Id],
    statement_ids: Sequence[Id],
    votes: ArrayLike,
    *,
    excluded_statements: Iterable[Id] = (),
    seed: int = 0,
    previous_k: KSmoother | None = None,
    parameters: Parameters | None = None,
) -> OpinionMap:
    """Map a participants x statements vote matrix (1, -1, 0, NaN) the way Polis does.

    ``excluded_statements`` are those moderated out: zeroed as Polis does and never
    representative nor consensus. ``previous_k`` is the last map's k-smoother, so that a live map
    changes its number of groups only once a new k has been best ``k_buffer`` times in a row.
    """
    participant_ids = [_plain(p) for p in participant_ids]
    statement_ids = [_plain(t) for t in statement_ids]
    params = parameters or Parameters(seed=seed)
    if parameters is not None and seed != 0 and seed != parameters.seed:
        raise OpinionMapError("seed given twice with different values")
    raw = np.array(votes, dtype=np.float64, copy=True)
    if raw.ndim != 2 or raw.shape != (len(participant_ids), len(statement_ids)):
        raise OpinionMapError(
            f"votes must be {len(participant_ids)} x {len(statement_ids)}, got {raw.shape}"
        )
    seen = ~np.isnan(raw)
    if not np.isin(raw[seen], (-1.0, 0.0, 1.0)).all():
        raise OpinionMapError("votes must be 1 (agree), -1 (disagree), 0 (pass) or missing")
    if len(set(participant_ids)) != len(participant_ids):
        raise OpinionMapError("participant ids repeat")
    if len(set(statement_ids)) != len(statement_ids):
        raise OpinionMapError("statement ids repeat")

    # Polis's rating matrix holds only participants and statements with at least one vote.
    row_on = np.asarray(seen.any(axis=1), dtype=bool)
    col_on = np.asarray(seen.any(axis=0), dtype=bool)
    pids = [participant_ids[int(i)] for i in np.flatnonzero(row_on)]
    tids = [statement_ids[int(j)] for j in np.flatnonzero(col_on)]
    raw = raw[np.ix_(row_on, col_on)]
    excluded = {_plain(t) for t in excluded_statements}
    out_cols = np.array([t in excluded for t in tids], dtype=bool)
    rating = raw.copy()
    rating[:, out_cols] = 0.0  # nm/zero-out-columns: moderated-out columns become 0 for all
    n_ptpts, n_cmts = rating.shape
    user_votes = (~np.isnan(raw)).sum(axis=1)

    in_conv = _in_conv(user_votes, n_cmts, params)
    if n_ptpts == 0:
        proj = np.zeros((0, 2))
        comps = np.zeros((params.components, n_cmts))
        center = np.zeros(n_cmts)
    else:
        center, comps = _pca(rating, params.components)
        proj = _project(rating, center, comps)

    rng = np.random.default_rng(params.seed)
    order = np.flatnonzero(in_conv)
    order = order[rng.permutation(len(order))]
    base_labels, base_centers = _best_base(proj[order], params, rng)
    n_base = len(base_centers)
    base_sizes = np.bincount(base_labels, minlength=n_base).astype(np.float64)

    silhouettes: dict[int, float] = {}
    clusterings: dict[int, NDArray[np.intp]] = {}
    if n_base:
        dist = _distances(base_centers, base_centers)
        max_k = min(params.max_groups, 2 + n_base // 12)
        for k in range(2, max_k + 1):
            labels = _best_kmeans(base_centers, base_sizes, k, params, rng)
            clusterings[k] = labels
            silhouettes[k] = _silhouette(dist, labels)
    smoother: KSmoother | None = None
    group_of_row = np.full(n_ptpts, -1)
    if clusterings:
        this_k = max(silhouettes, key=lambda k: (silhouettes[k], k))  # ties: the last, as max-key
        smoother = _smooth_k(previous_k, this_k, params.k_buffer)
        chosen = smoother.smoothed_k if smoother.smoothed_k in clusterings else this_k
        group_of_row[order] = clusterings[chosen][base_labels]
    n_groups = int(group_of_row.max()) + 1 if n_ptpts else 0

    groups = _groups(rating, group_of_row, n_groups, tids, out_cols, params)
    consensus = _consensus(rating, raw, group_of_row, n_groups, tids, out_cols, params)

    points: dict[Id, ParticipantPoint] = {}
    for i, pid in enumerate(pids):
        g = int(group_of_row[i])
        points[pid] = ParticipantPoint(
            id=pid,
            group=g if g >= 0 else None,
            x=float(proj[i, 0]),
            y=float(proj[i, 1]),
            votes=int(user_votes[i]),
        )
    participants = tuple(
        points.get(pid, ParticipantPoint(id=pid, group=None, x=None, y=None, votes=0))
        for pid in participant_ids
    )
    return OpinionMap(
        participants=participants,
        groups=groups,
        consensus=consensus,
        parameters=params,
        statements=tuple(tids),
        excluded_statements=tuple(t for t in tids if t in excluded),
        silhouettes=silhouettes,
        k_smoother=smoother,
        components=tuple(tuple(float(v) for v in c) for c in comps),
        center=tuple(float(v) for v in center),
    )


def replay_opinion_map(
    timed_votes: Sequence[tuple[float, Id, Id, float]],
    *,
    updates: int = 10,
    excluded_statements: Iterable[Id] = (),
    seed: int = 0,
    parameters: Parameters | None = None,
) -> OpinionMap:
    """Map a finished conversation as Polis reached it: ``updates`` maps, the i-th over the
    first i/updates of the votes in time order, each passing its k-smoother to the next, so the
    number of groups changes only when a new k holds ``k_buffer`` updates in a row.

    ``timed_votes`` are (time, participant, statement, vote); a later vote replaces an earlier.
    """
    if updates < 1:
        raise OpinionMapError("updates must be at least 1")
    ordered = sorted(timed_votes, key=lambda v: v[0])
    excluded = set(excluded_statements)
    previous: KSmoother | None = None
    result: OpinionMap | None = None
    for i in range(1, updates + 1):
        cut = len(ordered) * i // updates
        if cut == 0 and i < updates:
            continue
        pids, tids, mat = vote_matrix((p, t, v) for _, p, t, v in ordered[:cut])
        result = compute_opinion_map(
            pids,
            tids,
            mat,
            excluded_statements=excluded,
            seed=seed,
            previous_k=previous,
            parameters=parameters,
        )
        previous = result.k_smoother
    assert result is not None
    return result


def _plain(value: Id) -> Id:
    """numpy scalars as Python values, so ids compare and serialise as the caller means."""
    return value.item() if isinstance(value, np.generic) else value


def _in_conv(user_votes: NDArray[np.int_], n_cmts: int, params: Parameters) -> NDArray[np.bool_]:
    """Who is clustered: enough votes, or else the most active (conversation.clj in-conv)."""
    in_conv = user_votes >= min(params.min_votes, n_cmts)
    missing = params.greedy_participants - int(in_conv.sum())
    if missing > 0:
        rest = np.flatnonzero(~in_conv & (user_votes > 0))
        rest = rest[np.argsort(-user_votes[rest], kind="stable")][:missing]
        in_conv[rest] = True
    return in_conv


def _pca(
    rating: NDArray[np.float64], n_comps: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centre and first principal components of the matrix with missing votes filled by the
    statement's mean (conversation.clj :mat, pca.clj powerit-pca)."""
    seen = ~np.isnan(rating)
    counts = seen.sum(axis=0)
    means = np.where(seen, rating, 0.0).sum(axis=0) / np.maximum(counts, 1)
    filled = np.where(seen, rating, means)
    center = filled.mean(axis=0)
    centred = filled - center
    n_rows, n_cols = centred.shape
    comps = np.zeros((n_comps, n_cols))
    if n_rows == 1:  # wrapped-pca: a single participant is their own direction
        norm = np.linalg.norm(rating[0])
        if norm > 0:
            comps[0] = np.nan_to_num(rating[0]) / norm
        return np.zeros(n_cols), comps
    n = min(n_comps, n_rows, n_cols)
    if n_cols <= n_rows:
        vals, vecs = _top_eigen(centred.T @ centred, n)
        top = vecs.T
    else:
        vals, vecs = _top_eigen(centred @ centred.T, n)
        top = (centred.T @ vecs).T
        top /= np.maximum(np.linalg.norm(top, axis=1, keepdims=True), 1e-300)
    for c in range(n):
        if vals[c] <= 1e-12 * max(vals[0], 1e-300):
            break  # no variance left in this direction: Polis keeps a zero vector
        vec = top[c]
        # Power iteration from positive start vectors ends on the side of the all-ones vector.
        s = vec.sum()
        if s < 0 or (s == 0 and vec[np.argmax(np.abs(vec))] < 0):
            vec = -vec
        comps[c] = vec
    return center, comps


def _top_eigen(
    gram: NDArray[np.float64], n: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The n largest eigenvalues (descending) and eigenvectors of a symmetric matrix."""
    size = len(gram)
    vals, vecs = scipy.linalg.eigh(gram, subset_by_index=[size - n, size - 1], driver="evr")
    return vals[::-1], vecs[:, ::-1]


def _project(
    rating: NDArray[np.float64], center: NDArray[np.float64], comps: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Each participant from their own votes only, pushed out by sqrt(statements / votes cast)
    so that someone with few votes is not drawn to the middle (sparsity-aware-project-ptpt)."""
    seen = ~np.isnan(rating)
    dev = np.where(seen, rating - center, 0.0)
    proj = dev @ comps[:2].T
    n_votes = np.maximum(seen.sum(axis=1), 1)
    return proj * np.sqrt(rating.shape[1] / n_votes)[:, None]


def _distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.sqrt(_sq_distances(a, b))


def _sq_distances(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    """Squared Euclidean distances, one coordinate at a time (no n x k x d temporary)."""
    out = np.zeros((len(a), len(b)))
    for d in range(a.shape[1]):
        out += np.subtract.outer(a[:, d], b[:, d]) ** 2
    return out


def _kmeans(
    data: NDArray[np.float64],
    weights: NDArray[np.float64] | None,
    k: int,
    max_iters: int,
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Polis's k-means (clusters.clj kmeans): the first k distinct rows start, empty clusters are
    dropped, and it stops when the sorted centres move less than 0.01 or after max_iters + 1
    steps. Returns each row's cluster (0 .. n-1 in order of the starting rows) and the centres."""
    if len(data) == 0:
        return np.zeros(0, dtype=np.intp), np.zeros((0, data.shape[1] if data.ndim == 2 else 2))
    w = np.ones(len(data)) if weights is None else weights
    _, first = np.unique(data, axis=0, return_index=True)
    centers = data[np.sort(first)[:k]].copy()
    labels = np.zeros(len(data), dtype=np.intp)
    for _ in range(max_iters + 1):
        labels = np.argmin(_sq_distances(data, centers), axis=1)
        used = np.unique(labels)
        totals = np.bincount(labels, weights=w, minlength=len(centers))[used]
        new = (
            np.column_stack(
                [
                    np.bincount(labels, weights=w * data[:, d], minlength=len(centers))[used]
                    for d in range(data.shape[1])
                ]
            )
            / totals[:, None]
        )
        done = _same_clustering(centers, new)
        remap = np.full(len(centers), -1)
        remap[used] = np.arange(len(used))
        labels = remap[labels]
        centers = new
        if done:
            break
    return labels, centers


def _best_base(
    data: NDArray[np.float64], params: Parameters, rng: np.random.Generator
) -> tuple[NDArray[np.intp], NDArray[np.float64]]:
    """Base clusters: Polis's k-means from several seeded orders; the least spread wins."""
    best: tuple[float, NDArray[np.intp], NDArray[np.float64]] | None = None
    for r in range(params.base_starts):
        order = np.arange(len(data)) if r == 0 else rng.permutation(len(data))
        labels, centers = _kmeans(data[order], None, params.base_clusters, params.base_iterations)
        spread = float(((data[order] - centers[labels]) ** 2).sum())
        relabel = np.empty_like(labels)
        relabel[order] = labels
        if best is None or spread < best[0] - 1e-12:
            best = (spread, relabel, centers)
    assert best is not None
    return best[1], best[2]


def _best_kmeans(
    data: NDArray[np.float64],
    weights: NDArray[np.float64],
    k: int,
    params: Parameters,
    rng: np.random.Generator,
) -> NDArray[np.intp]:
    """Several runs of Polis's k-means from seeded orders of the base clusters; the one with the
    least weighted within-group spread wins."""
    best: tuple[float, NDArray[np.intp]] | None = None
    for r in range(params.group_starts):
        order = np.arange(len(data)) if r == 0 else rng.permutation(len(data))
        labels, centers = _kmeans(data[order], weights[order], k, params.group_iterations)
        spread = float((weights[order] * ((data[order] - centers[labels]) ** 2).sum(axis=1)).sum())
        relabel = np.empty_like(labels)
        relabel[order] = labels
        if best is None or spread < best[0] - 1e-12:
            best = (spread, relabel)
    assert best is not None
    return best[1]


def _same_clustering(a: NDArray[np.float64], b: NDArray[np.float64]) -> bool:
    """Sorted centres pairwise within 0.01 (same-clustering?; zip stops at the shorter)."""
    sa = a[np.lexsort(a.T[::-1])]
    sb = b[np.lexsort(b.T[::-1])]
    n = min(len(sa), len(sb))
    return bool((np.linalg.norm(sa[:n] - sb[:n], axis=1) < 0.01).all())


def _silhouette(dist: NDArray[np.float64], labels: NDArray[np.intp]) -> float:
    """Mean silhouette over the base clusters, unweighted; a singleton scores 0 (silhouette)."""
    n = len(labels)
    ks = np.unique(labels)
    if len(ks) < 2:
        return 0.0
    scores = np.zeros(n)
    for i in range(n):
        own = labels == labels[i]
        own[i] = False
        if not own.any():
            continue
        a = dist[i, own].mean()
        b = min(dist[i, labels == k].mean() for k in ks if k != labels[i])
        m = max(a, b)
        scores[i] = (b - a) / m if m > 0 else 0.0
    return float(scores.mean())


def _smooth_k(previous: KSmoother | None, this_k: int, buffer: int) -> KSmoother:
    """Change the number of groups only when the new best k has held ``buffer`` runs."""
    if previous is None:
        return KSmoother(last_k=this_k, last_k_count=1, smoothed_k=this_k)
    count = previous.last_k_count + 1 if previous.last_k == this_k else 1
    smoothed = this_k if count >= buffer else previous.smoothed_k
    return KSmoother(last_k=this_k, last_k_count=count, smoothed_k=smoothed)


def _counts(
    votes: NDArray[np.float64], group_of_row: NDArray[np.int_], n_groups: int
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Agrees, disagrees and votes seen per group (rows) and statement (columns)."""
    shape = (n_groups, votes.shape[1])
    na, nd, ns = np.zeros(shape), np.zeros(shape), np.zeros(shape)
    for g in range(n_groups):
        v = votes[group_of_row == g]
        na[g] = (v == 1).sum(axis=0)
        nd[g] = (v == -1).sum(axis=0)
        ns[g] = (~np.isnan(v)).sum(axis=0)
    return na, nd, ns


def prop_test(succ: ArrayLike, n: ArrayLike) -> NDArray[np.float64]:
    """One-proportion z against 1/2 with a +1 prior (stats.clj prop-test)."""
    s = np.asarray(succ, dtype=np.float64) + 1
    m = np.asarray(n, dtype=np.float64) + 1
    return 2 * np.sqrt(m) * (s / m - 0.5)


def two_prop_test(
    succ_in: ArrayLike, succ_out: ArrayLike, pop_in: ArrayLike, pop_out: ArrayLike
) -> NDArray[np.float64]:
    """Two-proportion z, group against the rest, +1 on every count (stats.clj two-prop-test)."""
    s1 = np.asarray(succ_in, dtype=np.float64) + 1
    s2 = np.asarray(succ_out, dtype=np.float64) + 1
    n1 = np.asarray(pop_in, dtype=np.float64) + 1
    n2 = np.asarray(pop_out, dtype=np.float64) + 1
    pi_hat = (s1 + s2) / (n1 + n2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (s1 / n1 - s2 / n2) / np.sqrt(pi_hat * (1 - pi_hat) * (1 / n1 + 1 / n2))
    return np.where(pi_hat == 1, 0.0, z)


def _groups(
    rating: NDArray[np.float64],
    group_of_row: NDArray[np.int_],
    n_groups: int,
    tids: Sequence[Id],
    out_cols: NDArray[np.bool_],
    params: Parameters,
) -> tuple[Group, ...]:
    """Each group with its representative statements (repness.clj conv-repness and
    select-rep-comments)."""
    na, nd, ns = _counts(rating, group_of_row, n_groups)
    rest_na, rest_nd, rest_ns = na.sum(0) - na, nd.sum(0) - nd, ns.sum(0) - ns
    stats = {
        "na": na,
        "nd": nd,
        "ns": ns,
        "pa": (1 + na) / (2 + ns),
        "pd": (1 + nd) / (2 + ns),
        "pat": prop_test(na, ns),
        "pdt": prop_test(nd, ns),
        "ra": ((1 + na) / (2 + ns)) / ((1 + rest_na) / (2 + rest_ns)),
        "rd": ((1 + nd) / (2 + ns)) / ((1 + rest_nd) / (2 + rest_ns)),
        "rat": two_prop_test(na, rest_na, ns, rest_ns),
        "rdt": two_prop_test(nd, rest_nd, ns, rest_ns),
    }
    z = params.z_threshold
    result = []
    for g in range(n_groups):
        best: StatementFigure | None = None
        best_agree: dict[str, float] | None = None
        best_agree_tid: Id | None = None
        sufficient: list[StatementFigure] = []
        for j, tid in enumerate(tids):
            if out_cols[j]:
                continue
            s = {key: float(v[g, j]) for key, v in stats.items()}
            if (s["rat"] > z and s["pat"] > z) or (s["rdt"] > z and s["pdt"] > z):
                sufficient.append(_finalize(tid, s))
            if not sufficient and (best is None or max(s["rat"], s["rdt"]) > best.repness_test):
                best = _finalize(tid, s)
            if _beats_best_agree(s, best_agree, z):
                best_agree, best_agree_tid = s, tid
        head: list[StatementFigure] = []
        if best_agree is not None:
            head = [_finalize(best_agree_tid, best_agree, best_agree=True)]
        elif best is not None:
            head = [best]
        if sufficient:
            ranked = sorted(
                (f for f in sufficient if best_agree is None or f.statement != best_agree_tid),
                key=lambda f: -_repness_metric(f),
            )
            chosen = ([head[0]] if best_agree is not None else []) + ranked
            chosen = chosen[: params.max_representative]
            reps = [f for f in chosen if f.repful_for == "agree"] + [
                f for f in chosen if f.repful_for == "disagree"
            ]
        else:
            reps = head
        size = int((group_of_row == g).sum())
        result.append(Group(id=g, size=size, representative=tuple(reps)))
    return tuple(result)


def _finalize(tid: Id, s: Mapping[str, float], *, best_agree: bool = False) -> StatementFigure:
    """Agree or disagree, whichever the group stands out on more (finalize-cmt-stats)."""
    if s["rat"] > s["rdt"]:
        keys = ("na", "pa", "pat", "ra", "rat", "agree")
    else:
        keys = ("nd", "pd", "pdt", "rd", "rdt", "disagree")
    n, p, pt, r, rt, side = keys
    return StatementFigure(
        statement=tid,
        repful_for=side,
        n_success=int(s[n]),
        n_trials=int(s["ns"]),
        p_success=s[p],
        p_test=s[pt],
        repness=s[r],
        repness_test=s[rt],
        best_agree=best_agree,
    )


def _repness_metric(f: StatementFigure) -> float:
    return f.repness * f.repness_test * f.p_success * f.p_test


def _beats_best_agree(s: Mapping[str, float], best: Mapping[str, float] | None, z: float) -> bool:
    """Keep one statement each group agrees on, so it shows what it holds (beats-best-agr?)."""
    if s["na"] == 0 and s["nd"] == 0:
        return False
    if best is not None and best["ra"] > 1.0:
        return s["ra"] * s["rat"] * s["pa"] * s["pat"] > (
            best["ra"] * best["rat"] * best["pa"] * best["pat"]
        )
    if best is not None:
        return s["pa"] * s["pat"] > best["pa"] * best["pat"]
    return s["pat"] > z or (s["ra"] > 1.0 and s["pa"] > 0.5)


def _consensus(
    rating: NDArray[np.float64],
    raw: NDArray[np.float64],
    group_of_row: NDArray[np.int_],
    n_groups: int,
    tids: Sequence[Id],
    out_cols: NDArray[np.bool_],
    params: Parameters,
) -> Consensus:
    """Statements the whole room agrees or disagrees on (consensus-stats over every participant)
    and the group-aware consensus over the clustered (conversation.clj group-aware-consensus)."""
    seen = ~np.isnan(rating)
    na = (rating == 1).sum(axis=0)
    nd = (rating == -1).sum(axis=0)
    ns = seen.sum(axis=0)
    pa, pd = (1 + na) / (2 + ns), (1 + nd) / (2 + ns)
    pat, pdt = prop_test(na, ns), prop_test(nd, ns)
    keep = [j for j in range(len(tids)) if not out_cols[j]]

    def top(succ: Any, p: Any, pt: Any) -> tuple[ConsensusFigure, ...]:
        ok = [j for j in keep if p[j] > 0.5 and pt[j] > params.z_threshold]
        ok.sort(key=lambda j: -(p[j] * pt[j]))
        return tuple(
            ConsensusFigure(
                statement=tids[j],
                n_success=int(succ[j]),
                n_trials=int(ns[j]),
                p_success=float(p[j]),
                p_test=float(pt[j]),
            )
            for j in ok[: params.max_consensus]
        )

    gna, gnd, gns = _counts(raw, group_of_row, n_groups)
    agree = np.prod((gna + 1) / (gns + 2), axis=0) if n_groups else np.ones(len(tids))
    disagree = np.prod((gnd + 1) / (gns + 2), axis=0) if n_groups else np.ones(len(tids))
    order = sorted(keep, key=lambda j: -agree[j])
    return Consensus(
        agree=top(na, pa, pat),
        disagree=top(nd, pd, pdt),
        group_aware=tuple(
            GroupAwareConsensus(
                statement=tids[j], agree=float(agree[j]), disagree=float(disagree[j])
            )
            for j in order
        ),
    )


def adjusted_rand_index(a: Sequence[Hashable], b: Sequence[Hashable]) -> float:
    """Agreement of two partitions of the same items, 1 identical, about 0 by chance (Hubert and
    Arabie 1985): compares two maps, e.g. Gongnon's with Polis's or one session's with the next."""
    if len(a) != len(b):
        raise ValueError("the partitions must cover the same items")
    n = len(a)
    if n < 2:
        return 1.0
    _, ia = np.unique(np.asarray(a, dtype=object).astype(str), return_inverse=True)
    _, ib = np.unique(np.asarray(b, dtype=object).astype(str), return_inverse=True)
    table = np.zeros((ia.max() + 1, ib.max() + 1))
    np.add.at(table, (ia, ib), 1)

    def pairs(x: NDArray[np.float64]) -> float:
        return float((x * (x - 1) / 2).sum())

    index = pairs(table)
    rows, cols = pairs(table.sum(axis=1)), pairs(table.sum(axis=0))
    expected = rows * cols / (n * (n - 1) / 2)
    top = (rows + cols) / 2
    if math.isclose(top, expected):
        return 1.0
    return (index - expected) / (top - expected)
