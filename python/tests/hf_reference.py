# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Reference tokenizers for the Hugging Face formats (tokenizer.json,
RoBERTa's vocab.json + merges.txt), written here in Python from the
published algorithms, independently of runtime/src/text/hf_tokenizer.cpp:

- byte-level BPE as GPT-2's encoder.py does it (bytes_to_unicode, its
  regular expression through the `regex` module, merges of the best-ranked
  bigram until none applies);
- WordPiece behind a fast BERT tokenizer (the `tokenizers` library's
  BertNormalizer, BertPreTokenizer and WordPiece, as its Rust source
  defines them: per-character lowercasing, White_Space, no NFC);
- Unigram: the `sentencepiece` library itself on a model trained here,
  converted to tokenizer.json as Hugging Face's converter does.

And the files: tokenizer.json for each, written as the `tokenizers`
library saves them, from vocabularies trained here on real text.
"""
import collections
import json
import unicodedata

import regex

GPT2_PATTERN = regex.compile(
    r"""'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+""")
# The Unicode White_Space property (Rust's char::is_whitespace).
WHITE_SPACE = set([*range(9, 14), 32, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B), 0x2028,
                   0x2029, 0x202F, 0x205F, 0x3000])
ROBERTA_SPECIALS = ["<s>", "<pad>", "</s>", "<unk>"]


# --- byte-level BPE ----------------------------------------------------------

def bytes_to_unicode():
    """GPT-2's table: printable bytes stand for themselves, the rest for
    256 onwards."""
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


BYTE_CHARS = bytes_to_unicode()


def byte_words(text):
    return ["".join(BYTE_CHARS[b] for b in piece.encode("utf-8"))
            for piece in GPT2_PATTERN.findall(text)]


def train_byte_bpe(texts, merges=400):
    """RoBERTa's layout: <s> <pad> </s> <unk>, the 256 byte characters, the
    merges in order, <mask> last. Each step merges the most frequent pair
    (ties: the smallest pair)."""
    words = collections.Counter(tuple(w) for t in texts for w in byte_words(t))
    vocab = {p: i for i, p in enumerate(ROBERTA_SPECIALS)}
    for ch in sorted(BYTE_CHARS.values()):
        vocab[ch] = len(vocab)
    rules = []
    for _ in range(merges):
        pairs = collections.Counter()
        for word, count in words.items():
            for pair in zip(word, word[1:]):
                pairs[pair] += count
        if not pairs:
            break
        best = min(pairs, key=lambda p: (-pairs[p], p))
        rules.append(best)
        merged = best[0] + best[1]
        vocab.setdefault(merged, len(vocab))
        new_words = collections.Counter()
        for word, count in words.items():
            out, i = [], 0
            while i < len(word):
                if i + 1 < len(word) and (word[i], word[i + 1]) == best:
                    out.append(merged)
                    i += 2
                else:
                    out.append(word[i])
                    i += 1
            new_words[tuple(out)] += count
        words = new_words
    vocab["<mask>"] = len(vocab)
    return vocab, rules


def _bpe(token, ranks):
    """GPT-2 encoder.py's bpe()."""
    word = tuple(token)
    while len(word) > 1:
        pairs = set(zip(word, word[1:]))
        bigram = min(pairs, key=lambda p: ranks.get(p, float("inf")))
        if bigram not in ranks:
            break
        first, second = bigram
        new_word, i = [], 0
        while i < len(word):
            try:
                j = word.index(first, i)
            except ValueError:
                new_word.extend(word[i:])
                break
            new_word.extend(word[i:j])
            i = j
            if i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
    return word


def _split_specials(text, specials):
    """(piece, is_special) with `specials` matched whole, leftmost and
    longest first."""
    out, start, i = [], 0, 0
    while i < len(text):
        match = max((s for s in specials if text.startswith(s, i)), key=len, default=None)
        if match is None:
            i += 1
            continue
        if i > start:
            out.append((text[start:i], False))
        out.append((match, True))
        i = start = i + len(match)
    if start < len(text) or not out:
        out.append((text[start:], False))
    return out


def reference_byte_bpe_ids(text, vocab, rules):
    """The pieces' ids (no <s>/</s>) as RobertaTokenizerFast gives them
    (its special tokens matched whole; <mask> takes the spaces before it)."""
    ranks = {pair: r for r, pair in enumerate(rules)}
    ids = []
    text = regex.sub(r"\s+<mask>", "<mask>", text)
    for piece, special in _split_specials(text, ROBERTA_SPECIALS + ["<mask>"]):
        if special:
            ids.append(vocab[piece])
            continue
        for word in byte_words(piece):
            ids.extend(vocab[p] for p in _bpe(word, ranks))
    return ids


def write_roberta_files(folder, vocab, rules):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    (folder / "merges.txt").write_text(
        "#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in rules), encoding="utf-8")


def roberta_tokenizer_json(vocab, rules):
    """What RobertaTokenizerFast.save writes for these files."""
    added = [dict(id=vocab[s], content=s, single_word=False, lstrip=s == "<mask>",
                  rstrip=False, normalized=s != "<mask>", special=True)
             for s in ROBERTA_SPECIALS + ["<mask>"]]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": None,
            "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": False,
                              "trim_offsets": True, "use_regex": True},
            "post_processor": {"type": "RobertaProcessing", "sep": ["</s>", vocab["</s>"]],
                               "cls": ["<s>", vocab["<s>"]], "trim_offsets": True,
                               "add_prefix_space": False},
            "decoder": {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True,
                        "use_regex": True},
            "model": {"type": "BPE", "dropout": None, "unk_token": None,
                      "continuing_subword_prefix": "", "end_of_word_suffix": "",
                      "fuse_unk": False, "byte_fallback": False, "vocab": vocab,
                      "merges": [f"{a} {b}" for a, b in rules]}}


# --- WordPiece as the fast BERT tokenizer -----------------------------------

def _hf_chinese(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F
            or 0x2B920 <= cp <= 0x2CEAF or 0xF900 <= cp <= 0xFAFF
            or 0x2F800 <= cp <= 0x2FA1F)


def _bert_punctuation(ch):
    return (ch.isascii() and not ch.isalnum() and 33 <= ord(ch) <= 126) or \
        unicodedata.category(ch).startswith("P")


def hf_bert_normalize(text, lowercase):
    """BertNormalizer(clean_text, handle_chinese_chars, strip_accents =
    lowercase, lowercase)."""
    out = []
    for ch in text:
        cp = ord(ch)
        if cp in (0, 0xFFFD) or (ch not in "\t\n\r" and unicodedata.category(ch)[0] == "C"):
            continue
        ch = " " if cp in WHITE_SPACE else ch
        out.append(f" {ch} " if _hf_chinese(cp) else ch)
    text = "".join(out)
    if lowercase:
        text = "".join(c for c in unicodedata.normalize("NFD", text)
                       if unicodedata.category(c) != "Mn")
        text = "".join(c.lower() for c in text)  # per character: no final sigma
    return text


def hf_bert_words(text):
    """BertPreTokenizer: split on White_Space (dropped), then each
    punctuation character alone."""
    words = []
    for chunk in "".join(" " if ord(c) in WHITE_SPACE else c for c in text).split(" "):
        word = ""
        for ch in chunk:
            if _bert_punctuation(ch):
                if word:
                    words.append(word)
                words.append(ch)
                word = ""
            else:
                word += ch
        if word:
            words.append(word)
    return words


def _wordpiece(word, vocab):
    if len(word) > 100:
        return [vocab["[UNK]"]]
    ids, start = [], 0
    while start < len(word):
        for end in range(len(word), start, -1):
            piece = ("##" if start else "") + word[start:end]
            if piece in vocab:
                ids.append(vocab[piece])
                start = end
                break
        else:
            return [vocab["[UNK]"]]
    return ids


def reference_hf_wordpiece_ids(text, vocab, lowercase):
    """The pieces' ids (no [CLS]/[SEP]) of a fast BERT tokenizer."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    ids = []
    for piece, special in _split_specials(text, specials):
        if special:
            ids.append(vocab[piece])
            continue
        for word in hf_bert_words(hf_bert_normalize(piece, lowercase)):
            ids.extend(_wordpiece(word, vocab))
    return ids


def bert_tokenizer_json(vocab, lowercase):
    """What BertTokenizerFast.save writes for a vocab.txt."""
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    added = [dict(id=vocab[s], content=s, single_word=False, lstrip=False, rstrip=False,
                  normalized=False, special=True) for s in specials]
    cls, sep = vocab["[CLS]"], vocab["[SEP]"]
    return {"version": "1.0", "truncation": None, "padding": None, "added_tokens": added,
            "normalizer": {"type": "BertNormalizer", "clean_text": True,
                           "handle_chinese_chars": True, "strip_accents": None,
                           "lowercase": lowercase},
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                           {"Sequence": {"id": "A", "type_id": 0}},
                           {"SpecialToken": {"id": "[SEP]", "type_id": 0}}],
                "pair": [{"SpecialToken": {"id": "[CLS]", "type_id": 0}},
                         {"Sequence": {"id": "A", "type_id": 0}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 0}},
                         {"Sequence": {"id": "B", "type_id": 1}},
                         {"SpecialToken": {"id": "[SEP]", "type_id": 1}}],
                "special_tokens": {"[CLS]": {"id": "[CLS]", "ids": [cls], "tokens": ["[CLS]"]},
                                   "[SEP]": {"id": "[SEP]", "ids": [sep], "tokens": ["[SEP]"]}}},
            "decoder": {"type": "WordPiece", "prefix": "##", "cleanup": True},
            "model": {"type": "WordPiece", "unk_token": "[UNK]",
                      "continuing_subword_prefix": "##", "max_input_chars_per_word": 100,
                      "vocab": vocab}}


# --- Unigram (SentencePiece) -------------------------------------------------

def train_unigram(path, texts, normalization="identity", control=(), fairseq=False):
    """A SentencePiece unigram model. "identity": no normalization, spaces
    kept, so the `tokenizers` form (no normalizer, Metaspace) and the
    sentencepiece library read text alike; "nmt_nfkc" (the default of
    XLM-R's and ALBERT's models): the compiled normalization that
    tokenizer.json carries as its Precompiled normalizer."""
    import io
    import sentencepiece as spm
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(texts), model_writer=model, vocab_size=600,
        model_type="unigram", character_coverage=0.9995,
        normalization_rule_name=normalization,
        remove_extra_whitespaces=normalization != "identity",
        **(dict(unk_id=0, bos_id=1, eos_id=2, pad_id=-1) if fairseq  # XLM-R's layout
           else dict(unk_id=3, bos_id=0, eos_id=2, pad_id=1)),
        control_symbols=list(control), minloglevel=2)
    path.write_bytes(model.getvalue())


def reference_xlmr_ids(sp, text):
    """XLMRobertaTokenizer's ids: fairseq's <s> <pad> </s> <unk> as 0-3,
    every sentencepiece id one up, its unknown piece <unk>."""
    return [0] + [3 if i == sp.unk_id() else i + 1 for i in sp.encode(text)] + [2]


def precompiled_charsmap(model_path):
    from sentencepiece import sentencepiece_model_pb2
    proto = sentencepiece_model_pb2.ModelProto()
    proto.ParseFromString(model_path.read_bytes())
    return proto.normalizer_spec.precompiled_charsmap


def albert_normalize(text):
    """What the fast ALBERT tokenizer's normalizer does before the
    Precompiled step (which sentencepiece then applies itself): `` and ''
    to ", NFKD, nonspacing marks dropped, lowercased character by
    character."""
    text = text.replace("``", '"').replace("''", '"')
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if unicodedata.category(c) != "Mn")
    return "".join(c.lower() for c in text)


def unigram_tokenizer_json(model_path, style="plain"):
    """Hugging Face's converter for such a model: "plain" (identity
    normalization, XLM-R's framing), "xlmr" (Precompiled, then runs of
    spaces to one; <s> a </s></s> b </s>) or "albert" (`` and '', NFKD,
    accents, lowercase, Precompiled, runs of spaces; [CLS] a [SEP] b
    [SEP] with types 0/1)."""
    import base64
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    vocab = [[sp.id_to_piece(i), sp.get_score(i)] for i in range(sp.get_piece_size())]
    if style != "plain":
        charsmap = base64.b64encode(precompiled_charsmap(model_path)).decode()
        steps = [{"type": "Precompiled", "precompiled_charsmap": charsmap},
                 {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "}]
        if style == "albert":
            steps = [{"type": "Replace", "pattern": {"String": "``"}, "content": '"'},
                     {"type": "Replace", "pattern": {"String": "''"}, "content": '"'},
                     {"type": "NFKD"}, {"type": "StripAccents"}, {"type": "Lowercase"}] + steps
        document = unigram_tokenizer_json(model_path)
        document["normalizer"] = {"type": "Sequence", "normalizers": steps}
        if style == "albert":
            cls, sep = sp.piece_to_id("[CLS]"), sp.piece_to_id("[SEP]")
            document["post_processor"] = bert_tokenizer_json(
                {"[CLS]": cls, "[SEP]": sep, "[PAD]": sp.pad_id(), "[UNK]": sp.unk_id(),
                 "[MASK]": 0}, True)["post_processor"]
            document["added_tokens"] += [
                dict(id=i, content=sp.id_to_piece(i), single_word=False, lstrip=False,
                     rstrip=False, normalized=False, special=True) for i in (cls, sep)]
        return document
    bos, eos, pad = sp.bos_id(), sp.eos_id(), sp.pad_id()
    added = [dict(id=i, content=sp.id_to_piece(i), single_word=False, lstrip=False,
                  rstrip=False, normalized=False, special=True) for i in (bos, pad, eos)]
    s = lambda name, t: {"SpecialToken": {"id": name, "type_id": t}}  # noqa: E731
    q = lambda name, t: {"Sequence": {"id": name, "type_id": t}}  # noqa: E731
    return {"version": "1.0", "added_tokens": added, "normalizer": None,
            "pre_tokenizer": {"type": "Metaspace", "replacement": "▁",
                              "prepend_scheme": "always", "split": True},
            "post_processor": {
                "type": "TemplateProcessing",
                "single": [s("<s>", 0), q("A", 0), s("</s>", 0)],
                "pair": [s("<s>", 0), q("A", 0), s("</s>", 0), s("</s>", 0), q("B", 0),
                         s("</s>", 0)],
                "special_tokens": {"<s>": {"id": "<s>", "ids": [bos], "tokens": ["<s>"]},
                                   "</s>": {"id": "</s>", "ids": [eos], "tokens": ["</s>"]}}},
            "padding": {"pad_id": pad},
            "model": {"type": "Unigram", "unk_id": sp.unk_id(), "vocab": vocab,
                      "byte_fallback": False}}
