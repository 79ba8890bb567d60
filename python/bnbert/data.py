# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Labelled text: jsonl files ({"text": ..., "label": ...} per line), the
SentencePiece tokenizer, and encoding to the model's int64 inputs."""
import io
import json

import numpy as np
import sentencepiece as spm

from .atomic import atomic_path

PAD, UNK, CLS, SEP = 0, 1, 2, 3
UNLABELLED = -1  # the label index of a line without one


class DataError(ValueError):
    pass


def read_jsonl(path):
    """[(text, label)] from `path`, label None where a line has none;
    errors name the file and line."""
    rows = []
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except IsADirectoryError:
        raise DataError(f"{path}: a directory, not a jsonl file") from None
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e.strerror})") from None
    for number, data in enumerate(raw.splitlines(), 1):
        try:
            line = data.decode("utf-8")
        except UnicodeDecodeError as e:
            raise DataError(f"{path}:{number}: not UTF-8 (byte {e.start}); save the "
                            f"file as UTF-8") from None
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as e:
            raise DataError(f"{path}:{number}: not JSON ({e.msg})") from None
        if not isinstance(row, dict) or "text" not in row:
            raise DataError(f'{path}:{number}: expected {{"text": ..., "label": ...}} '
                            f'(label optional with --from)')
        if not isinstance(row["text"], str):
            raise DataError(f"{path}:{number}: text must be a string")
        label = row.get("label")
        if label is not None and (isinstance(label, bool) or
                                  not isinstance(label, (str, int))):
            raise DataError(f"{path}:{number}: label must be a string or an int")
        rows.append((row["text"], label))
    if not rows:
        raise DataError(f"{path}: no examples")
    return rows


def label_set(rows, path):
    """The sorted labels of the training rows (ints numerically, strings
    alphabetically; one kind per file)."""
    labels = {label for _, label in rows}
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
    if any(label is None for _, label in rows):
        raise DataError(f"{path}: a line without a label (training from scratch needs "
                        f"every label; with --from, lines may omit them)")
    missing = sorted({repr(label) for _, label in rows if label not in index})
    if missing:
        raise DataError(f"{path}: labels not in the training set: {', '.join(missing[:5])}")
    return np.array([index[label] for _, label in rows], dtype=np.int64)


def train_tokenizer(texts, model_path, vocab):
    """A unigram SentencePiece model on `texts` with ids 0..3 = pad, unk,
    [CLS] (bos), [SEP] (eos); a smaller vocabulary when the text is too
    small for `vocab`. The same texts give the same bytes (no file names
    recorded in the model), written atomically to `model_path`."""
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([" ".join(t.split()) for t in texts]),
        model_writer=model, vocab_size=vocab,
        hard_vocab_limit=False, model_type="unigram",
        character_coverage=1.0, pad_id=PAD, unk_id=UNK, bos_id=CLS,
        eos_id=SEP, minloglevel=2, num_threads=1)
    with atomic_path(model_path) as tmp:
        tmp.write_bytes(model.getvalue())
    return load_tokenizer(model_path)


def load_tokenizer(path):
    return spm.SentencePieceProcessor(model_file=str(path))


def encode(tokenizer, texts, seq):
    """input_ids ([CLS] pieces [SEP], cut to `seq`, padded with 0),
    attention_mask (1 on tokens) and token_type_ids (0): int64 [N, seq]."""
    ids = np.zeros((len(texts), seq), dtype=np.int64)
    mask = np.zeros((len(texts), seq), dtype=np.int64)
    for i, text in enumerate(texts):
        pieces = [CLS] + tokenizer.encode(" ".join(text.split()))[:seq - 2] + [SEP]
        ids[i, :len(pieces)] = pieces
        mask[i, :len(pieces)] = 1
    return {"input_ids": ids, "attention_mask": mask,
            "token_type_ids": np.zeros_like(ids)}


# -- the user's model (--from): its tokenizer and its classes -----------------

def runtime_tokenizer(path, lowercase=True):
    """The runtime's tokenizer (bnrt.Tokenizer) for a vocab.txt or a
    SentencePiece .model, so training encodes text exactly as
    `bnbert-run --text` will; errors name the file."""
    import bnrt
    try:
        return bnrt.Tokenizer(str(path), lowercase=lowercase)
    except (bnrt.Error, OSError) as e:
        raise DataError(f"{path}: {e}") from None


def encode_runtime(tokenizer, texts, seq):
    """input_ids, attention_mask, token_type_ids int64 [N, seq] by the
    runtime's tokenizer ([CLS] pieces [SEP], truncated, padded with its
    padding id)."""
    if not texts:
        return {n: np.zeros((0, seq), np.int64)
                for n in ("input_ids", "attention_mask", "token_type_ids")}
    return tokenizer.encode_batch([" ".join(t.split()) for t in texts], seq, seq)


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
    for i, (_, label) in enumerate(rows):
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
