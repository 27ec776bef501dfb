"""Tool tests use the shared fixtures of tests/conftest.py (sandbox_app, settings, mcp, tools)."""
