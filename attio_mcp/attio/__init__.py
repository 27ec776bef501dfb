"""attio."""
