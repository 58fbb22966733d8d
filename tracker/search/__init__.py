"""Korean-aware name search and duplicate detection."""
