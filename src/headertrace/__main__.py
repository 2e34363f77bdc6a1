"""``python -m headertrace``: the command-line interface."""

from headertrace.cli import main

if __name__ == "__main__":
    main()
