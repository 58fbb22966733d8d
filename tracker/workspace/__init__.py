"""The researcher workspace: one list/detail/edit pattern shared by every kind of record."""
