"""Exports: CSV, XLSX and JSON of any list or the dashboard, and the printable report."""
