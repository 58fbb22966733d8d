"""Records every kind shares: the audited, versioned service pattern (`service.py`) and
bulk writing for imports (`bulk.py`)."""
