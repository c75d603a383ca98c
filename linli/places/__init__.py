"""The place tree (district down to household) and the organisations that serve places."""
