"""The REST API under /api/v1: one NinjaAPI that mounts each app's router."""
