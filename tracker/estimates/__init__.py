"""How many were never documented: multiple systems estimation over lists of sources."""
