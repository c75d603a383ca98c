"""Users, role grants on the place tree, API tokens, and the one permission layer."""
