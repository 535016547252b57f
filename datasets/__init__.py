"""The seeded demo-client generator (``make demo``); a developer tool, outside the installed package.

``demo`` (command line and public API) -> ``spec`` (reads ``specs/<client>.yaml`` into the
``model``) -> ``survey`` (with ``touchpoints`` and ``text``: the draws) -> ``writer`` (the files).
"""
