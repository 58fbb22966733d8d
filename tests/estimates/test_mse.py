"""The estimator's numerics against closed forms and the published sparse-data rules."""

import pytest

from tracker.estimates import mse


def test_two_list_independence_is_lincoln_petersen():
    on_a_only, on_b_only, on_both = 140, 90, 35
    table = mse.Table(("A", "B"), {(1, 0): on_a_only, (0, 1): on_b_only, (1, 1): on_both})
    fitted = mse.independence(table)
    a, b = on_a_only + on_both, on_b_only + on_both
    assert fitted.total == pytest.approx(a * b / on_both, rel=1e-9)
    assert fitted.unobserved == pytest.approx(on_a_only * on_b_only / on_both, rel=1e-9)


def test_a_model_with_no_finite_estimate_is_refused():
    # Three lists with every pair in the model: the fit is saturated on the observed cells,
    # and with nobody on all three lists the unobserved cell has no finite estimate.
    table = mse.Table(
        ("A", "B", "C"),
        {(1, 0, 0): 50, (0, 1, 0): 40, (0, 0, 1): 30, (1, 1, 0): 10, (1, 0, 1): 8, (0, 1, 1): 6},
    )
    with pytest.raises(mse.NoEstimate) as refused:
        mse.fit(table, [(0, 1), (0, 2), (1, 2)])
    assert refused.value.reason == "infinite"
    # The main-effects model on the same lists exists.
    assert mse.independence(table).total > table.observed


def test_an_interval_without_upper_limit_is_refused(monkeypatch):
    table = mse.Table(
        ("A", "B", "C"),
        {(1, 0, 0): 100, (0, 1, 0): 100, (0, 0, 1): 100, (1, 1, 0): 1, (1, 0, 1): 1, (0, 1, 1): 1},
    )
    fitted = mse.independence(table)
    assert 10_000 < fitted.total < 11_000
    lower, upper = mse.profile_interval(fitted)
    assert lower < fitted.total < upper
    # Where the likelihood never falls far enough below the ceiling, there is no upper limit:
    # the interval is refused, never printed as if it were one.
    monkeypatch.setattr(mse, "ABSURD_RATIO", 50.0)
    with pytest.raises(mse.NoEstimate) as refused:
        mse.profile_interval(fitted)
    assert refused.value.reason == "open_interval"


def test_stepwise_never_adds_a_pair_that_shares_nobody():
    # A and D share nobody: SparseMSE's rule leaves such a term out of the stepwise model.
    table = mse.Table(
        ("A", "B", "C", "D"),
        {
            (1, 0, 0, 0): 120,
            (0, 1, 0, 0): 90,
            (0, 0, 1, 0): 80,
            (0, 0, 0, 1): 60,
            (1, 1, 0, 0): 30,
            (1, 0, 1, 0): 12,
            (0, 1, 1, 0): 9,
            (0, 1, 0, 1): 7,
            (0, 0, 1, 1): 5,
            (1, 1, 1, 0): 4,
        },
    )
    fitted = mse.stepwise(table)
    assert (0, 3) not in fitted.terms
    assert fitted.total > table.observed
