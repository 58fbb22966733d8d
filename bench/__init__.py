"""The benchmark suite: `make bench` builds a synthetic database and measures against baselines."""
