# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The trainer's example files (bnbert/data.py): jsonl with text pairs,
and .tsv files as GLUE ships them (a header, no quoting, columns chosen
by name)."""
import pytest

from bnbert import data as D


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_glue_pair_file_defaults(tmp_path):
    # RTE/MNLI-style: sentence1 + sentence2; quotes are literal characters.
    path = write(tmp_path / "dev.tsv", 'index\tsentence1\tsentence2\tlabel\n'
                 '0\tHe said "yes.\tHe agreed.\tentailment\n'
                 '1\tIt rained.\tThe ground is dry.\tnot_entailment\n')
    rows = D.read_examples(path)
    assert rows == [D.Example('He said "yes.', "He agreed.", "entailment"),
                    D.Example("It rained.", "The ground is dry.", "not_entailment")]
    assert D.check_pairs({"dev": (path, rows)}) is True


def test_single_text_file_with_integer_labels_and_no_labels(tmp_path):
    # SST-2-style: "sentence" and integer labels; its test file has none.
    path = write(tmp_path / "train.tsv", "sentence\tlabel\na fine film \t1\ndull\t0\n")
    assert D.read_examples(path) == [D.Example("a fine film ", None, 1),
                                     D.Example("dull", None, 0)]
    test = write(tmp_path / "test.tsv", "index\tsentence\n0\tgood\n")
    assert D.read_examples(test) == [D.Example("good", None, None)]


def test_named_columns(tmp_path):
    # QNLI / MRPC-style headers need their columns named.
    path = write(tmp_path / "qnli.tsv", "index\tquestion\tsentence\tlabel\n"
                 "0\tWhere?\tHere.\tentailment\n")
    with pytest.raises(D.DataError, match="which column is the text"):
        D.read_examples(path)
    rows = D.read_examples(path, D.Columns("question", "sentence", None))
    assert rows == [D.Example("Where?", "Here.", "entailment")]
    mrpc = write(tmp_path / "mrpc.tsv", "Quality\t#1 ID\t#2 ID\t#1 String\t#2 String\n"
                 "1\t7\t8\tA cat.\tThe cat.\n")
    assert D.read_examples(mrpc, D.Columns("#1 String", "#2 String", "Quality")) == [
        D.Example("A cat.", "The cat.", 1)]
    with pytest.raises(D.DataError, match="no column 'Label' \\(--label-column\\)"):
        D.read_examples(mrpc, D.Columns("#1 String", None, "Label"))


def test_jsonl_pairs_and_their_errors(tmp_path):
    path = write(tmp_path / "p.jsonl", '{"text": "a", "text_pair": "b", "label": 1}\n'
                 '{"text": "c", "text_pair": "d"}\n')
    assert D.read_examples(path) == [D.Example("a", "b", 1), D.Example("c", "d", None)]
    bad = write(tmp_path / "bad.jsonl", '{"text": "a", "text_pair": 3}\n')
    with pytest.raises(D.DataError, match="bad.jsonl:1: text_pair must be a string"):
        D.read_examples(bad)
    single = write(tmp_path / "s.jsonl", '{"text": "x", "label": 0}\n')
    with pytest.raises(D.DataError, match="example 1 is a single text, but .*p.jsonl "
                                          "example 1 is a sentence pair"):
        D.check_pairs({"train": (path, D.read_examples(path)),
                       "dev": (single, D.read_examples(single))})


def test_fortunes_pair_rows():
    from bnbert.fortunes import pair_row
    import random
    items = [("a1", "a"), ("a2", "a"), ("b1", "b"), ("b2", "b"), ("c1", "c")]
    rng = random.Random(0)
    category = dict(items)
    assert pair_row(items, 4, True, rng)["label"] == "different"  # c1 has no partner
    for i in range(len(items) - 1):
        same = pair_row(items, i, True, rng)
        assert same["label"] == "same" and same["text_pair"] != items[i][0]
        assert category[same["text_pair"]] == items[i][1]
        other = pair_row(items, i, False, rng)
        assert other["label"] == "different" and category[other["text_pair"]] != items[i][1]


def test_fortunes_continuation_rows():
    from bnbert.fortunes import continuation_row
    import random
    items = [("one two three four", "a"), ("five six seven", "b"), ("eight nine", "c")]
    rng = random.Random(0)
    assert continuation_row(items, 0, True, rng) == {
        "text": "one two", "text_pair": "three four", "label": "next"}
    other = continuation_row(items, 0, False, rng)
    assert other["label"] == "other" and other["text"] == "one two"
    assert other["text_pair"] in ("six seven", "nine")
