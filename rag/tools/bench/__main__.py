"""Child-process entry of the bench: ``python -m rag.tools.bench PHASE JSON_ARGS`` prints the phase's JSON."""

from __future__ import annotations

import json
import os
import sys

from rag.tools.bench.ingest import _ingest_phase


def _main(argv: list[str]) -> int:
    """Child-process entry: ``python -m rag.tools.bench PHASE JSON_ARGS`` prints the phase's JSON result."""
    phases = {"ingest": _ingest_phase}
    if len(argv) != 2 or argv[0] not in phases:
        print("usage: python -m rag.tools.bench ingest JSON_ARGS (internal; use `reportqa bench`)", file=sys.stderr)
        return 2
    print(json.dumps(phases[argv[0]](json.loads(argv[1]))))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    raise SystemExit(_main(sys.argv[1:]))

