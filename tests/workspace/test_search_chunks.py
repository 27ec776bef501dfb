"""Chunking for the search index: window sizes, boundaries, overlap, transcripts' speakers and seconds."""

from __future__ import annotations

import random

from attio_mcp.workspace.search.chunks import MAX_WORDS, MIN_WORDS, OVERLAP_WORDS, chunk_doc
from attio_mcp.workspace.search.model import Doc, Turn

_WORDS = "pricing budget renewal contract security onboarding integration procurement timeline legal".split()


def _sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(n)).capitalize() + "."


def _note(text: str, **extra: object) -> Doc:
    return Doc(id="note:n1", kind="note", title="Call with Acme", text=text, version="v1", **extra)  # type: ignore[arg-type]


def _long_note(seed: int = 7, paragraphs: int = 6) -> str:
    rng = random.Random(seed)
    return "\n\n".join(
        " ".join(_sentence(rng, rng.randint(6, 22)) for _ in range(rng.randint(2, 7)))
        for _ in range(paragraphs)
    )


def test_a_short_note_is_one_chunk_whose_indexed_text_adds_title_and_context() -> None:
    doc = _note("They want SOC 2 before signing.", context="Acme Corp · Dana Smith")
    [chunk] = chunk_doc(doc)
    assert (chunk.doc_id, chunk.ordinal, chunk.text) == ("note:n1", 0, "They want SOC 2 before signing.")
    assert chunk.indexed == "Call with Acme\nAcme Corp · Dana Smith\nThey want SOC 2 before signing."
    assert chunk.speaker is None and chunk.start_seconds is None


def test_a_long_note_is_cut_into_windows_of_sixty_to_a_hundred_and_twenty_words() -> None:
    text = _long_note()
    chunks = chunk_doc(_note(text))
    assert len(chunks) >= 3
    assert [c.ordinal for c in chunks] == list(range(len(chunks)))
    sizes = [len(c.text.split()) for c in chunks]
    assert all(size <= MAX_WORDS + 30 for size in sizes), sizes  # a short tail may join the last window
    assert all(size >= MIN_WORDS // 2 for size in sizes), sizes
    # every sentence of the note is in some chunk, whole (windows end on sentence boundaries)
    sentences = [s.strip() for p in text.split("\n\n") for s in p.split(". ") if s.strip()]
    joined = "\n".join(c.text for c in chunks)
    assert all(s.rstrip(".") in joined for s in sentences)
    for chunk in chunks:
        assert chunk.text.endswith("."), chunk.text[-30:]


def test_windows_close_at_a_paragraph_end_once_past_the_minimum() -> None:
    rng = random.Random(3)
    first = " ".join(_sentence(rng, 16) for _ in range(4))  # 64 words: one paragraph past MIN_WORDS
    second = " ".join(_sentence(rng, 16) for _ in range(4))
    chunks = chunk_doc(_note(first + "\n\n" + second))
    assert [c.text for c in chunks] == [first, second]


def test_a_full_window_repeats_its_last_short_sentence_in_the_next() -> None:
    rng = random.Random(11)
    sentences = [_sentence(rng, 14) for _ in range(20)]  # one paragraph of 280 words, no early close
    chunks = chunk_doc(_note(" ".join(sentences)))
    assert len(chunks) >= 3
    for before, after in zip(chunks, chunks[1:], strict=False):
        last = before.text.split(". ")[-1]
        assert len(last.split()) <= OVERLAP_WORDS
        assert after.text.startswith(last.rstrip("."))


def test_a_sentence_longer_than_a_window_is_cut_by_words() -> None:
    words = [f"w{i}" for i in range(300)]
    chunks = chunk_doc(_note(" ".join(words)))
    assert all(len(c.text.split()) <= MAX_WORDS for c in chunks)
    assert " ".join(c.text for c in chunks).split() == words


def test_transcript_chunks_group_turns_and_cite_the_first_speaker_and_second() -> None:
    rng = random.Random(5)
    turns = tuple(
        Turn(("Dana", "Sam")[i % 2], 12.5 * i, _sentence(rng, rng.randint(8, 30))) for i in range(24)
    )
    doc = Doc(
        id="transcript:m1:c1",
        kind="transcript",
        title="Acme weekly",
        text="\n".join(t.text for t in turns),
        version="v1",
        turns=turns,
        context="Dana Smith, Sam Lee",
    )
    chunks = chunk_doc(doc)
    assert len(chunks) >= 3
    by_start = {t.start_seconds: t for t in turns}
    for chunk in chunks:
        lines = chunk.text.split("\n")
        first = by_start[chunk.start_seconds]  # type: ignore[index]
        assert chunk.speaker == first.speaker
        assert lines[0] == f"{first.speaker}: {first.text}"
        assert all(line.split(": ", 1)[0] in ("Dana", "Sam") for line in lines)
        assert chunk.indexed.startswith("Acme weekly\nDana Smith, Sam Lee\n")
        assert len(chunk.text.split()) - len(lines) <= MAX_WORDS + 30  # speaker labels aside
    # every turn is in a chunk, in order
    said = [line for c in chunks for line in c.text.split("\n")]
    assert [f"{t.speaker}: {t.text}" for t in turns] == list(dict.fromkeys(said))


def test_a_monologue_longer_than_a_window_keeps_its_speaker_on_every_piece() -> None:
    rng = random.Random(9)
    speech = " ".join(_sentence(rng, 20) for _ in range(15))  # 300 words in one turn
    turns = (Turn("Dana", 0.0, "Hello."), Turn("Sam", 4.0, speech), Turn("Dana", 200.0, "Thanks, bye."))
    doc = Doc(id="transcript:m:c", kind="transcript", title="t", text="", version="1", turns=turns)
    chunks = chunk_doc(doc)
    assert len(chunks) >= 3
    assert all(line.startswith(("Dana: ", "Sam: ")) for c in chunks for line in c.text.split("\n"))
    assert [c.speaker for c in chunks[1:-1]] == ["Sam"] * (len(chunks) - 2)
    assert all(c.start_seconds == 4.0 for c in chunks[1:-1])


def test_an_item_without_text_still_gets_one_chunk_its_title() -> None:
    [chunk] = chunk_doc(Doc(id="task:t1", kind="task", title="Send the SOC 2 report", text="", version="1"))
    assert chunk.text == "Send the SOC 2 report"
    assert chunk.indexed == "Send the SOC 2 report"


def test_chunking_is_deterministic() -> None:
    doc = _note(_long_note(seed=21, paragraphs=9))
    assert chunk_doc(doc) == chunk_doc(doc)
