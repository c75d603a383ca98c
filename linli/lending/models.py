"""Donated items lent to residents (filled in by the lending work)."""
