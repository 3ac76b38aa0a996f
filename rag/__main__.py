"""Allow ``python -m rag`` as an alias of the ``reportqa`` console script."""

from rag.cli import app

if __name__ == "__main__":
    app()
