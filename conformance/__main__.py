"""``python -m conformance``: same as the ``autograd-conformance`` console script."""

import sys

from conformance.cli import main

sys.exit(main())
