"""``python -m jaxsched``: the same command line as ``jaxsched``."""

import sys

from jaxsched.cli import main

if __name__ == "__main__":
    sys.exit(main())
