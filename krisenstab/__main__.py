import sys

from krisenstab.cli import main

sys.exit(main())
