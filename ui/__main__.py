"""``python -m ui [--host H] [--port P] [--ingest DIR]`` = ``reportqa serve …``."""

import sys

from rag.cli import app

if __name__ == "__main__":
    app(["serve", *sys.argv[1:]], prog_name="python -m ui")
