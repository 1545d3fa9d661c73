"""`python -m crepitus` is the same as the `crepitus` command."""

from crepitus.cli import main

main()
