"""Multiple systems estimation: log-linear models of capture patterns, fitted by statsmodels'
Poisson GLM, and the model choices published analyses use. Pure numerics: no database, no
request, no translation; the service (tracker/estimates/services.py) turns its results and
refusals into what people read.

A table of k lists holds, for each non-empty capture pattern (on list A only, on A and B, ...),
how many persons have it. A model is a set of interaction terms (pairs, or triples of lists)
added to the main effects; the unobserved cell (on no list) is exp(intercept).

A term whose lists share nobody (no person is on all of them) has no finite estimate. Like
SparseMSE's `buildmodel`, such a term in a model is set to minus infinity: the cells that hold
all its lists are left out of the fit, and it counts as a parameter in AIC and BIC. The
stepwise rules never add one (its Wald p-value does not exist), and every model is checked by
the linear program of Fienberg and Rinaldo (SparseMSE's `checkident`) before it is fitted.
"""

import itertools
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy import optimize, special, stats

Pattern = tuple[int, ...]
Term = tuple[int, ...]

# The 95% interval: the profile likelihood drops by half this chi-square quantile (1 df).
CHI2_95 = float(stats.chi2.ppf(0.95, 1))
# A fitted unobserved cell this many times the documented total is not an estimate anyone
# could use: it means the model is (nearly) unidentified.
ABSURD_RATIO = 1_000.0


class NoEstimate(Exception):
    """No number can honestly be given; `reason` is a code the service words for people."""

    def __init__(self, reason: str, **details: object):
        super().__init__(reason)
        self.reason = reason
        self.details = details


@dataclass(frozen=True)
class Table:
    """Persons counted by capture pattern over named lists (0/1 per list)."""

    lists: tuple[str, ...]
    counts: dict[Pattern, int]

    @property
    def size(self) -> int:
        return len(self.lists)

    @property
    def observed(self) -> int:
        return sum(self.counts.values())

    def cells(self) -> list[Pattern]:
        """Every non-empty pattern, observed or not, in a stable order."""
        return [p for p in itertools.product((0, 1), repeat=self.size) if any(p)]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """The cells as a 0/1 matrix and their counts (computed once per table)."""
        cached = self.__dict__.get("_arrays")
        if cached is None:
            cells = self.cells()
            cached = (
                np.array(cells, dtype=bool).reshape(len(cells), self.size),
                np.array([float(self.counts.get(p, 0)) for p in cells]),
            )
            object.__setattr__(self, "_arrays", cached)
        return cached

    def on_all(self, term: Term) -> int:
        """How many persons are on every list of `term` (each term counted once per table:
        every model of a search asks again)."""
        known: dict[Term, int] = self.__dict__.setdefault("_on_all", {})
        if term not in known:
            known[term] = sum(n for p, n in self.counts.items() if all(p[i] for i in term))
        return known[term]

    def list_total(self, index: int) -> int:
        return self.on_all((index,))

    def restricted(self, keep: Sequence[int]) -> "Table":
        """The table over some of the lists (persons on none of them drop out)."""
        counts: dict[Pattern, int] = {}
        for pattern, n in self.counts.items():
            sub = tuple(pattern[i] for i in keep)
            if any(sub):
                counts[sub] = counts.get(sub, 0) + n
        return Table(tuple(self.lists[i] for i in keep), counts)


@dataclass
class Fit:
    """One fitted model: its terms, the unobserved cell, the criteria and the interval."""

    table: Table
    terms: tuple[Term, ...]
    empty_terms: tuple[Term, ...]
    intercept: float
    loglik: float
    parameters: int
    cells: int
    term_pvalues: dict[Term, float]
    lower: float | None = None
    upper: float | None = None
    params: np.ndarray | None = field(default=None, repr=False)
    _design: "Design | None" = field(default=None, repr=False)

    @property
    def unobserved(self) -> float:
        return math.exp(self.intercept)

    @property
    def total(self) -> float:
        return self.table.observed + self.unobserved

    @property
    def aic(self) -> float:
        return -2 * self.loglik + 2 * self.parameters

    @property
    def bic(self) -> float:
        # log of the number of persons documented, as Rcapture and the published UK
        # analyses do (Silverman, Chan & Vincent 2024 reproduce 22,991 with it); the
        # number of cells would choose another model.
        return -2 * self.loglik + math.log(self.table.observed) * self.parameters


@dataclass(frozen=True)
class Design:
    """The counts and the model matrix of one model (cells of empty terms left out)."""

    y: np.ndarray
    x: np.ndarray
    columns: tuple[Term, ...]  # () for the intercept, (i,) for a main effect, then the terms
    empty_terms: tuple[Term, ...]


def design(table: Table, terms: Iterable[Term]) -> Design:
    """The Poisson GLM's response and model matrix for `terms` on `table`."""
    terms = tuple(sorted(terms, key=lambda t: (len(t), t)))
    empty = tuple(t for t in terms if table.on_all(t) == 0)
    fitted = tuple(t for t in terms if t not in empty)
    patterns, counts = table.arrays()
    keep = np.ones(len(patterns), dtype=bool)
    for term in empty:
        keep &= ~patterns[:, list(term)].all(axis=1)
    cells = patterns[keep]
    columns: tuple[Term, ...] = ((), *((i,) for i in range(table.size)), *fitted)
    x = np.column_stack([cells[:, list(col)].all(axis=1) for col in columns]).astype(float)
    return Design(counts[keep], x, columns, empty)


def estimate_exists(d: Design) -> bool:
    """Whether the maximum likelihood estimate exists and is identifiable (Fienberg & Rinaldo
    2012, as SparseMSE's `checkident`): the model matrix has full column rank, and some
    positive cell means reproduce the observed margins, which the linear program finds by
    maximising the smallest of them."""
    if np.linalg.matrix_rank(d.x) < d.x.shape[1]:
        return False
    if np.all(d.y > 0):
        return True  # every cell observed: the observed counts themselves are such means
    cells, params = d.x.shape
    margins = d.x.T @ d.y
    # Variables: a mean per cell, then s; maximise s with x^T m = margins and m >= s >= 0.
    objective = np.zeros(cells + 1)
    objective[-1] = -1.0
    a_eq = np.hstack([d.x.T, np.zeros((params, 1))])
    a_ub = np.hstack([-np.eye(cells), np.ones((cells, 1))])
    result = optimize.linprog(
        objective,
        A_ub=a_ub,
        b_ub=np.zeros(cells),
        A_eq=a_eq,
        b_eq=margins,
        bounds=[(0, None)] * (cells + 1),
        method="highs",
    )
    return bool(result.status == 0 and -result.fun > 1e-7)


def _glm(  # type: ignore[no-untyped-def]
    y: np.ndarray,
    x: np.ndarray,
    offset: np.ndarray | None = None,
    start: np.ndarray | None = None,
):
    # Imported here: statsmodels takes a second to import, and only estimates need it.
    import statsmodels.api as sm
    from statsmodels.tools.sm_exceptions import ConvergenceWarning, PerfectSeparationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        warnings.simplefilter("ignore", PerfectSeparationWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        try:
            model = sm.GLM(y, x, family=sm.families.Poisson(), offset=offset)
            return model.fit(maxiter=200, tol=1e-10, start_params=start)
        except (ConvergenceWarning, ValueError, np.linalg.LinAlgError, OverflowError) as error:
            raise NoEstimate("not_converged") from error


def fit(
    table: Table, terms: Iterable[Term] = (), check: bool = True, start: "Fit | None" = None
) -> Fit:
    """Fit the model with these interaction terms; raise NoEstimate when its estimate does not
    exist, is not identifiable, or does not converge. `start`, a fitted model whose terms
    are among these, starts the iterations from its estimates (the new terms from zero)."""
    d = design(table, terms)
    if check and not estimate_exists(d):
        raise NoEstimate("infinite")
    initial = None
    if (
        start is not None
        and start._design is not None
        and start.params is not None
        and start.empty_terms == d.empty_terms
    ):
        known = dict(zip(start._design.columns, start.params, strict=True))
        initial = np.array([known.get(column, 0.0) for column in d.columns])
        # A new term starts where it would match its margin if nothing else moved: the log
        # of the persons on its lists over the start model's fitted count there.
        means = np.exp(d.x @ initial)
        for j, column in enumerate(d.columns):
            if column not in known:
                cells = d.x[:, j] > 0
                initial[j] = math.log(d.y[cells].sum() / means[cells].sum())
    result = _glm(d.y, d.x, start=initial)
    params = np.asarray(result.params)
    if not np.all(np.isfinite(params)) or not result.converged:
        raise NoEstimate("not_converged")
    intercept = float(params[0])
    if math.exp(min(intercept, 700.0)) > ABSURD_RATIO * max(table.observed, 1):
        raise NoEstimate("infinite")
    pvalues = np.asarray(result.pvalues)
    fitted = tuple(c for c in d.columns if len(c) > 1)
    return Fit(
        table=table,
        terms=fitted + d.empty_terms,
        empty_terms=d.empty_terms,
        intercept=intercept,
        loglik=float(result.llf),
        parameters=d.x.shape[1] + len(d.empty_terms),
        cells=d.x.shape[0],
        term_pvalues={c: float(pvalues[i]) for i, c in enumerate(d.columns) if len(c) > 1},
        params=params,
        _design=d,
    )


def pairs(size: int) -> list[Term]:
    return list(itertools.combinations(range(size), 2))


def independence(table: Table) -> Fit:
    """Main effects only: the lists are taken to be independent."""
    return fit(table, ())


def stepwise(table: Table, threshold: float = 0.05) -> Fit:
    """Bales, Hesketh & Silverman's rule (modslavmse's MSEfit): from main effects, add the
    pair that lowers AIC most; keep it only if its Wald p-value is at most `threshold`; stop
    when no pair lowers AIC or the best one is not significant. Pairs that share nobody, and
    pairs whose model has no finite estimate, are never candidates (SparseMSE's check)."""
    current = independence(table)
    candidates = [t for t in pairs(table.size) if table.on_all(t) > 0]
    # A pair whose model has no finite estimate never gets one once more terms are in.
    impossible: set[Term] = set()
    while True:
        tried: list[tuple[Fit, Term]] = []
        for term in candidates:
            if term in current.terms or term in impossible:
                continue
            try:
                tried.append((fit(table, (*current.terms, term), check=False, start=current), term))
            except NoEstimate:
                continue
        # The lowest AIC among the models whose estimate exists (checked in AIC order, which
        # is the same choice as checking all first); on a tie the first pair in list order,
        # as modslavmse does.
        tried.sort(key=lambda pair: pair[0].aic)
        if not tried or tried[0][0].aic >= current.aic:
            return current  # no pair lowers AIC, whether its estimate exists or not
        best = None
        for candidate, term in tried:
            if estimate_exists(candidate._design):  # type: ignore[arg-type]
                best, added = candidate, term
                break
            impossible.add(term)
        if best is None or best.aic >= current.aic:
            return current
        if best.term_pvalues[added] > threshold:
            return current
        current = best


def hierarchical_models(table: Table, max_order: int = 2) -> Iterator[tuple[Term, ...]]:
    """Every hierarchical model with interactions of order up to `max_order`: any set of
    pairs, and with order 3 any set of triples whose three pairs are all in the model."""
    all_pairs = pairs(table.size)
    for mask in range(1 << len(all_pairs)):
        chosen = tuple(p for i, p in enumerate(all_pairs) if mask >> i & 1)
        yield chosen
        if max_order >= 3:
            present = set(chosen)
            triples = [
                t
                for t in itertools.combinations(range(table.size), 3)
                if all(p in present for p in itertools.combinations(t, 2))
            ]
            for tmask in range(1, 1 << len(triples)):
                yield chosen + tuple(t for i, t in enumerate(triples) if tmask >> i & 1)


def model_count(size: int, max_order: int = 2) -> int:
    """How many models `best_by` would fit (for a job's progress)."""
    if max_order < 3:
        return 1 << (size * (size - 1) // 2)
    return sum(1 for _ in hierarchical_models(Table(tuple("x" * size), {}), max_order))


def best_by(
    table: Table,
    criterion: str = "bic",
    max_order: int = 2,
    progress: Callable[[int], None] | None = None,
) -> Fit:
    """The model with the lowest AIC or BIC among all hierarchical models (those without a
    finite estimate skipped). `progress` is called with the number of models tried so far."""
    best: Fit | None = None
    for done, terms in enumerate(hierarchical_models(table, max_order), start=1):
        try:
            candidate = fit(table, terms)
        except NoEstimate:
            candidate = None
        if candidate is not None:
            score = candidate.bic if criterion == "bic" else candidate.aic
            if best is None or score < (best.bic if criterion == "bic" else best.aic):
                best = candidate
        if progress is not None and done % 64 == 0:
            progress(done)
    if best is None:
        raise NoEstimate("infinite")
    return best


def profile_interval(model: Fit) -> tuple[float, float]:
    """The 95% profile likelihood interval of the total (Cormack 1992, as Rcapture's
    closedpCI.t): for a total N the unobserved cell holds N minus the documented, the model
    is refitted on the whole table, and the multinomial likelihood of N is read; the interval
    is where it is within half the chi-square quantile of its maximum. Raises NoEstimate
    ("open_interval") when the likelihood never falls that far: no upper limit exists."""
    d = model._design if model._design is not None else design(model.table, model.terms)
    observed = model.table.observed
    empty_cell = np.zeros((1, d.x.shape[1]))
    empty_cell[0, 0] = 1.0
    x = np.vstack([d.x, empty_cell])
    constant = float(np.sum(special.gammaln(d.y + 1)))
    # Each refit starts from the estimates at the nearest total already fitted (at the
    # model's own total they are the model's): a few iterations instead of a dozen.
    fitted: dict[float, np.ndarray] = {}
    if model.params is not None and model._design is not None:
        fitted[model.total] = model.params

    def loglik(total: float) -> float:
        y = np.append(d.y, total - observed)
        nearest = min(fitted, key=lambda done: abs(done - total), default=None)
        result = _glm(y, x, start=None if nearest is None else fitted[nearest])
        fitted[total] = np.asarray(result.params)
        mu = np.asarray(result.mu)
        return float(
            special.gammaln(total + 1)
            - special.gammaln(total - observed + 1)
            + np.sum(y * np.log(mu / total))
            - constant
        )

    ceiling = observed * ABSURD_RATIO
    peak = optimize.minimize_scalar(
        lambda n: -loglik(n),
        bounds=(observed + 1e-6, max(model.total * 4, observed + 10)),
        method="bounded",
        options={"xatol": 1e-3},
    )
    top, best = float(peak.x), -float(peak.fun)
    target = best - CHI2_95 / 2

    def below(total: float) -> float:
        return loglik(total) - target

    if below(observed + 1e-9) > 0:
        lower = float(observed)
    else:
        lower = float(optimize.brentq(below, observed + 1e-9, top, xtol=1e-3))
    high = max(top * 2, observed + 10)
    while below(high) > 0:
        if high >= ceiling:
            raise NoEstimate("open_interval")
        high = min(high * 2, ceiling)
    upper = float(optimize.brentq(below, top, high, xtol=1e-3))
    return lower, upper


def with_interval(model: Fit) -> Fit:
    """The fit with its profile interval filled in."""
    model.lower, model.upper = profile_interval(model)
    return model
