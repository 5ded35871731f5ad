"""The bureau's worker process: ``python worker.py`` is the same as ``lifecycle worker``."""

from runtime import main

if __name__ == "__main__":
    main(["worker"])
