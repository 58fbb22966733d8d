"""`make load`: many users at once against `tracker serve` on a generated database."""
