"""The seeded demo-client generator (``make demo``); a developer tool, outside the installed package."""
