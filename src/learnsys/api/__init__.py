"""The HTTP API: thin FastAPI routes over the core services."""
