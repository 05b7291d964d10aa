"""``python -m zopa.cli``: the ``zopa`` command."""

from zopa.cli import main

main()
