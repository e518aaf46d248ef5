"""`python -m billkit ...` is the `billkit` command."""

import sys

from billkit.cli import main

sys.exit(main())
