"""Database ids are 64-bit positive integers; anything else is refused before it reaches the
database (SQLite would overflow converting a larger parameter)."""

MAX_ID = 2**63 - 1


def is_valid_id(value) -> bool:
    return isinstance(value, int) and 0 < value <= MAX_ID
