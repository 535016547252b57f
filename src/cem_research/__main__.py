"""``python -m cem_research``: the command-line runner (see :mod:`cem_research.run.cli`)."""

import sys

from cem_research.run.cli import main

sys.exit(main())
