"""``python -m titlevideo.preflight`` (``make check``)."""

import sys

from titlevideo.preflight.run import main

sys.exit(main())
