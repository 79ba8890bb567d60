# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Text in: the runtime's tokenizers (bnrt.Tokenizer, bnbert-run --text)
against the reference tokenizers on 300 real quotes from `fortunes` and
hand-picked hard cases, and run_text against feeding the ids directly."""
import json
import subprocess
import sys

import numpy as np
import pytest

import bnrt
from bnbert.deploy import compile_bundle, find_tool
from text_reference import (HARD_CASES, fortunes_corpus, reference_pair,
                            reference_sentencepiece_ids,
                            reference_wordpiece_ids, train_sentencepiece, write_vocab)

pytestmark = pytest.mark.skipif(not bnrt._lib.bnrt_text_available(),
                                reason="libbnrt built without tokenizers")
FIXTURES = __import__("pathlib").Path(__file__).resolve().parents[2] / "test" / "fixtures"
NAMES = ("input_ids", "attention_mask", "token_type_ids")


@pytest.fixture(scope="module")
def corpus():
    return fortunes_corpus(300) + HARD_CASES


@pytest.fixture(scope="module")
def vocabs(tmp_path_factory, corpus):
    tmp = tmp_path_factory.mktemp("vocab")
    out = {}
    for lowercase in (True, False):
        path = tmp / f"vocab-{'uncased' if lowercase else 'cased'}.txt"
        out[lowercase] = (path, write_vocab(path, corpus[:200], lowercase))
    return out


@pytest.mark.parametrize("lowercase", [True, False], ids=["uncased", "cased"])
def test_wordpiece_matches_the_reference(vocabs, corpus, lowercase):
    path, vocab = vocabs[lowercase]
    tok = bnrt.Tokenizer(str(path), lowercase=lowercase)
    assert tok.vocab_size == len(vocab) and tok.pad_id == vocab["[PAD]"]
    unk = vocab["[UNK]"]
    mismatches = [t for t in corpus
                  if tok.encode(t) != reference_wordpiece_ids(t, vocab, lowercase)]
    assert mismatches == []
    # The corpus exercises continuations and unknown words.
    ids = [i for t in corpus for i in tok.encode(t)]
    inverse = {i: p for p, i in vocab.items()}
    assert sum(inverse[i].startswith("##") for i in ids) > 100
    assert ids.count(unk) > 5


def test_wordpiece_hard_cases_by_hand(tmp_path):
    pieces = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", ",", "world",
              "!", "un", "##aff", "##able", "北", "京", "cafe", "café", "οδος", "σοφος",
              "σ", "ας", "'", "i̇stanbul", "a", "##a"]
    path = tmp_path / "vocab.txt"
    path.write_text("".join(p + "\n" for p in pieces), encoding="utf-8")
    ids = {p: i for i, p in enumerate(pieces)}
    uncased, cased = bnrt.Tokenizer(str(path)), bnrt.Tokenizer(str(path), lowercase=False)

    def pieces_of(tok, text):
        inverse = {i: p for p, i in ids.items()}
        return [inverse[i] for i in tok.encode(text)[1:-1]]

    assert pieces_of(uncased, "Héllo, WÖRLD!") == ["hello", ",", "world", "!"]
    assert pieces_of(cased, "Héllo, WÖRLD!") == ["[UNK]", ",", "[UNK]", "!"]
    assert pieces_of(uncased, "unaffable") == ["un", "##aff", "##able"]
    assert pieces_of(uncased, "北京") == ["北", "京"]  # CJK split per character
    assert pieces_of(uncased, "Café") == ["cafe"] and pieces_of(cased, "café") == ["café"]
    assert pieces_of(uncased, "ΟΔΟΣ ΣΟΦΟΣ Σ ΑΣ'") == ["οδος", "σοφος", "σ", "ας", "'"]
    assert pieces_of(uncased, "İstanbul") == ["[UNK]"]  # "i̇stanbul" loses its dot
    assert pieces_of(uncased, "a" * 100) == ["a"] + ["##a"] * 99
    assert pieces_of(uncased, "a" * 101) == ["[UNK]"]  # over 100 characters
    assert pieces_of(uncased, "[MASK] x[MASK]") == ["[MASK]", "[UNK]", "[UNK]", "[UNK]", "[UNK]"]
    assert pieces_of(uncased, "a\u200bb\x07\u00a0hello") == ["[UNK]", "hello"]
    assert uncased.encode("hello world hello", max_tokens=4) == [
        ids["[CLS]"], ids["hello"], ids["world"], ids["[SEP]"]]


@pytest.mark.parametrize("albert", [True, False], ids=["cls-sep", "bos-eos"])
def test_sentencepiece_matches_the_reference(tmp_path, corpus, albert):
    model = tmp_path / "sp.model"
    train_sentencepiece(model, corpus[:250], albert_style=albert)
    tok = bnrt.Tokenizer(str(model))
    mismatches = [t for t in corpus
                  if tok.encode(t) != reference_sentencepiece_ids(model, t)]
    assert mismatches == []
    assert tok.encode(corpus[0], max_tokens=5) == reference_sentencepiece_ids(
        model, corpus[0], max_tokens=5)
    assert tok.pad_id == 0


def test_tokenizer_errors(tmp_path):
    with pytest.raises(OSError, match="cannot open"):
        bnrt.Tokenizer(str(tmp_path / "missing.txt"))
    bad = tmp_path / "bad.txt"
    bad.write_text("[PAD]\n[UNK]\nhello\n", encoding="utf-8")
    with pytest.raises(ValueError, match="has no \\[CLS\\]"):
        bnrt.Tokenizer(str(bad))
    good = tmp_path / "good.txt"
    good.write_text("[PAD]\n[UNK]\n[CLS]\n[SEP]\n", encoding="utf-8")
    tok = bnrt.Tokenizer(str(good))
    with pytest.raises(ValueError, match="at least 2 tokens"):
        tok.encode("x", max_tokens=1)


@pytest.fixture(scope="module")
def text_model(tmp_path_factory, vocabs):
    tmp = tmp_path_factory.mktemp("textmodel")
    vocab_path, vocab = vocabs[True]
    subprocess.run([sys.executable, str(FIXTURES / "make_bert.py"), str(tmp / "m.onnx"),
                    "--layers", "2", "--hidden", "32", "--heads", "4", "--ffn", "64",
                    "--seq", "24", "--vocab", str(len(vocab))],
                   check=True, capture_output=True)
    ranged, fixed = tmp / "ranged.bnb", tmp / "fixed.bnb"
    compile_bundle(tmp / "m.onnx", ranged, {n: ("1..3", "2..24") for n in NAMES})
    compile_bundle(tmp / "m.onnx", fixed, {n: (2, 24) for n in NAMES})
    return {"ranged": ranged, "fixed": fixed, "vocab": vocab_path, "ids": vocab, "dir": tmp}


@pytest.mark.parametrize("kind", ["ranged", "fixed"])
def test_run_text_equals_feeding_the_ids(text_model, corpus, kind):
    m = bnrt.Model(str(text_model[kind]))
    tok = bnrt.Tokenizer(str(text_model["vocab"]))
    texts = corpus[:7] + [HARD_CASES[0]]
    got = m.run_text(texts, tok)["logits"]
    assert got.shape == (len(texts), 2)
    step, want = (3, []) if kind == "ranged" else (2, [])
    for start in range(0, len(texts), step):
        chunk = texts[start:start + step]
        refs = [reference_wordpiece_ids(t, text_model["ids"], True, max_tokens=24)
                for t in chunk]
        seq = max(len(r) for r in refs) if kind == "ranged" else 24
        rows = max(len(chunk), 1 if kind == "ranged" else 2)
        ids = np.zeros((rows, seq), np.int64)
        mask = np.zeros((rows, seq), np.int64)
        for row in range(rows):
            r = refs[row] if row < len(chunk) else [text_model["ids"]["[CLS]"],
                                                    text_model["ids"]["[SEP]"]]
            ids[row, :len(r)], mask[row, :len(r)] = r, 1
        out = m.run(input_ids=ids, attention_mask=mask,
                    token_type_ids=np.zeros_like(ids))["logits"]
        want.append(out[:len(chunk)])
    np.testing.assert_array_equal(got, np.concatenate(want))


def test_bnbert_run_text(text_model, corpus, tmp_path):
    texts = corpus[3:7]
    out = tmp_path / "out"
    base = [find_tool("bnbert-run"), str(text_model["ranged"]), "--tokenizer",
            str(text_model["vocab"]), "--output-dir", str(out)]
    args = base + ["--show-ids"]
    for t in texts:
        args += ["--text", t]
    result = subprocess.run(args, check=True, capture_output=True, text=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    m = bnrt.Model(str(text_model["ranged"]))
    want = m.run_text(texts, bnrt.Tokenizer(str(text_model["vocab"])))["logits"]
    assert [line["text"] for line in lines] == list(range(len(texts)))
    np.testing.assert_allclose([line["logits"] for line in lines], want, rtol=1e-6)
    assert [line["label"] for line in lines] == list(want.argmax(axis=1))
    np.testing.assert_array_equal(np.load(out / "logits.npy"), want)
    for line, t in zip(lines, texts):
        assert line["ids"] == reference_wordpiece_ids(t, text_model["ids"], True,
                                                      max_tokens=24)
    # Errors: invalid UTF-8 in a text file, flags that do not go together.
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok line\n\xff\xfe broken\n")
    result = subprocess.run(base + ["--text-file", str(bad)], capture_output=True,
                            text=True)
    assert result.returncode == 1
    assert f"{bad} line 2: invalid UTF-8 at byte 0" in result.stderr
    result = subprocess.run(base[:2] + ["--text", "x"], capture_output=True, text=True)
    assert result.returncode == 1 and "--text needs --tokenizer" in result.stderr


@pytest.mark.parametrize("kind", ["wordpiece", "sentencepiece-cls-sep",
                                  "sentencepiece-bos-eos"])
def test_pairs_match_the_reference(tmp_path, vocabs, corpus, kind):
    """Pairs of real quotes (and the hard cases) at lengths that cut
    neither, one, or both texts: ids and token types as Hugging Face's
    rules give them (text_reference.reference_pair)."""
    if kind == "wordpiece":
        path, vocab = vocabs[True]
        single = lambda t: reference_wordpiece_ids(t, vocab, True)  # noqa: E731
        roberta = False
    else:
        path = tmp_path / "sp.model"
        train_sentencepiece(path, corpus[:250], albert_style=kind.endswith("cls-sep"))
        single = lambda t: reference_sentencepiece_ids(path, t)  # noqa: E731
        roberta = kind.endswith("bos-eos")
    tok = bnrt.Tokenizer(str(path))
    firsts, seconds = corpus[:120], corpus[120:240][::-1]
    cut = {"none": 0, "one": 0, "both": 0}
    for max_len in (8, 13, 24, 64):
        got = tok.encode_batch(firsts, max_len, pairs=seconds)
        for row, (a, b) in enumerate(zip(firsts, seconds)):
            fa, fb = single(a), single(b)
            ids, types = reference_pair(fa, fb, max_len, roberta)
            n = int(got["attention_mask"][row].sum())
            assert list(got["input_ids"][row, :n]) == ids, (a, b, max_len)
            assert list(got["token_type_ids"][row, :n]) == types, (a, b, max_len)
            kept = (len(fa) - 2, len(fb) - 2)
            budget = max_len - (4 if roberta else 3)
            cut["none" if sum(kept) <= budget else
                "one" if 2 * min(kept) <= budget else "both"] += 1
    assert min(cut.values()) > 10, cut  # every case of the rule ran
    with pytest.raises(ValueError, match="pairs for"):
        tok.encode_batch(firsts[:2], 8, pairs=seconds[:1])


def test_pairs_run_as_their_ids(text_model, corpus, tmp_path):
    """run_text(pairs=...) equals feeding the reference pair ids and token
    types (which change this model's logits), and bnbert-run --pairs
    (TEXT<TAB>PAIR lines) prints the same logits."""
    m = bnrt.Model(str(text_model["ranged"]))
    tok = bnrt.Tokenizer(str(text_model["vocab"]))
    firsts, seconds = corpus[10:15], corpus[20:25]
    got = m.run_text(firsts, tok, pairs=seconds)["logits"]
    want = []
    for start in range(0, len(firsts), 3):  # the bundle's largest batch
        rows = [reference_pair(reference_wordpiece_ids(a, text_model["ids"], True),
                               reference_wordpiece_ids(b, text_model["ids"], True), 24,
                               roberta=False)
                for a, b in zip(firsts[start:start + 3], seconds[start:start + 3])]
        seq = max(len(ids) for ids, _ in rows)
        feed = {n: np.zeros((len(rows), seq), np.int64) for n in NAMES}
        for r, (ids, types) in enumerate(rows):
            feed["input_ids"][r, :len(ids)] = ids
            feed["attention_mask"][r, :len(ids)] = 1
            feed["token_type_ids"][r, :len(ids)] = types
        want.append(m.run(**feed)["logits"])
        untyped = m.run(**{**feed, "token_type_ids": np.zeros_like(feed["input_ids"])})
        assert not np.array_equal(untyped["logits"], want[-1])  # the types matter
    np.testing.assert_array_equal(got, np.concatenate(want))

    pairs_file = tmp_path / "pairs.tsv"
    pairs_file.write_text("".join(f"{a}\t{b}\n" for a, b in zip(firsts, seconds)),
                          encoding="utf-8")
    result = subprocess.run([find_tool("bnbert-run"), str(text_model["ranged"]),
                             "--tokenizer", str(text_model["vocab"]), "--pairs",
                             "--text-file", str(pairs_file), "--output-dir",
                             str(tmp_path / "out")],
                            check=True, capture_output=True, text=True)
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    np.testing.assert_allclose([line["logits"] for line in lines], got, rtol=1e-6)
    with pytest.raises(ValueError, match="pairs for"):
        m.run_text(firsts, tok, pairs=seconds[:2])
