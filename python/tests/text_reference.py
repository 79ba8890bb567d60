# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Reference tokenizers and test data for the runtime's tokenizers.

WordPiece: Hugging Face BertTokenizer's published algorithm (BasicTokenizer
then WordpieceTokenizer), written here in Python on `unicodedata`,
independently of the C++ one (runtime/src/text/wordpiece.cpp).
SentencePiece: the `sentencepiece` Python module on a model trained here.
Text: real quotes from Debian's `fortunes`, plus hand-picked hard cases.
"""
import collections
import io
import unicodedata
from pathlib import Path

from bnbert.fortunes import FORTUNES, read_category
SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]

# Accents, CJK, punctuation, very long words, Greek final sigma, dotted
# capital I, control and zero-width characters, odd spaces, emoji.
HARD_CASES = [
    "Héllo, WÖRLD! Ça va? naïve café résumé",
    "Crème brûlée costs 5€ — or ¥600 (approx.)…",
    "北京欢迎你 and 東京 mixed with 한국어 and カタカナ",
    "unaffable unaffableness affable",
    "a" * 101 + " " + "b" * 100,
    "ΟΔΟΣ ΣΟΦΟΣ Σ ΑΣ'",
    "İstanbul DİYARBAKIR",
    "tab\there\nnew line\r\nand\x00nul\x07bell\u200bzero\u200dwidth",
    "no\u00a0break\u2009thin\u3000ideographic\u2028line\u2029para",
    "e\u0301 combining vs é precomposed; ﬁ ligature; Ⅻ",
    "emoji 😀👍🏽 and symbols ™ © ½ ∞ ≠",
    "\"quoted\" 'single' [bracketed] {braced} <angled> a/b\\c @#$%^&*",
    "[CLS] literal [MASK] tokens [SEP] and [unk]",
    "don't won't it's o'clock rock'n'roll",
    "   leading and trailing spaces   ",
    "",
    "\ufffd replacement \ufffe noncharacter",
]


def fortunes_corpus(count=300, categories=("computers", "science", "people", "work")):
    """`count` real quotes (deterministic: files in order, quotes in order)."""
    quotes = [q for category in categories for q in read_category(FORTUNES / category)]
    step = max(1, len(quotes) // count)
    return quotes[::step][:count]


# --- WordPiece, as BertTokenizer -------------------------------------------

def _is_whitespace(ch):
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_control(ch):
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch).startswith("C")


def _is_punctuation(ch):
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp):
    return any(lo <= cp <= hi for lo, hi in [
        (0x4E00, 0x9FFF), (0x3400, 0x4DBF), (0x20000, 0x2A6DF),
        (0x2A700, 0x2B73F), (0x2B740, 0x2B81F), (0x2B820, 0x2CEAF),
        (0xF900, 0xFAFF), (0x2F800, 0x2FA1F)])


def basic_tokens(text, lowercase, never_split=SPECIALS):
    out = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        out.append(" " if _is_whitespace(ch) else ch)
    text = "".join(out)
    text = "".join(f" {ch} " if _is_cjk(ord(ch)) else ch for ch in text)
    text = unicodedata.normalize("NFC", text)
    tokens = []
    for token in text.split():
        if token in never_split:
            tokens.append(token)
            continue
        if lowercase:
            token = token.lower()
            token = "".join(c for c in unicodedata.normalize("NFD", token)
                            if unicodedata.category(c) != "Mn")
        word = []
        for ch in token:
            if _is_punctuation(ch):
                if word:
                    tokens.append("".join(word))
                tokens.append(ch)
                word = []
            else:
                word.append(ch)
        if word:
            tokens.append("".join(word))
    return tokens


def wordpiece(token, vocab):
    if len(token) > 100:
        return ["[UNK]"]
    pieces, start = [], 0
    while start < len(token):
        end, found = len(token), None
        while start < end:
            piece = ("##" if start else "") + token[start:end]
            if piece in vocab:
                found = piece
                break
            end -= 1
        if found is None:
            return ["[UNK]"]
        pieces.append(found)
        start = end
    return pieces


def reference_wordpiece_ids(text, vocab, lowercase, max_tokens=0):
    """[CLS] pieces [SEP] as ids (`vocab`: piece -> id)."""
    never_split = [s for s in SPECIALS if s in vocab]
    pieces = [p for t in basic_tokens(text, lowercase, never_split)
              for p in wordpiece(t, vocab)]
    if max_tokens:
        pieces = pieces[:max_tokens - 2]
    return [vocab["[CLS]"]] + [vocab[p] for p in pieces] + [vocab["[SEP]"]]


def write_vocab(path, texts, lowercase, words=400):
    """A vocab.txt for `texts`: the specials, the frequent words, every
    character alone and as a "##" continuation, and frequent word endings
    as continuations (so words split into several pieces). Characters seen
    once are left out, so some words are [UNK]. Returns piece -> id."""
    words_count, chars = collections.Counter(), collections.Counter()
    for text in texts:
        for token in basic_tokens(text, lowercase):
            words_count[token] += 1
            chars.update(token)
    pieces = list(SPECIALS)
    pieces += sorted(c for c, n in chars.items() if n > 1)
    pieces += sorted("##" + c for c, n in chars.items() if n > 1)
    endings = collections.Counter(w[-k:] for w in words_count for k in (2, 3, 4)
                                  if len(w) > k + 2)
    pieces += sorted("##" + e for e, _ in endings.most_common(120))
    pieces += [w for w, _ in words_count.most_common(words) if len(w) > 1]
    pieces += ["un", "##aff", "##able"]  # BERT's documented example
    seen, unique = set(), []
    for p in pieces:
        if p not in seen:
            seen.add(p)
            unique.append(p)
    Path(path).write_text("".join(p + "\n" for p in unique), encoding="utf-8")
    return {p: i for i, p in enumerate(unique)}


# --- SentencePiece ----------------------------------------------------------

def train_sentencepiece(path, texts, albert_style):
    """A small unigram model. ALBERT style: [CLS]/[SEP] control pieces and
    <pad> 0; otherwise <s>/</s> framing (bos 2, eos 3)."""
    import sentencepiece as spm
    model = io.BytesIO()
    options = dict(sentence_iterator=iter(texts), model_writer=model,
                   vocab_size=500, model_type="unigram",
                   character_coverage=0.9995, pad_id=0, unk_id=1, bos_id=2,
                   eos_id=3, minloglevel=2)
    if albert_style:
        options.update(control_symbols=["[CLS]", "[SEP]", "[MASK]"])
    spm.SentencePieceTrainer.train(**options)
    Path(path).write_bytes(model.getvalue())


def reference_sentencepiece_ids(model_path, text, max_tokens=0):
    import sentencepiece as spm
    sp = spm.SentencePieceProcessor(model_file=str(model_path))
    cls, sep = sp.piece_to_id("[CLS]"), sp.piece_to_id("[SEP]")
    if cls == sp.unk_id() or sep == sp.unk_id():
        cls, sep = sp.bos_id(), sp.eos_id()
    pieces = sp.encode(text)
    if max_tokens:
        pieces = pieces[:max_tokens - 2]
    return [cls] + pieces + [sep]


# --- pairs -------------------------------------------------------------------

def reference_pair(framed_a, framed_b, max_tokens, roberta):
    """Hugging Face's pair encoding from two framed single encodings
    (cls pieces sep): ids and token types of [CLS] a [SEP] b [SEP] (types
    0 then 1), or of <s> a </s></s> b </s> (types 0) when `roberta`; cut to
    `max_tokens` by the `tokenizers` library's LongestFirst strategy,
    written as its Rust source (truncation.rs) does it."""
    cls, sep = framed_a[0], framed_a[-1]
    a, b = framed_a[1:-1], framed_b[1:-1]
    budget = max_tokens - (4 if roberta else 3)
    if len(a) + len(b) > budget:
        n1, n2 = len(a), len(b)
        swap = n1 > n2
        if swap:
            n1, n2 = n2, n1
        n2 = n1 if n1 > budget else max(n1, budget - n1)
        if n1 + n2 > budget:
            n1 = budget // 2
            n2 = n1 + budget % 2
        if swap:
            n1, n2 = n2, n1
        a, b = a[:n1], b[:n2]
    first = [cls] + a + [sep]
    second = ([sep] if roberta else []) + b + [sep]
    return first + second, [0] * len(first) + [0 if roberta else 1] * len(second)
