#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Score a text corpus with a compiled model on Dask.

  python3 examples/dask/score_corpus.py MODEL.bnb VOCAB CORPUS OUT
      [--scheduler ADDRESS | --workers N] [--threads-per-worker T]
      [--blocksize 64MiB] [--cased] [--batch N]

CORPUS is one or more text files (a path or a glob; on storage every
worker reads - a shared file system, or s3://... with s3fs - for a cluster
of machines) with one "ID<TAB>TEXT" line per input. OUT gets one part file
per corpus block (part-00000.tsv, ... in corpus order) with one
"ID<TAB>LABEL<TAB>LOGIT,LOGIT,..." line per input line.

Each worker process loads the model and its tokenizer once (bnrt.Model is
shared by the worker's threads, each on its own execution context); each
block of the corpus is a Dask partition, scored in batches of the model's
largest batch. Without --scheduler a LocalCluster of --workers processes
runs on this machine; with it, the same code runs on your cluster
(`dask scheduler` + `dask worker` on each machine). Workers need `bnrt`
importable (PYTHONPATH=python, or installed) and the model files at the
same paths; this file is sent to them (Client.upload_file).
"""
import argparse
import os
import sys
import threading

import bnrt

_loaded = {}
_lock = threading.Lock()


def _model(model_path, vocab, lowercase, threads):
    """The worker's one Model and Tokenizer (loaded on first use)."""
    key = (os.path.abspath(model_path), os.path.abspath(vocab), lowercase, threads)
    with _lock:
        if key not in _loaded:
            _loaded[key] = (bnrt.Model(model_path, threads=threads),
                            bnrt.Tokenizer(vocab, lowercase=lowercase))
        return _loaded[key]


def parse_line(line):
    """(id, text) of an "ID<TAB>TEXT" line."""
    ident, tab, text = line.rstrip("\r\n").partition("\t")
    if not tab:
        raise ValueError(f"corpus line without a tab after its id: {line[:80]!r}")
    return ident, text


def score_lines(lines, model_path, vocab, lowercase=True, threads=1, batch=None):
    """One output line per non-empty input line of `lines`."""
    rows = [parse_line(line) for line in lines if line.strip()]
    if not rows:
        return []
    model, tokenizer = _model(model_path, vocab, lowercase, threads)
    logits = model.run_text([text for _, text in rows], tokenizer,
                            batch_size=batch)[model.logits_output]
    return [f"{ident}\t{int(row.argmax())}\t{','.join(f'{v:.9g}' for v in row)}"
            for (ident, _), row in zip(rows, logits)]


def score_corpus(client, model_path, vocab, corpus, out, blocksize="64MiB",
                 lowercase=True, threads=1, batch=None):
    """Scores `corpus` on `client`'s cluster into OUT/part-NNNNN.tsv; returns
    the part files in corpus order."""
    import dask.bag as db
    os.makedirs(out, exist_ok=True)
    lines = db.read_text(corpus, blocksize=blocksize)
    scored = lines.map_partitions(score_lines, os.path.abspath(model_path),
                                  os.path.abspath(vocab), lowercase, threads, batch)
    return scored.to_textfiles(os.path.join(out, "part-*.tsv"),
                               name_function=lambda i: f"{i:05d}",
                               last_endline=True, scheduler=client)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model")
    p.add_argument("vocab", help="the model's WordPiece vocab.txt or SentencePiece .model")
    p.add_argument("corpus", help="text file(s) of ID<TAB>TEXT lines (a glob)")
    p.add_argument("out", help="directory for the part files")
    p.add_argument("--scheduler", help="address of a running Dask scheduler")
    p.add_argument("--workers", type=int, default=2,
                   help="worker processes of the local cluster (default 2)")
    p.add_argument("--threads-per-worker", type=int, default=1)
    p.add_argument("--blocksize", default="64MiB",
                   help="corpus bytes per partition (default 64MiB)")
    p.add_argument("--cased", action="store_true",
                   help="WordPiece: keep case and accents")
    p.add_argument("--batch", type=int, help="rows per run (default: the model's largest batch)")
    args = p.parse_args(argv)
    if not 1 <= args.workers <= 64 or not 1 <= args.threads_per_worker <= 16:
        p.error("--workers must be in 1..64 and --threads-per-worker in 1..16")
    from dask.distributed import Client, LocalCluster
    if args.scheduler:
        client = Client(args.scheduler)
    else:
        client = Client(LocalCluster(n_workers=args.workers,
                                     threads_per_worker=args.threads_per_worker,
                                     processes=True, dashboard_address=None))
    with client:
        # The functions must reach the workers by module name, not pickled
        # from __main__ (whose model cache holds a lock).
        import score_corpus as module
        client.upload_file(module.__file__)
        parts = module.score_corpus(client, args.model, args.vocab, args.corpus,
                                    args.out, args.blocksize, not args.cased, 1,
                                    args.batch)
    print(f"score_corpus: wrote {len(parts)} part files to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
