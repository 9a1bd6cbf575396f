"""HTTP API (FastAPI) and command line of maillage."""
