"""The stored path of the place tree.

Each place stores ``path``: the ids of its ancestors and itself, each zero-padded to
``SEGMENT`` digits, e.g. ``0000000001000000000700000000031``. A subtree is then one range
scan on an ordinary B-tree index, on SQLite and PostgreSQL alike: every descendant's path
starts with the place's path, so it sorts between that path and the path with its last
segment incremented. Only digits are stored, so every collation orders them the same way."""

from django.db.models import Q

SEGMENT = 10


def segment(pk: int) -> str:
    return f"{pk:0{SEGMENT}d}"


def child_path(parent_path: str, pk: int) -> str:
    return parent_path + segment(pk)


def path_ids(path: str) -> list[int]:
    return [int(path[i : i + SEGMENT]) for i in range(0, len(path), SEGMENT)]


def path_upper_bound(path: str) -> str:
    last = int(path[-SEGMENT:]) + 1
    return path[:-SEGMENT] + segment(last)


def subtree_q(path: str, field: str = "path") -> Q:
    """Rows whose ``field`` lies in the subtree rooted at ``path`` (the root included)."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": path_upper_bound(path)})


def in_subtree(path: str, root_path: str) -> bool:
    return bool(path) and bool(root_path) and path.startswith(root_path)


def depth(path: str) -> int:
    return len(path) // SEGMENT


# How deep each kind of place sits in the tree (the district is the root).
KIND_DEPTH = {
    "district": 1,
    "street": 2,
    "community": 3,
    "compound": 4,
    "building": 5,
    "unit": 6,
    "household": 7,
}


def ancestor_path(path: str, kind: str) -> str:
    """The path of the ancestor of ``kind`` (the place itself when it is of that kind, the
    path unchanged when it sits above that depth)."""
    return path[: SEGMENT * KIND_DEPTH[kind]]
