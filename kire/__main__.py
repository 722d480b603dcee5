import sys

from kire.cli import main

sys.exit(main())
