"""``python -m cem_research``: the command-line runner (see :mod:`cem_research.cli`)."""

import sys

from cem_research.cli import main

sys.exit(main())
