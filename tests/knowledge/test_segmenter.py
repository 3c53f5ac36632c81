"""Chinese segmentation over the trie: the same words as jieba's own dictionary, less memory."""

from __future__ import annotations

import tempfile
from pathlib import Path

import jieba
import pytest

from bot.knowledge.segmenter import load, segmenter

CONTENT = Path(__file__).resolve().parents[2] / "content"
QUESTIONS = ["昆明友协的宗旨是什么", "会费怎么交", "理事会多久开一次会", "会员有哪些权利和义务"]


@pytest.fixture(scope="module")
def jieba_own() -> jieba.Tokenizer:
    """A tokenizer on jieba's own dictionary, as jieba loads it."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def test_the_trie_holds_jiebas_table_exactly(jieba_own: jieba.Tokenizer) -> None:
    ours = segmenter()
    assert ours.total == jieba_own.total
    assert len(ours.FREQ) == len(jieba_own.FREQ)
    differing = [w for w, f in jieba_own.FREQ.items() if ours.FREQ.get(w) != f]
    assert differing == []
    assert ours.FREQ.get("友协不存在的词") is None
    assert "友协不存在的词" not in ours.FREQ


def test_articles_and_questions_segment_as_with_jieba(jieba_own: jieba.Tokenizer) -> None:
    texts = [
        (CONTENT / name).read_text(encoding="utf-8") for name in ("articles.zh.md", "mission.zh.md")
    ]
    texts += QUESTIONS
    ours = segmenter()
    for text in texts:
        assert list(ours.cut(text)) == list(jieba_own.cut(text))
        assert list(ours.cut_for_search(text)) == list(jieba_own.cut_for_search(text))


def test_a_dictionary_builds_its_trie_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("友好协会 30 n\n友好 500 a\n协会 200 n\n友好 700 a\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    loaded = load(dictionary)
    assert loaded is not None
    table, total = loaded
    assert total == 30 + 500 + 200 + 700
    assert (table.get("友好"), table.get("友好协会"), table.get("协会")) == (700, 30, 200)
    assert table.get("友好协") == 0 and "友好协" in table  # a prefix, as jieba keeps them
    assert table.get("协会会") is None
    built = sorted(p.name for p in (tmp_path / "cache").iterdir())
    assert len(built) == 2 and built[1] == built[0] + ".freq"
    stamp = (tmp_path / "cache" / built[0]).stat().st_mtime_ns
    assert load(dictionary) is not None
    assert (tmp_path / "cache" / built[0]).stat().st_mtime_ns == stamp


def test_without_a_writable_cache_jiebas_own_table_is_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dictionary = tmp_path / "dict.txt"
    dictionary.write_text("友好 500 a\n", encoding="utf-8")
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing" / "cache"))
    assert load(dictionary) is None
