"""The Trash: soft-deleted records of every kind, to be restored."""
