"""Spreadsheet import: CSV and XLSX files into records, through the records' own services."""
