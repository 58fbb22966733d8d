"""Each kind of record declared once: its fields on the model's columns (`fields.py`), its
lists, filters and names in its feature's `kind.py`, read by every door."""
