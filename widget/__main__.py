"""``python -m widget``: the same as the ``voipdown`` command."""

import sys

from widget.cli import main

sys.exit(main())
