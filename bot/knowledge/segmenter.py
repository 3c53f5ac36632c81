"""Chinese word segmentation: jieba, with its dictionary held in a MARISA trie.

jieba keeps its dictionary (350,000 words, plus every prefix of a word: 500,000 keys) in a
Python dict of word to frequency, about 63 MB of the bot's memory. Here the same keys live in
a `marisa_trie.Trie`, mapped from a cache file, and the frequencies in an array indexed by
each key's id: a few MB. jieba's own algorithm then runs over exactly the same words and
frequencies, so the words it finds do not change (tests/test_knowledge_segmenter.py
compares the two on the shipped Articles).

The cache file is built once per jieba dictionary, in the system's temporary directory (as
jieba does with its own cache), and reused by every later start. The build runs in a child
process: building holds every key in memory for a moment, and a long-running bot should not
keep that memory. Where no cache can be written, jieba's own table is used.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import sys
import tempfile
from array import array
from collections.abc import Iterator
from functools import cache
from importlib.metadata import version
from pathlib import Path

import jieba
import marisa_trie

__all__ = ["TrieFrequencies", "build_cache", "segmenter"]

logger = logging.getLogger(__name__)

jieba.setLogLevel(logging.WARNING)

JIEBA_DICTIONARY = Path(jieba.__file__).parent / jieba.DEFAULT_DICT_NAME
_TOTAL_BYTES = 8  # the frequency file starts with the sum of all frequencies


class TrieFrequencies:
    """jieba's table of word -> frequency (0 for a mere prefix), as a trie and an array."""

    __slots__ = ("_frequencies", "_trie")

    def __init__(self, trie: marisa_trie.Trie, frequencies: array[int]) -> None:
        self._trie = trie
        self._frequencies = frequencies

    def __contains__(self, word: object) -> bool:
        return word in self._trie

    def __getitem__(self, word: str) -> int:
        return self._frequencies[int(self._trie[word])]

    def __len__(self) -> int:
        return len(self._trie)

    def get(self, word: str, default: int | None = None) -> int | None:
        """The frequency of `word`, or `default` when it is neither a word nor a prefix."""
        key_id = self._trie.get(word)
        return default if key_id is None else self._frequencies[int(key_id)]


def _entries(dictionary: Path) -> Iterator[tuple[str, int]]:
    """The dictionary's lines as (word, frequency), read one at a time."""
    with dictionary.open(encoding="utf-8") as lines:
        for line in lines:
            fields = line.split()
            if len(fields) >= 2:
                yield fields[0], int(fields[1])


def _keys(dictionary: Path) -> Iterator[str]:
    """Every word and every prefix of a word, as jieba's table holds them."""
    for word, _ in _entries(dictionary):
        for end in range(1, len(word) + 1):
            yield word[:end]


def _cache_path(dictionary: Path) -> Path:
    """Where the trie built from `dictionary` is kept; the name changes with its inputs."""
    stat = dictionary.stat()
    key = f"{dictionary}|{stat.st_size}|{stat.st_mtime_ns}|{version('marisa-trie')}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"youxie-jieba-{digest}.marisa"


def build_cache(dictionary: Path, target: Path) -> None:
    """Write the trie to `target` and the frequencies beside it (`.freq`), atomically."""
    trie = marisa_trie.Trie(_keys(dictionary))
    frequencies = array("I", bytes(4 * len(trie)))
    total = 0
    for word, frequency in _entries(dictionary):  # a later line wins, as in jieba
        frequencies[trie[word]] = frequency
        total += frequency
    suffix = f".{os.getpid()}.tmp"
    trie.save(f"{target}{suffix}")
    with open(f"{target}.freq{suffix}", "wb") as out:
        out.write(total.to_bytes(_TOTAL_BYTES, "little"))
        frequencies.tofile(out)
    os.replace(f"{target}.freq{suffix}", f"{target}.freq")
    os.replace(f"{target}{suffix}", target)


def _build_or_exit(dictionary: Path, target: Path) -> None:
    """The child process's work: build the cache, or exit with status 1 saying why."""
    try:
        build_cache(dictionary, target)
    except OSError as error:
        print(f"cannot build the Chinese word trie: {error}", file=sys.stderr)
        sys.exit(1)


def _build_in_child(dictionary: Path, target: Path) -> bool:
    """Build the cache in a fresh child process; True when it exists afterwards."""
    logger.info("building the Chinese word trie in %s", target)
    child = multiprocessing.get_context("spawn").Process(
        target=_build_or_exit, args=(dictionary, target), name="jieba-trie"
    )
    child.start()
    child.join()
    return child.exitcode == 0 and target.exists() and Path(f"{target}.freq").exists()


def load(dictionary: Path = JIEBA_DICTIONARY) -> tuple[TrieFrequencies, int] | None:
    """The frequency table of `dictionary` and its total, or None when no cache can be made."""
    path = _cache_path(dictionary)
    built = path.exists() and Path(f"{path}.freq").exists()
    if not built and not _build_in_child(dictionary, path):
        logger.warning("no Chinese word trie in %s; using jieba's own dictionary", path)
        return None
    trie = marisa_trie.Trie()
    trie.mmap(str(path))
    raw = Path(f"{path}.freq").read_bytes()
    frequencies = array("I")
    frequencies.frombytes(raw[_TOTAL_BYTES:])
    return TrieFrequencies(trie, frequencies), int.from_bytes(raw[:_TOTAL_BYTES], "little")


@cache
def segmenter() -> jieba.Tokenizer:
    """A jieba tokenizer whose dictionary is the trie (jieba's own stays unloaded)."""
    tokenizer = jieba.Tokenizer()
    table = load()
    if table is not None:
        tokenizer.FREQ, tokenizer.total = table
        tokenizer.initialized = True
    return tokenizer
