"""Skill tests use the shared fixtures of tests/conftest.py (a real MCP client over the sandbox)."""
