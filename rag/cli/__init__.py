"""``reportqa`` command line. Every command takes ``--json`` for machine-readable output (a stable contract).

A thin adapter: commands parse options, call the service layer (``rag.service``) and print; one module per
group of commands.
"""

from rag.cli import figures, library, questions, server  # noqa: F401 - importing registers the commands
from rag.cli.common import app
from rag.cli.server import exposure_warning

__all__ = ["app", "exposure_warning"]
