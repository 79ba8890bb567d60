# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Labelled text: jsonl files ({"text": ..., "text_pair": ..., "label": ...}
per line; text_pair and label optional) or GLUE-style .tsv files with a
header, the SentencePiece tokenizer trained from scratch, and encoding to
the model's int64 inputs through the runtime's tokenizer."""
import csv
import io
import json
import re
from typing import NamedTuple, Optional, Union

import numpy as np
import sentencepiece as spm

from .atomic import atomic_path

PAD, UNK, CLS, SEP = 0, 1, 2, 3
UNLABELLED = -1  # the label index of a line without one


class DataError(ValueError):
    pass


class Example(NamedTuple):
    text: str
    pair: Optional[str]  # the second text of a sentence pair
    label: Optional[Union[str, int]]  # None: unlabelled (distillation needs none)


class Columns(NamedTuple):
    """The .tsv columns holding the text, its pair and the label (None:
    chosen from the header, see read_tsv)."""
    text: Optional[str] = None
    pair: Optional[str] = None
    label: Optional[str] = None


def _read_lines(path):
    """(line number, decoded line) of `path`; errors name the file and line."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except IsADirectoryError:
        raise DataError(f"{path}: a directory, not a data file") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    for number, data in enumerate(raw.splitlines(), 1):
        try:
            yield number, data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DataError(f"{path}:{number}: not UTF-8 (byte {e.start}); save the "
                            f"file as UTF-8") from None


def read_examples(path, columns=Columns()):
    """The examples of a .tsv file (read_tsv) or a jsonl file (read_jsonl)."""
    if str(path).lower().endswith(".tsv"):
        return read_tsv(path, columns)
    return read_jsonl(path)


def read_jsonl(path):
    """[Example] from `path`; pair and label None where a line has none;
    errors name the file and line."""
    rows = []
    for number, line in _read_lines(path):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{number}: not JSON ({e.msg})") from None
        if not isinstance(row, dict) or "text" not in row:
            raise DataError(f'{path}:{number}: expected {{"text": ..., "label": ...}} '
                            f'("text_pair" for sentence pairs; label optional with --from)')
        for key in ("text", "text_pair"):
            if key in row and not isinstance(row[key], str):
                raise DataError(f"{path}:{number}: {key} must be a string")
        label = row.get("label")
        if label is not None and (isinstance(label, bool) or
                                  not isinstance(label, (str, int))):
            raise DataError(f"{path}:{number}: label must be a string or an int")
        rows.append(Example(row["text"], row.get("text_pair"), label))
    if not rows:
        raise DataError(f"{path}: no examples")
    return rows


# Header names of GLUE's files: a pair's columns, and names that say a
# column holds text (so a lone "sentence" next to them is ambiguous).
_GLUE_PAIR = ("sentence1", "sentence2")
_TEXT_LIKE = {"sentence", "sentence1", "sentence2", "question", "question1",
              "question2", "text", "text_pair", "#1 String", "#2 String"}


def read_tsv(path, columns=Columns()):
    """[Example] from a tab-separated file whose first line names the
    columns, read as GLUE ships them (no quoting). Without --text-column:
    sentence1 + sentence2 as a pair when the header has both, else
    "sentence" when it is the only text-like column; anything else must be
    named. Labels from --label-column (default "label"; a file without that
    column is unlabelled); a column of integers gives int labels."""
    lines = iter(_read_lines(path))
    header = next(lines, None)
    if header is None or not header[1].strip():
        raise DataError(f"{path}: empty (a .tsv file starts with a header line)")
    names = header[1].split("\t")
    text, pair = columns.text, columns.pair
    if text is None:
        if all(n in names for n in _GLUE_PAIR):
            text, pair = _GLUE_PAIR[0], pair or _GLUE_PAIR[1]
        elif "sentence" in names and len(_TEXT_LIKE.intersection(names)) == 1:
            text = "sentence"
        else:
            raise DataError(f"{path}: which column is the text? The header has "
                            f"{', '.join(names)}: give --text-column (and --pair-column "
                            f"for sentence pairs)")
    for flag, name in (("--text-column", text), ("--pair-column", pair),
                       ("--label-column", columns.label)):
        if name is not None and name not in names:
            raise DataError(f"{path}: no column {name!r} ({flag}); the header has "
                            f"{', '.join(names)}")
    label = columns.label or ("label" if "label" in names else None)
    index = {n: i for i, n in enumerate(names)}
    rows = []
    for number, line in lines:
        if not line.strip():
            continue
        fields = next(csv.reader([line], delimiter="\t", quoting=csv.QUOTE_NONE))
        if len(fields) != len(names):
            raise DataError(f"{path}:{number}: {len(fields)} fields, the header has "
                            f"{len(names)}")
        value = fields[index[label]] if label else ""
        rows.append(Example(fields[index[text]],
                            fields[index[pair]] if pair else None,
                            value if value != "" else None))
    if not rows:
        raise DataError(f"{path}: no examples")
    if all(re.fullmatch(r"-?\d+", e.label) for e in rows if e.label is not None):
        rows = [e._replace(label=int(e.label) if e.label is not None else None)
                for e in rows]
    return rows


def check_pairs(sets):
    """Whether the examples are sentence pairs: all of them in every set
    ({name: (path, [Example])}) or none; a mix is refused (a model reads
    one kind)."""
    def kind(pair):
        return "a sentence pair" if pair else "a single text"
    first = None
    for path, rows in sets.values():
        for i, e in enumerate(rows, 1):
            here = (e.pair is not None, path, i)
            first = first or here
            if here[0] != first[0]:
                raise DataError(f"{path}: example {i} is {kind(here[0])}, but {first[1]} "
                                f"example {first[2]} is {kind(first[0])}: give every "
                                f"example a text_pair, or none")
    return bool(first and first[0])


def label_set(rows, path):
    """The sorted labels of the training rows (ints numerically, strings
    alphabetically; one kind per file)."""
    labels = {e.label for e in rows}
    if None in labels:
        raise DataError(f"{path}: a line without a label: a teacher trained from scratch "
                        f"needs every training label (with --from, lines may omit them)")
    kinds = {type(label) for label in labels}
    if len(kinds) > 1:
        raise DataError(f"{path}: labels mix strings and ints")
    if len(labels) < 2:
        raise DataError(f"{path}: needs at least two labels, found {sorted(labels)}")
    return sorted(labels)


def label_ids(rows, labels, path):
    index = {label: i for i, label in enumerate(labels)}
    if any(e.label is None for e in rows):
        raise DataError(f"{path}: a line without a label (training from scratch needs "
                        f"every label; with --from, lines may omit them)")
    missing = sorted({repr(e.label) for e in rows if e.label not in index})
    if missing:
        raise DataError(f"{path}: labels not in the training set: {', '.join(missing[:5])}")
    return np.array([index[e.label] for e in rows], dtype=np.int64)


def train_tokenizer(texts, model_path, vocab):
    """A unigram SentencePiece model on `texts` with ids 0..3 = pad, unk,
    [CLS] (bos), [SEP] (eos) - named so, the runtime frames pairs as BERT
    does, [CLS] a [SEP] b [SEP] with token types 0/1; a smaller vocabulary
    when the text is too small for `vocab`. The same texts give the same
    bytes (no file names recorded in the model), written atomically to
    `model_path`."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([" ".join(t.split()) for t in texts]),
        model_writer=model, vocab_size=vocab,
        hard_vocab_limit=False, model_type="unigram",
        character_coverage=1.0, pad_id=PAD, unk_id=UNK, bos_id=CLS,
        eos_id=SEP, bos_piece="[CLS]", eos_piece="[SEP]", minloglevel=2, num_threads=1)
    with atomic_path(model_path) as tmp:
        tmp.write_bytes(model.getvalue())


# -- encoding by the runtime's tokenizer; the user's model's classes ----------

def runtime_tokenizer(path, lowercase=True):
    """The runtime's tokenizer (bnrt.Tokenizer) for a vocab.txt or a
    SentencePiece .model, so training encodes text exactly as
    `bnbert-run --text` will; errors name the file."""
    import bnrt
    try:
        return bnrt.Tokenizer(str(path), lowercase=lowercase)
    except (bnrt.Error, OSError) as e:
        raise DataError(f"{path}: {e}") from None


def encode_runtime(tokenizer, examples, seq):
    """input_ids, attention_mask, token_type_ids int64 [N, seq] of the
    examples by the runtime's tokenizer ([CLS] pieces [SEP], or a pair as
    the model family frames it; truncated, padded with its padding id):
    the encoding bnbert-run --text and bnrt.Model.run_text use."""
    if not examples:
        return {n: np.zeros((0, seq), np.int64)
                for n in ("input_ids", "attention_mask", "token_type_ids")}
    clean = lambda t: " ".join(t.split())  # noqa: E731
    pairs = ([clean(e.pair) for e in examples] if examples[0].pair is not None
             else None)
    return tokenizer.encode_batch([clean(e.text) for e in examples], seq, seq, pairs=pairs)


def source_labels(names, classes, source):
    """The label names of a model with `classes` logits: --labels (in logit
    order) or the indices 0..classes-1."""
    if names is None:
        return list(range(classes))
    labels = [n.strip() for n in names.split(",")]
    if len(labels) != classes or any(not n for n in labels) or len(set(labels)) != len(labels):
        raise DataError(f"--labels names {len(labels)} labels (distinct, non-empty "
                        f"required) but {source} has {classes} logits")
    return labels


def label_indices(rows, labels, path):
    """Each row's logit index: a label name from `labels`, or an integer
    index below len(labels), or -1 for a row without a label (distillation
    needs none); the error names the file and line."""
    index = {label: i for i, label in enumerate(labels)}
    out = np.zeros(len(rows), dtype=np.int64)
    for i, (_, _, label) in enumerate(rows):
        if label is None:
            out[i] = UNLABELLED
        elif isinstance(label, int) and 0 <= label < len(labels):
            out[i] = label
        elif isinstance(label, str) and label in index:
            out[i] = index[label]
        else:
            raise DataError(f"{path}: example {i + 1} has label {label!r}, which the "
                            f"model has no logit for (labels: "
                            f"{', '.join(map(str, labels[:10]))}; name them with --labels)")
    return out
