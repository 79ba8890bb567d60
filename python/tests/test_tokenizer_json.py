# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Text for every model: the runtime reads Hugging Face tokenizer.json
(WordPiece, byte-level BPE, Unigram) and RoBERTa's vocab.json + merges.txt,
and gives the ids of independent references (hf_reference.py) on real
quotes in English, German, Spanish, Russian and Chinese plus the hard
cases, single texts and pairs; bundles carry such tokenizers; what it does
not implement is refused by name."""
import json

import pytest

import bnrt
from bnbert.fortunes import FORTUNES, read_category
from hf_reference import (bert_tokenizer_json, reference_byte_bpe_ids,
                          reference_hf_wordpiece_ids, roberta_tokenizer_json,
                          train_byte_bpe, train_unigram, unigram_tokenizer_json,
                          write_roberta_files)
from text_reference import HARD_CASES, fortunes_corpus, reference_pair, write_vocab

pytestmark = pytest.mark.skipif(not bnrt._lib.bnrt_text_available(),
                                reason="libbnrt built without tokenizers")
LANGUAGES = {"de": "de/anekdoten", "es": "es/amistad.fortunes", "ru": "ru/2001.03",
             "zh": "tang300"}


@pytest.fixture(scope="module")
def corpus():
    texts = fortunes_corpus(200)
    for name in LANGUAGES.values():
        path = FORTUNES / name
        if path.exists():  # fortunes-de, -es, -ru, -zh
            texts += read_category(path)[:40]
    return texts + HARD_CASES + ["a <mask> here and<mask>there", "<s>literal</s> <pad>"]


def test_the_corpus_is_multilingual(corpus):
    scripts = {"Cyrillic": "\u0430", "Han": "\u4e00"}
    text = "".join(corpus)
    assert any("\u0400" <= c <= "\u04ff" for c in text), scripts
    assert any("\u4e00" <= c <= "\u9fff" for c in text)
    assert any(c in "äöüß" for c in text) and any(c in "ñ¿¡" for c in text)


@pytest.fixture(scope="module")
def roberta(tmp_path_factory, corpus):
    folder = tmp_path_factory.mktemp("roberta")
    vocab, rules = train_byte_bpe(corpus[:150], merges=400)
    write_roberta_files(folder, vocab, rules)
    (folder / "tokenizer.json").write_text(
        json.dumps(roberta_tokenizer_json(vocab, rules), ensure_ascii=False), encoding="utf-8")
    return folder, vocab, rules


def framed_roberta(text, vocab, rules):
    return [vocab["<s>"]] + reference_byte_bpe_ids(text, vocab, rules) + [vocab["</s>"]]


@pytest.mark.parametrize("form", ["tokenizer.json", "vocab.json + merges.txt", "folder"])
def test_byte_level_bpe_matches_gpt2s_algorithm(roberta, corpus, form):
    folder, vocab, rules = roberta
    path = {"tokenizer.json": folder / "tokenizer.json",
            "vocab.json + merges.txt": folder / "vocab.json", "folder": folder}[form]
    if form == "folder":  # tokenizer.json is preferred: move it away
        other = folder.parent / "roberta-files"
        other.mkdir(exist_ok=True)
        for name in ("vocab.json", "merges.txt"):
            (other / name).write_bytes((folder / name).read_bytes())
        path = other
    tok = bnrt.Tokenizer(str(path))
    assert tok.vocab_size == len(vocab) and tok.pad_id == vocab["<pad>"]
    mismatches = [t for t in corpus if tok.encode(t) != framed_roberta(t, vocab, rules)]
    assert mismatches == []
    # Merges applied: far fewer ids than bytes.
    ids = [i for t in corpus[:100] for i in tok.encode(t)]
    assert len(ids) < 0.6 * sum(len(t.encode()) for t in corpus[:100])


def test_byte_level_bpe_pairs(roberta, corpus):
    folder, vocab, rules = roberta
    tok = bnrt.Tokenizer(str(folder / "tokenizer.json"))
    texts, pairs = corpus[0:60:2], corpus[1:60:2]
    for max_len in (16, 64):
        got = tok.encode_batch(texts, max_len, max_len, pairs=pairs)
        for row, (a, b) in enumerate(zip(texts, pairs)):
            ids, types = reference_pair(framed_roberta(a, vocab, rules),
                                        framed_roberta(b, vocab, rules), max_len, True)
            n = len(ids)
            assert got["input_ids"][row, :n].tolist() == ids
            assert got["token_type_ids"][row, :n].tolist() == types


@pytest.fixture(scope="module")
def wordpiece(tmp_path_factory, corpus):
    tmp = tmp_path_factory.mktemp("wordpiece")
    out = {}
    for lowercase in (True, False):
        vocab = write_vocab(tmp / f"vocab-{lowercase}.txt", corpus[:150], lowercase)
        path = tmp / f"tokenizer-{lowercase}.json"
        path.write_text(json.dumps(bert_tokenizer_json(vocab, lowercase), ensure_ascii=False),
                        encoding="utf-8")
        out[lowercase] = (path, vocab)
    return out


@pytest.mark.parametrize("lowercase", [True, False], ids=["uncased", "cased"])
def test_wordpiece_tokenizer_json_matches_the_fast_rules(wordpiece, corpus, lowercase):
    path, vocab = wordpiece[lowercase]
    tok = bnrt.Tokenizer(str(path), lowercase=not lowercase)  # the file decides
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    mismatches = [t for t in corpus
                  if tok.encode(t) != [cls] + reference_hf_wordpiece_ids(t, vocab, lowercase)
                  + [sep]]
    assert mismatches == []
    texts, pairs = corpus[0:40:2], corpus[1:40:2]
    got = tok.encode_batch(texts, 32, 32, pairs=pairs)
    for row, (a, b) in enumerate(zip(texts, pairs)):
        ids, types = reference_pair(
            [cls] + reference_hf_wordpiece_ids(a, vocab, lowercase) + [sep],
            [cls] + reference_hf_wordpiece_ids(b, vocab, lowercase) + [sep], 32, False)
        assert got["input_ids"][row, :len(ids)].tolist() == ids
        assert got["token_type_ids"][row, :len(ids)].tolist() == types
    # BertProcessing (older files) frames exactly as the template does.
    document = json.loads(path.read_text(encoding="utf-8"))
    document["post_processor"] = {"type": "BertProcessing", "sep": ["[SEP]", sep],
                                  "cls": ["[CLS]", cls]}
    older = bnrt.Tokenizer(write(path.parent, f"bert-processing-{lowercase}.json", document))
    again = older.encode_batch(texts, 32, 32, pairs=pairs)
    for name in ("input_ids", "token_type_ids", "attention_mask"):
        assert (again[name] == got[name]).all(), name


@pytest.fixture(scope="module")
def unigram(tmp_path_factory, corpus):
    tmp = tmp_path_factory.mktemp("unigram")
    model = tmp / "spm.model"
    train_unigram(model, corpus[:200])
    path = tmp / "tokenizer.json"
    path.write_text(json.dumps(unigram_tokenizer_json(model), ensure_ascii=False),
                    encoding="utf-8")
    return path, model


def test_unigram_tokenizer_json_matches_sentencepiece(unigram, corpus):
    import sentencepiece as spm
    path, model = unigram
    sp = spm.SentencePieceProcessor(model_file=str(model))
    tok = bnrt.Tokenizer(str(path))
    assert tok.vocab_size == sp.get_piece_size() and tok.pad_id == sp.pad_id()
    bos, eos = sp.bos_id(), sp.eos_id()
    # Texts without the special tokens' spellings, which sentencepiece
    # never matches in text and tokenizer.json always does, and without a
    # leading space, where Hugging Face's Metaspace adds no "▁" (the text
    # starts with one) and sentencepiece adds its dummy prefix anyway.
    texts = [t for t in corpus if "<s>" not in t and "</s>" not in t and "<pad>" not in t
             and not t.startswith(" ")]
    assert tok.encode(" x") == [bos] + sp.encode("x") + [eos]  # the library's rule
    mismatches = [t for t in texts if tok.encode(t) != [bos] + sp.encode(t) + [eos]]
    assert mismatches == []
    assert sum(sp.encode(t).count(sp.unk_id()) for t in texts) > 0  # unknowns covered


@pytest.fixture(scope="module")
def compiled_normalization(tmp_path_factory, corpus):
    """Models with SentencePiece's default (compiled) normalization, as
    XLM-R's and ALBERT's (with [CLS]/[SEP]) are trained."""
    from hf_reference import albert_normalize
    tmp = tmp_path_factory.mktemp("nmt")
    out = {}
    for style in ("xlmr", "albert"):
        model = tmp / f"{style}.model"
        texts = corpus[:200]
        if style == "albert":
            texts = [albert_normalize(t) for t in texts]
        train_unigram(model, texts, "nmt_nfkc",
                      control=["[CLS]", "[SEP]"] if style == "albert" else ())
        path = tmp / f"{style}.json"
        path.write_text(json.dumps(unigram_tokenizer_json(model, style), ensure_ascii=False),
                        encoding="utf-8")
        out[style] = (path, model)
    return out


@pytest.mark.parametrize("style", ["xlmr", "albert"])
def test_precompiled_normalization_matches_sentencepiece(compiled_normalization, corpus,
                                                         style):
    import sentencepiece as spm
    from hf_reference import albert_normalize
    path, model = compiled_normalization[style]
    sp = spm.SentencePieceProcessor(model_file=str(model))
    tok = bnrt.Tokenizer(str(path))
    if style == "albert":
        first, last = sp.piece_to_id("[CLS]"), sp.piece_to_id("[SEP]")
        prepare = albert_normalize
    else:
        first, last = sp.bos_id(), sp.eos_id()
        prepare = str
    # Not the special tokens' spellings, and not text with white space at
    # either end, which sentencepiece strips where the `tokenizers` form
    # keeps one space (its known difference).
    texts = [t for t in corpus if t == t.strip() and t and "<" not in t and "[" not in t]
    assert len(texts) > 300
    mismatches = [t for t in texts
                  if tok.encode(t) != [first] + sp.encode(prepare(t)) + [last]]
    assert mismatches == []
    # The compiled rules did something: full-width, ligatures, odd spaces.
    for text, like in [("ＡＢＣ ﬁne", "ABC fine"), ("a\u3000b\u00a0c", "a b c")]:
        assert tok.encode(text) == tok.encode(like if style == "xlmr" else like.lower())


@pytest.fixture(scope="module")
def xlmr(tmp_path_factory, corpus):
    """An XLM-R-style folder: sentencepiece.bpe.model alone."""
    folder = tmp_path_factory.mktemp("xlmr")
    train_unigram(folder / "sentencepiece.bpe.model", corpus[:200], "nmt_nfkc", fairseq=True)
    return folder


def test_xlmr_sentencepiece_file_has_fairseqs_ids(tmp_path, xlmr, corpus):
    import sentencepiece as spm
    from hf_reference import reference_xlmr_ids
    folder, model = xlmr, xlmr / "sentencepiece.bpe.model"
    sp = spm.SentencePieceProcessor(model_file=str(model))
    for path in (model, folder):
        tok = bnrt.Tokenizer(str(path))
        assert tok.vocab_size == sp.get_piece_size() + 2 and tok.pad_id == 1
        mismatches = [t for t in corpus if tok.encode(t) != reference_xlmr_ids(sp, t)]
        assert mismatches == []
    got = tok.encode_batch(corpus[:10], 24, 24, pairs=corpus[10:20])
    for row, (a, b) in enumerate(zip(corpus[:10], corpus[10:20])):
        ids, _ = reference_pair(reference_xlmr_ids(sp, a), reference_xlmr_ids(sp, b), 24, True)
        assert got["input_ids"][row, :len(ids)].tolist() == ids
    # The same file under another name is a plain SentencePiece model.
    other = tmp_path / "plain.model"
    other.write_bytes(model.read_bytes())
    assert bnrt.Tokenizer(str(other)).encode(corpus[0]) == (
        [sp.bos_id()] + sp.encode(corpus[0]) + [sp.eos_id()])


def test_roberta_and_albert_models_answer_text(tmp_path, roberta, compiled_normalization,
                                               xlmr, corpus):
    """A RoBERTa-structure model (its tokenizer.json, its vocab.json +
    merges.txt, its folder), an ALBERT-structure one (tokenizer.json) and an
    XLM-R-style one (sentencepiece.bpe.model), each compiled with its
    tokenizer, answer bnbert-run --text and run_text."""
    import subprocess
    import sys
    from pathlib import Path

    import sentencepiece as spm
    from bnbert.deploy import compile_bundle, find_tool
    fixtures = Path(__file__).resolve().parents[2] / "test" / "fixtures"
    folder, vocab, rules = roberta
    albert_json, albert_model = compiled_normalization["albert"]
    sp = spm.SentencePieceProcessor(model_file=str(albert_model))
    cases = [("roberta", ("input_ids", "attention_mask"), len(vocab), folder / "tokenizer.json"),
             ("roberta", ("input_ids", "attention_mask"), len(vocab), folder / "vocab.json"),
             ("roberta", ("input_ids", "attention_mask"), len(vocab), folder),
             ("albert", ("input_ids", "attention_mask", "token_type_ids"),
              sp.get_piece_size(), albert_json),
             ("roberta", ("input_ids", "attention_mask"),
              bnrt.Tokenizer(str(xlmr)).vocab_size, xlmr)]
    texts = [corpus[5], corpus[207], corpus[-20]]  # English, German, ...
    for k, (family, names, size, tokenizer) in enumerate(cases):
        onnx = tmp_path / f"{family}-{size}.onnx"
        if not onnx.exists():
            subprocess.run([sys.executable, str(fixtures / "make_bert.py"), str(onnx),
                            "--family", family, "--layers", "1", "--hidden", "16",
                            "--heads", "2", "--ffn", "32", "--seq", "16", "--vocab",
                            str(size)], check=True, capture_output=True)
        bundle = tmp_path / f"{k}.bnb"
        compile_bundle(onnx, bundle, {n: ("1..2", "1..16") for n in names},
                       [f"--tokenizer={tokenizer}", "--labels=no,yes"])
        m = bnrt.Model(str(bundle))
        want = [bnrt.Tokenizer(str(tokenizer)).encode(t, max_tokens=16) for t in texts]
        assert [m.tokenizer().encode(t, max_tokens=16) for t in texts] == want
        args = [find_tool("bnbert-run"), str(bundle), "--show-ids",
                "--output-dir", str(tmp_path / "out")]
        for t in texts:
            args += ["--text", t]
        done = subprocess.run(args, check=True, capture_output=True, text=True)
        lines = [json.loads(line) for line in done.stdout.splitlines()]
        assert [line["ids"] for line in lines] == want, (family, tokenizer)
        assert all(line["label"] in ("no", "yes") for line in lines)
        assert m.run_text(texts)["logits"].shape == (3, 2)
    # The files themselves: RoBERTa's ids by GPT-2's algorithm, ALBERT's by
    # sentencepiece on the fast tokenizer's normalization.
    from hf_reference import albert_normalize
    t = texts[0]
    assert bnrt.Tokenizer(str(folder)).encode(t) == framed_roberta(t, vocab, rules)
    assert bnrt.Tokenizer(str(albert_json)).encode(t) == (
        [sp.piece_to_id("[CLS]")] + sp.encode(albert_normalize(t)) + [sp.piece_to_id("[SEP]")])


def write(tmp_path, name, document):
    path = tmp_path / name
    path.write_text(json.dumps(document) if not isinstance(document, str) else document,
                    encoding="utf-8")
    return str(path)


def test_what_it_does_not_implement_is_refused_by_name(tmp_path, unigram):
    base = json.loads(unigram[0].read_text(encoding="utf-8"))
    cases = {
        "short charsmap": ({**base, "normalizer": {"type": "Precompiled",
                                                   "precompiled_charsmap": "AAA="}},
                           "normalizer Precompiled: the precompiled charsmap is shorter than "
                           "its header"),
        "charsmap not base64": ({**base, "normalizer": {"type": "Precompiled",
                                                        "precompiled_charsmap": "A*A="}},
                                "normalizer Precompiled: precompiled_charsmap is not base64"),
        "charsmap trie too big": ({**base, "normalizer": {"type": "Precompiled",
                                                          "precompiled_charsmap": "/////w=="}},
                                  "trie size does not fit its bytes"),
        "regex replace": ({**base, "normalizer": {"type": "Replace", "pattern": {"Regex": "a+b"},
                                                  "content": ""}},
                          "only a character repeated"),
        "regex split": ({**base, "pre_tokenizer": {"type": "Split", "pattern": {"Regex": "\\d"},
                                                   "behavior": "Isolated", "invert": False}},
                        "pre_tokenizer Split with a regular expression"),
        "unknown model": ({**base, "model": {"type": "WordLevel", "vocab": {}}},
                          "model WordLevel: not a model this runtime implements"),
        "unknown processor": ({**base, "post_processor": {"type": "Fancy"}},
                              "post_processor Fancy: not a post-processor"),
        "nested unknown": ({**base, "normalizer": {"type": "Sequence", "normalizers": [
            {"type": "NFKC"}, {"type": "Nmt"}]}}, "normalizer Sequence Nmt: not a normalizer"),
        "bad merge": ({"model": {"type": "BPE", "vocab": {"a": 0}, "merges": ["a b"]}},
                      "merge 1 ('a' 'b') has a piece that is not in the vocab"),
        "bad json": ('{"model": {"type": "BPE",, }}', "not valid JSON (at byte 25: expected a field name)"),
    }
    for name, (document, message) in cases.items():
        with pytest.raises(ValueError) as e:
            bnrt.Tokenizer(write(tmp_path, f"{name}.json", document))
        assert message in str(e.value), name
    lone = tmp_path / "lone"
    lone.mkdir()
    (lone / "vocab.json").write_text('{"a": 0}', encoding="utf-8")
    with pytest.raises(ValueError, match="a vocab.json needs merges.txt beside it"):
        bnrt.Tokenizer(str(lone / "vocab.json"))
    with pytest.raises(ValueError, match="a folder without tokenizer.json"):
        bnrt.Tokenizer(str(tmp_path / "lone" / ".."))  # has no tokenizer files


def test_damaged_charsmaps_never_crash(tmp_path, compiled_normalization, corpus):
    # A bundle's tokenizer may be hostile: every trie index is checked.
    import base64
    import random
    document = json.loads(compiled_normalization["xlmr"][0].read_text(encoding="utf-8"))
    step = document["normalizer"]["normalizers"][0]
    charsmap = bytearray(base64.b64decode(step["precompiled_charsmap"]))
    rng = random.Random(0)
    loaded = 0
    for trial in range(60):
        damaged = bytearray(charsmap)
        for _ in range(rng.choice([1, 8, 64])):
            damaged[rng.randrange(4, len(damaged))] = rng.randrange(256)
        step["precompiled_charsmap"] = base64.b64encode(bytes(damaged)).decode()
        path = write(tmp_path, f"d{trial}.json", document)
        try:
            tok = bnrt.Tokenizer(path)
        except ValueError:
            continue
        loaded += 1
        for text in corpus[::25]:
            tok.encode(text)
    assert loaded > 0
