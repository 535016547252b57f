"""The benchmark harness (``make bench``); a developer tool, outside the installed package."""
