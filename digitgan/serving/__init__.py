"""The serving stage: the static file server for the built pages (serve.py, make demo, tests)."""
