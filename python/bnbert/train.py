# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""The BinaryBERT loop as one command:

  python3 -m bnbert.train --train T.jsonl|T.tsv --dev D --test X --out DIR
      [--act-bits 8|4|2|1] [--layers N --hidden H --heads A --ffn F --seq S --vocab V]
      [--epochs E] [--threads T] [--resume]
  python3 -m bnbert.train --from MODEL.onnx --tokenizer vocab.txt|spm.model
      [--cased] [--labels A,B,...] --train ... --dev ... --test ... --out DIR

Examples are jsonl lines {"text", "label"} ("text_pair" for sentence
pairs; "label" optional with --from) or GLUE-style .tsv files with a
header (--text-column, --pair-column, --label-column); every text is
encoded by the runtime's tokenizer, as bnbert-run --text will encode it.

With --from, the user's fp32 model is the teacher and the student's start
(built from the compiler's graph of it, bnbert/graph.py) and the stages
begin at ternary QAT; otherwise:

Stages (each checkpointed after every epoch under DIR/checkpoints, resumed
with --resume): SentencePiece tokenizer on the training text -> float
teacher trained from scratch -> ternary QAT with distillation -> TWS split
-> binary fine-tuning with distillation (with --act-bits 2 or 1, at 8
bits, then multi-step distillation down to them: W1A8 -> W1A4 -> W1A2 ->
W1A1, each step from the last); and, with the same budget, direct
BWN QAT with distillation (the baseline). Every quantized model is exported
as QDQ ONNX, compiled with bnbert-compile and evaluated as a bundle in
process through bnrt. DIR receives tokenizer.model, model.onnx / model.bnb (the
trained binary model), test/*.npy (the encoded test set), report.json.
"""
import argparse
import contextlib
import copy
import json
import math
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from torch.nn import functional as F
from tqdm import tqdm

from . import atomic, checkpoint, parallel
from . import data as D
from . import graph as G
from . import hf as H
from .deploy import (INPUTS, ToolError, bench_bundle, check_runtime, compile_bundle, find_tool,
                     run_bundle)
from .distill import Distiller
from .export import export_onnx, exporting
from .model import BertClassifier, BertConfig
from .modules import (attention_bits_for, prepare, set_attention_bits,
                      set_input_bits, tws_split)
from .reconstruct import Reconstructor


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog="python3 -m bnbert.train",
        description="Train a binary BERT classifier the BinaryBERT way and "
                    "deploy it with bnbert-compile (docs/training.md).")
    p.add_argument("--train", required=True,
                   help="training examples: jsonl ({\"text\", \"label\"} per line, "
                        "\"text_pair\" for sentence pairs) or .tsv with a header")
    p.add_argument("--dev", required=True, help="development examples (model selection)")
    p.add_argument("--test", required=True, help="test examples (the reported accuracies)")
    p.add_argument("--text-column", help=".tsv files: the text column (default: "
                   "sentence1 with sentence2 as its pair, or sentence)")
    p.add_argument("--pair-column", help=".tsv files: the column of each text's pair")
    p.add_argument("--label-column", help=".tsv files: the label column (default: label; "
                   "a file without it is unlabelled)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--act-bits", type=int, default=8, choices=(8, 4, 2, 1),
                   help="activation bits of the quantized linears' inputs (default 8); "
                        "2 and 1 (BiT's elastic binarization) are reached by multi-step "
                        "distillation from 8 bits, --epochs each step")
    p.add_argument("--attention-bits", type=int, choices=(8, 4, 2, 1),
                   help="bits of attention's Q, K, V and probabilities (default: "
                        "--act-bits for 8 and 4; 8 for 2 and 1); 1 is BiT's binary "
                        "attention. Below 4 --act-bits, attention steps down with the "
                        "linears' inputs, never below this")
    p.add_argument("--granularity", default="tensor", choices=("tensor", "row"),
                   help="scale granularity of linear weights (default tensor)")
    p.add_argument("--integer-nonlinear", action="store_true",
                   help="train and deploy the student with GELU, softmax and layer norm "
                        "in I-BERT's integer forms (the teacher stays float; not with "
                        "--attention-bits 1)")
    p.add_argument("--layers", type=int, default=4)
    p.add_argument("--hidden", type=int, default=256)
    p.add_argument("--heads", type=int, default=4)
    p.add_argument("--ffn", type=int, default=1024)
    p.add_argument("--seq", type=int, default=64, help="sequence length (default 64)")
    p.add_argument("--vocab", type=int, default=8000,
                   help="SentencePiece vocabulary (smaller if the text is small)")
    p.add_argument("--epochs", type=int, default=3,
                   help="epochs of ternary QAT and of binary fine-tuning each; "
                        "direct BWN gets both (default 3)")
    p.add_argument("--teacher-epochs", type=int, default=None,
                   help="epochs of float teacher training (default 3 x --epochs)")
    p.add_argument("--recipe", default="qat", choices=("qat", "reconstruct"),
                   help="how the ternary and binary stages train: qat (distillation "
                        "through the whole model, the default) or reconstruct (each "
                        "block on the teacher's input to it learns the teacher's output "
                        "of it; no labels; docs/training.md)")
    p.add_argument("--finetune-epochs", type=int, default=0,
                   help="with --recipe reconstruct: epochs of whole-model distillation "
                        "after the binary stage (default 0)")
    p.add_argument("--batch", type=int, default=32, help="training batch (default 32)")
    p.add_argument("--lr", type=float, default=5e-4, help="teacher learning rate")
    p.add_argument("--qat-lr", type=float, default=2e-4, help="QAT learning rate")
    for name, default, what in (("logits", 1.0, "soft cross-entropy on the logits"),
                                ("hidden", 1.0, "MSE on every layer's hidden states"),
                                ("attention", 1.0, "MSE on every layer's attention scores"),
                                ("hard", 1.0, "cross-entropy on the labels")):
        p.add_argument(f"--kd-{name}", type=float, default=default,
                       help=f"distillation weight of the {what} (default {default})")
    p.add_argument("--eval-batch", type=int, default=16,
                   help="batch the bundles are compiled for (default 16)")
    p.add_argument("--threads", type=int, default=2,
                   help="torch and bnbert-run threads (default 2; bnbert-run uses at most 4)")
    p.add_argument("--device", default="cpu",
                   help="where PyTorch trains: cpu (default), cuda or cuda:N when it sees "
                        "a GPU (under torchrun, cuda is each process's cuda:LOCAL_RANK); "
                        "bundles are compiled and evaluated on the CPU either way")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--teacher", metavar="DIR",
                   help="reuse the tokenizer and float teacher of an earlier run's "
                        "output directory (same --layers/--hidden/... and --seq) "
                        "instead of training them")
    p.add_argument("--resume", action="store_true",
                   help="continue from DIR/checkpoints (finished stages are skipped)")
    p.add_argument("--from", dest="source", metavar="MODEL.onnx|HF_DIR",
                   help="your fine-tuned fp32 model (any ONNX bnbert-compile imports, or "
                        "a Hugging Face *ForSequenceClassification checkpoint folder of "
                        "type bert, distilbert, roberta or albert): "
                        "it is the teacher and the student's starting point; "
                        "--layers/--hidden/--heads/--ffn/--vocab/--teacher-epochs "
                        "do not apply (docs/training.md, 'Your own model')")
    p.add_argument("--tokenizer", metavar="vocab.txt|spm.model",
                   help="with --from: the model's tokenizer (WordPiece vocab.txt or "
                        "SentencePiece .model; default for a checkpoint folder: its "
                        "own), read by the runtime's implementation")
    p.add_argument("--cased", action="store_true",
                   help="with --from and a vocab.txt: do not lower-case (cased models)")
    p.add_argument("--labels", metavar="NAME,NAME,...",
                   help="with --from: the label names in the order of the model's "
                        "logits (jsonl labels may then be these names or indices; "
                        "default for a checkpoint folder: its id2label)")
    args = p.parse_args(argv)
    if args.source:
        if args.teacher:
            p.error("--from and --teacher both name a teacher: give one")
        if not args.tokenizer and not os.path.isdir(args.source):
            p.error("--from MODEL.onnx needs --tokenizer (the model's vocab.txt or .model)")
    elif args.tokenizer or args.labels or args.cased:
        p.error("--tokenizer, --labels and --cased apply with --from")
    if ((args.text_column or args.pair_column or args.label_column) and
            not any(f.lower().endswith(".tsv") for f in (args.train, args.dev, args.test))):
        p.error("--text-column, --pair-column and --label-column apply to .tsv files")
    checks = {"--layers": args.layers, "--hidden": args.hidden, "--heads": args.heads,
              "--ffn": args.ffn, "--epochs": args.epochs, "--batch": args.batch,
              "--eval-batch": args.eval_batch, "--threads": args.threads}
    for flag, value in checks.items():
        if value < 1:
            p.error(f"{flag} must be >= 1, got {value}")
    if args.threads > 64:
        p.error(f"--threads {args.threads} is more than this tool will start (64)")
    if args.hidden % args.heads:
        p.error(f"--hidden {args.hidden} is not a multiple of --heads {args.heads}")
    if args.seq < 3:
        p.error("--seq must be >= 3 ([CLS], one piece, [SEP])")
    if args.vocab < 16:
        p.error("--vocab must be >= 16")
    if args.finetune_epochs < 0:
        p.error(f"--finetune-epochs must be >= 0, got {args.finetune_epochs}")
    if args.integer_nonlinear and args.attention_bits == 1:
        p.error("--integer-nonlinear: binary attention (--attention-bits 1) has no "
                "integer softmax")
    if args.finetune_epochs and args.recipe != "reconstruct":
        p.error("--finetune-epochs applies with --recipe reconstruct")
    if args.teacher_epochs is None:
        args.teacher_epochs = 3 * args.epochs
    problem = parallel.device_problem(args.device)
    if problem:
        p.error(problem)
    return args


class Trainer:
    def __init__(self, args):
        self.args = args
        self.out = Path(args.out)
        self.ckpt = self.out / "checkpoints"
        self.settings = checkpoint.run_settings(args)
        self.ranks = parallel.Ranks(args.device)
        self.device = self.ranks.device
        torch.set_num_threads(args.threads)

    # -- data ---------------------------------------------------------------
    def load_data(self):
        if self.args.source:
            return self.load_source()
        a = self.args
        self.input_names, self.output_name = INPUTS, "logits"
        rows = self.read_sets()
        self.labels = D.label_set(rows["train"], a.train)
        self.ckpt.mkdir(parents=True, exist_ok=True)  # DIR only once the inputs are good
        tok_path = self.out / "tokenizer.model"
        if self.ranks.main:  # the other ranks read what it makes
            self.make_tokenizer(rows["train"], tok_path)
        self.ranks.barrier()
        self.tokenizer = D.runtime_tokenizer(tok_path)
        self.sets = {}
        for name, r in rows.items():
            enc = D.encode_runtime(self.tokenizer, r, a.seq)
            enc["labels"] = D.label_ids(r, self.labels, getattr(a, name))
            self.sets[name] = {k: torch.from_numpy(v) for k, v in enc.items()}
        self.save_test_set()
        self.config = BertConfig(vocab=self.tokenizer.vocab_size, hidden=a.hidden,
                                 layers=a.layers, heads=a.heads, ffn=a.ffn,
                                 max_pos=a.seq, labels=len(self.labels))
        sizes = ", ".join(f"{k} {len(v['labels'])}" for k, v in self.sets.items())
        self.log(f"data: {sizes} examples, {len(self.labels)} labels, "
                 f"vocab {self.config.vocab}")

    def make_tokenizer(self, train_rows, tok_path):
        """tokenizer.model: --teacher's (with its teacher checkpoint), the
        one a resumed run made, or SentencePiece trained on the texts."""
        a = self.args
        if a.teacher:
            given = Path(a.teacher)
            for name in ("tokenizer.model", "checkpoints/teacher.pt"):
                if not (given / name).is_file():
                    raise D.DataError(f"--teacher {given}: no {name} there (an output "
                                      f"directory of python3 -m bnbert.train)")
            shutil.copyfile(given / "tokenizer.model", tok_path)
            shutil.copyfile(given / "checkpoints" / "teacher.pt", self.ckpt / "teacher.pt")
            self.log(f"teacher and tokenizer from {given}")
        elif not (a.resume and tok_path.exists()):
            self.log(f"tokenizer: SentencePiece on {len(train_rows)} training texts")
            D.train_tokenizer([t for e in train_rows for t in (e.text, e.pair) if t is not None],
                              tok_path, a.vocab)

    def load_source(self):
        """--from: the user's model (the teacher, as a GraphModel), its
        tokenizer through the runtime, and labels mapped onto its logits."""
        a = self.args
        self.source_onnx, self.tokenizer_path = Path(a.source), a.tokenizer
        self.lowercase, label_names = not a.cased, a.labels
        if self.source_onnx.is_dir():  # a Hugging Face checkpoint folder
            folder = H.Checkpoint(a.source)
            self.log(f"teacher: {folder.kind} checkpoint {a.source} ({len(folder.labels)} "
                     f"labels), exported to ONNX")
            if not self.tokenizer_path:
                if folder.tokenizer is None:
                    raise D.DataError(folder.tokenizer_problem)
                self.tokenizer_path = folder.tokenizer
                self.lowercase = folder.lowercase and not a.cased
            label_names = label_names or ",".join(folder.labels)
            self._export_dir = tempfile.TemporaryDirectory(prefix="bnbert-from-")
            self.source_onnx = folder.export(Path(self._export_dir.name) / "source.onnx",
                                             a.seq)
        self.log(f"teacher: {a.source} raised by bnbert-compile at sequence {a.seq}")
        self.source_model = G.load_onnx(self.source_onnx, a.seq).to(self.device)
        self.input_names = [i["name"] for i in self.source_model.inputs]
        self.output_name = self.source_model.output
        unknown = [n for n in self.input_names if n not in INPUTS]
        if unknown:
            raise D.DataError(f"{a.source}: input {unknown[0]} is not one a tokenizer "
                              f"makes ({', '.join(INPUTS)})")
        classes = self.source_model.dims[self.source_model.outputs[self.output_name]].at(1, 1)[-1]
        self.tokenizer = D.runtime_tokenizer(self.tokenizer_path, lowercase=self.lowercase)
        rows_of_table = max((e.num_embeddings for e in self.source_model.embeddings.values()),
                            default=0)
        if self.tokenizer.vocab_size > rows_of_table:
            raise D.DataError(f"{self.tokenizer_path}: {self.tokenizer.vocab_size} token ids, but "
                              f"{a.source}'s word-embedding table has {rows_of_table} rows: "
                              f"not this model's tokenizer")
        rows = self.read_sets()
        self.labels = D.source_labels(label_names, classes, a.source)
        self.label_names = label_names
        self.sets = {}
        for name, r in rows.items():
            enc = D.encode_runtime(self.tokenizer, r, a.seq)
            enc["labels"] = D.label_indices(r, self.labels, getattr(a, name))
            self.sets[name] = {k: torch.from_numpy(v) for k, v in enc.items()}
        self.save_test_set()
        # The teacher's logits, computed once: the fidelity check, the
        # agreement with it, and sets without labels use them.
        self.teacher_logits = {name: self.logits(self.source_model, name)
                               for name in ("dev", "test")}
        self.config = {"source": str(a.source), "classes": classes, "seq": a.seq}
        sizes = ", ".join(f"{k} {len(v['labels'])}" for k, v in self.sets.items())
        self.log(f"data: {sizes} examples, {classes} classes, tokenizer "
                 f"{self.tokenizer_path} ({self.tokenizer.vocab_size} ids)")

    def read_sets(self):
        """The train, dev and test examples; self.pairs says whether they
        are sentence pairs (all or none)."""
        a = self.args
        columns = D.Columns(a.text_column, a.pair_column, a.label_column)
        rows = {name: D.read_examples(getattr(a, name), columns)
                for name in ("train", "dev", "test")}
        self.pairs = D.check_pairs({name: (getattr(a, name), r) for name, r in rows.items()})
        return rows

    def save_test_set(self):
        if not self.ranks.main:
            return
        self.ckpt.mkdir(parents=True, exist_ok=True)  # DIR only once the inputs are good
        test_dir = self.out / "test"
        test_dir.mkdir(exist_ok=True)
        for k, v in self.sets["test"].items():
            if k in self.input_names or k == "labels":
                atomic.np_save(test_dir / f"{k}.npy", v.numpy())

    def batches(self, name, size, shuffle, generator=None, shard=False):
        """Batches of set `name`; with `shard`, this rank's part of each
        (a last batch smaller than the number of ranks is left out, so
        every rank takes a part of every batch)."""
        s = self.sets[name]
        n = len(s["labels"])
        order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
        for i in range(0, n, size):
            idx = order[i:i + size]
            if shard:
                if len(idx) < self.ranks.world:
                    continue
                idx = self.ranks.shard(idx)
            yield ({k: s[k][idx].to(self.device) for k in self.input_names},
                   s["labels"][idx].to(self.device))

    @torch.no_grad()
    def logits(self, model, name):
        """`model`'s logits on set `name` (on the CPU, beside the labels)."""
        model.eval()
        return torch.cat([model(**x).cpu() for x, _ in self.batches(name, 64, False)])

    def accuracy(self, logits, name):
        """Accuracy on the set's labelled lines; on a set with no labels,
        agreement with the teacher's classes (the report says which)."""
        labels = self.sets[name]["labels"]
        known = labels >= 0
        if bool(known.any()):
            return float((logits.argmax(-1)[known] == labels[known]).float().mean())
        teacher = self.teacher_logits[name].argmax(-1)
        return float((logits.argmax(-1) == teacher).float().mean())

    def metric(self, name):
        """What accuracy() measures on set `name`."""
        return ("accuracy" if bool((self.sets[name]["labels"] >= 0).any())
                else "agreement_with_teacher")

    # -- stages ---------------------------------------------------------------
    def run_stage(self, stage, model, epochs, lr, loss_fn):
        """Trains `model` for `epochs` with AdamW and linear warm-up/decay,
        keeping the state with the best dev accuracy; checkpoints every
        epoch and resumes from the last one. Under torchrun each rank
        trains on its shard of every batch (bnbert/parallel.py); rank 0
        writes the checkpoints."""
        path = self.ckpt / f"{stage}.pt"
        model.to(self.device)  # modules added since (quantizers, split halves) too
        resume = self.args.resume or (stage == "teacher" and self.args.teacher)
        opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
        steps_per_epoch = math.ceil(len(self.sets["train"]["labels"]) / self.args.batch)
        total = max(1, epochs * steps_per_epoch)
        warmup = max(1, total // 10)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: min((s + 1) / warmup, max(0.0, (total - s) / (total - warmup + 1))))
        state = {"epoch": 0, "best_dev": -1.0, "best": None, "done": False,
                 "settings": self.settings}
        # Every fresh stage starts from its own seed, so a stage's result does
        # not depend on whether the one before ran or was resumed as done.
        torch.manual_seed(self.args.seed * 1000 + sum(map(ord, stage)))
        gen = torch.Generator().manual_seed(self.args.seed * 1000 + len(stage))
        if resume and path.exists():
            from_other_run = stage == "teacher" and self.args.teacher
            state = checkpoint.load(path, None if from_other_run else self.settings)
            state["settings"] = self.settings
            model.load_state_dict(state["model"])
            opt.load_state_dict(state["optimizer"])
            sched.load_state_dict(state["scheduler"])
            if state["done"]:
                model.load_state_dict(state["best"])
                self.log(f"{stage}: done earlier (dev {state['best_dev']:.4f}), resumed")
                return state["best_dev"]
            self.log(f"{stage}: resuming after epoch {state['epoch']}")
            if "random" in state:  # dropout, shuffling: as the run left them
                checkpoint.restore_random_states(state["random"], gen)
        runner = self.ranks.wrap(model)
        for epoch in range(state["epoch"], epochs):
            model.train()
            # A progress bar on a terminal; in a log, the epoch's line below.
            bar = tqdm(self.batches("train", self.args.batch, True, gen, shard=True),
                       total=steps_per_epoch, desc=f"{stage} epoch {epoch + 1}/{epochs}",
                       file=sys.stderr, dynamic_ncols=True, mininterval=1.0,
                       disable=not self.ranks.main or not sys.stderr.isatty())
            losses = []
            for inputs, labels in bar:
                loss = loss_fn(runner, inputs, labels)
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
                opt.step()
                sched.step()
                losses.append(loss.item())
                bar.set_postfix(loss=f"{losses[-1]:.4f}")
            dev = self.accuracy(self.logits(model, "dev"), "dev")
            better = dev > state["best_dev"]
            if better:
                state["best_dev"] = dev
                state["best"] = {k: v.clone() for k, v in model.state_dict().items()}
            mean = sum(losses) / max(1, len(losses))
            self.log(f"{stage} epoch {epoch + 1}/{epochs}: train loss {mean:.4f}, dev "
                     f"accuracy {dev:.4f}{' (best)' if better else ''}")
            state.update(epoch=epoch + 1, model=model.state_dict(),
                         optimizer=opt.state_dict(), scheduler=sched.state_dict(),
                         random=checkpoint.random_states(gen))
            if self.ranks.main:
                atomic.torch_save(state, path)
        model.load_state_dict(state["best"])
        state["done"] = True
        if self.ranks.main:
            atomic.torch_save(state, path)
        return state["best_dev"]

    def teacher(self):
        torch.manual_seed(self.args.seed)
        model = BertClassifier(self.config)

        def loss(m, inputs, labels):
            return F.cross_entropy(m(**inputs), labels)
        try:
            self.run_stage("teacher", model, self.args.teacher_epochs, self.args.lr, loss)
        except RuntimeError as e:
            if "state_dict" not in str(e):
                raise
            raise D.DataError(f"the teacher checkpoint does not fit --layers/--hidden/"
                              f"--heads/--ffn/--seq: {str(e).splitlines()[0]}") from None
        return model

    def student(self, teacher, weights):
        if self.args.source:
            student = copy.deepcopy(teacher)
            for p in student.parameters():
                p.requires_grad_(True)
            table = G.prepare_graph(student, weights, self.start_bits,
                                    self.args.granularity,
                                    attention_bits=self.attention_bits(),
                                    integer_nonlinear=self.args.integer_nonlinear)
            self.quantized = [{"kind": k, "where": where, "shape": shape, "as": what}
                              for k, where, shape, what in table]
        else:
            student = BertClassifier(self.config)
            student.load_state_dict(teacher.state_dict())
            prepare(student, weights, self.start_bits, self.args.granularity,
                    attention_bits=self.attention_bits(),
                    integer_nonlinear=self.args.integer_nonlinear)
        # No dropout while distilling: the targets come from the teacher
        # without it, and matching hidden states through dropout noise
        # teaches the student to fight the noise.
        for module in student.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.0
        student.to(self.device)
        self.initialize_quantizers(student)
        return student

    def initialize_quantizers(self, model):
        """One forward initializes every activation quantizer that is not
        yet (clips, binarizers' scales and thresholds) on real data."""
        model.train()
        with torch.no_grad():
            inputs, _ = next(self.batches("train", self.args.batch, False))
            model(**inputs)

    @property
    def start_bits(self):
        """The linears' input bits of the QAT stages: --act-bits, or 8 when
        multi-step distillation steps down to 2 or 1 bits afterwards."""
        return self.args.act_bits if self.args.act_bits >= 4 else 8

    def attention_bits(self, bits=None):
        """Attention's bits while the linears' inputs have `bits` (default
        the QAT stages' start_bits): --attention-bits, else prepare's
        default for the start bits (so 8 when the steps go below 4); when
        the steps go below 4, attention steps down with the linears'
        inputs and stops at that."""
        bits = self.start_bits if bits is None else bits
        target = attention_bits_for(self.start_bits, self.args.attention_bits)
        return max(bits, target) if self.args.act_bits < 4 else target

    def step_down(self, stage, model, bits):
        """One step of multi-step distillation (BiT): the linears' inputs
        go to `bits` (fresh quantizers fitted on a batch), attention with
        them where it steps down too, and the model learns from a frozen
        copy of itself before the step."""
        previous = copy.deepcopy(model).eval()
        set_input_bits(model, bits)
        if self.attention_bits(bits) != model.bnbert_config["attention_bits"]:
            set_attention_bits(model, self.attention_bits(bits))
        self.initialize_quantizers(model)
        return self.distill(stage, model, previous, self.args.epochs)

    def distill(self, stage, student, teacher, epochs, recipe=None):
        """Trains `student` from `teacher` for `epochs` by `recipe` (default
        --recipe): qat distils through the whole model, reconstruct
        trains each block on the teacher's input to it."""
        a = self.args
        if (recipe or a.recipe) == "reconstruct":
            distiller = Reconstructor(student, teacher, attention=a.kd_attention,
                                      logits=a.kd_logits)
        else:
            distiller = Distiller(student, teacher, logits=a.kd_logits, hidden=a.kd_hidden,
                                  attention=a.kd_attention, hard=a.kd_hard)

        def loss(runner, inputs, labels):
            return distiller.loss(inputs, labels, student=runner)[0]
        try:
            return self.run_stage(stage, student, epochs, self.args.qat_lr, loss)
        finally:
            distiller.close()

    # -- deployment -------------------------------------------------------------
    def shapes(self):
        """The shape every model input is exported and compiled with."""
        return {n: (self.args.eval_batch, self.args.seq) for n in self.input_names}

    def test_inputs(self, name="test"):
        return {n: self.sets[name][n].numpy() for n in self.input_names}

    def export(self, model, path):
        export_onnx(model, path, self.shapes(), output_names=(self.output_name,))

    def bundle_logits(self, bundle_path, name="test"):
        return run_bundle(bundle_path, self.test_inputs(name), self.args.eval_batch,
                          self.args.threads, self.output_name)

    def ranged_shapes(self):
        """The trained bundles run every batch and sequence up to these."""
        return {n: (f"1..{self.args.eval_batch}", f"1..{self.args.seq}")
                for n in self.input_names}

    def bundle_accuracy(self, onnx_path, bundle_path, flags=(), ranged=False):
        compile_bundle(onnx_path, bundle_path,
                       self.ranged_shapes() if ranged else self.shapes(), flags)
        logits = self.bundle_logits(bundle_path)
        return self.accuracy(torch.from_numpy(logits), "test"), logits

    def text_flags(self):
        """bnbert-compile flags that make a bundle carry its tokenizer and
        label names (bnbert-run --text then needs nothing else)."""
        a = self.args
        if a.source:
            flags = [f"--tokenizer={self.tokenizer_path}"] + ([] if self.lowercase
                                                              else ["--cased"])
        else:
            flags = [f"--tokenizer={self.out / 'tokenizer.model'}"]
        names = [str(label) for label in self.labels]
        if any("," in n for n in names):
            self.log("label names with commas cannot be carried in the bundle: "
                     "it prints class indices")
        elif not (a.source and self.label_names is None):  # indices need no names
            flags.append("--labels=" + ",".join(names))
        return flags

    def check_fidelity(self, teacher):
        """The largest |logit| difference on the dev texts between the
        trainable teacher and the source's own fp32 bundle; above 1e-4 the
        run stops (the student would start from another model)."""
        bundle = self.out / "fp32_bundle.bnb"
        compile_bundle(self.source_onnx, bundle, self.shapes(),
                       ["--weights=fp32", "--act-bits=32"])
        got = self.bundle_logits(bundle, "dev")
        ref = self.teacher_logits["dev"].numpy()
        fidelity = float(np.abs(got - ref).max())
        self.log(f"teacher fidelity: max |logit difference| {fidelity:.3g} between "
                 f"the trainable teacher and {self.args.source}'s fp32 bundle")
        if not fidelity <= 1e-4:
            where = locate_difference(teacher, self.source_onnx, self.shapes(),
                                      {n: self.sets["dev"][n][:self.args.eval_batch]
                                       for n in self.input_names})
            raise G.GraphError(
                f"{self.args.source}: the trainable teacher differs from the model's "
                f"fp32 bundle by {fidelity:.3g} in output {self.output_name} (> 1e-4); "
                f"{where}: please report this model")
        return fidelity

    def log(self, message):
        if self.ranks.main:
            tqdm.write(f"[bnbert.train] {message}", file=sys.stderr)


def main(argv=None):
    """Runs the loop; every anticipated failure is one line on stderr and
    exit 1 (docs/training.md)."""
    args = parse_args(argv)
    try:
        return run(args)
    except (D.DataError, G.GraphError, H.CheckpointError, ToolError,
            checkpoint.ResumeError) as e:
        message = str(e)
    except OSError as e:  # the file system: a full disk, a read-only --out
        message = f"{e.filename}: {e.strerror}" if e.filename else str(e)
    except RuntimeError as e:  # under torchrun: a rank stopped
        if not parallel.lost_peer(e):
            raise
        message = parallel.describe(e)
    print(f"bnbert.train: {message}", file=sys.stderr)
    return 1


def locate_difference(model, source_onnx, shapes, inputs):
    """Where a GraphModel and its source's fp32 bundle first part: both
    give every layer norm's output (the bundle by bnbert-compile
    --expose-layer-norms), compared in program order on one batch."""
    import bnrt
    with tempfile.TemporaryDirectory(prefix="bnbert-locate-") as tmp:
        bundle = Path(tmp) / "layers.bnb"
        compile_bundle(source_onnx, bundle, shapes,
                       ["--weights=fp32", "--act-bits=32", "--expose-layer-norms"])
        got = bnrt.Model(str(bundle)).run(**{n: v.numpy() for n, v in inputs.items()})
    hidden = []
    model.taps = (hidden, [])
    device = next(model.parameters()).device
    try:
        with torch.no_grad():
            model(**{n: v.to(device) for n, v in inputs.items()})
    finally:
        model.taps = None
    nodes = [node for kind, _, _, _, _, node in model.program if kind == "bnq.layer_norm"]
    for i, (mine, node) in enumerate(zip(hidden, nodes)):
        diff = float(np.abs(mine.cpu().numpy() - got[f"layer_norm.{i}"]).max())
        if diff > 1e-4:
            return f"the first layer that differs is layer norm {i} (node '{node}', by {diff:.3g})"
    return "every layer norm agrees: the difference is after the last one"


def timer(minutes):
    """stage(NAME) times a block into minutes[NAME] (report.json's
    stage_minutes)."""
    @contextlib.contextmanager
    def stage(name):
        start = time.time()
        yield
        minutes[name] = round(minutes.get(name, 0.0) + (time.time() - start) / 60, 2)
    return stage


def check_out(out):
    """--out must be a directory this process can write (or create)."""
    if out.exists() and not out.is_dir():
        raise D.DataError(f"--out {out} is a file, not a directory")
    parent = out if out.exists() else next(p for p in out.parents if p.exists())
    if not parent.is_dir() or not os.access(parent, os.W_OK | os.X_OK):
        raise D.DataError(f"--out {out}: {parent} is not writable")


def run(args):
    started = time.time()
    t = Trainer(args)
    find_tool("bnbert-compile")  # fail before training
    check_runtime()
    # Under torchrun, rank 0 alone writes files; the others train with it
    # (bnbert/parallel.py) and skip every step marked `if main`.
    main = t.ranks.main
    if main:
        check_out(t.out)
        for d in (t.out, t.ckpt, t.out / "test"):  # what a killed run left half-written
            atomic.remove_stale(d)
    try:
        t.load_data()
    except RuntimeError as e:  # torch, sentencepiece: named by their message
        raise D.DataError(str(e).splitlines()[0]) from None
    if main:
        checkpoint.record_settings(t.ckpt / "settings.json", t.settings, args.resume)
    t.ranks.barrier()
    out = t.out
    report = {"shape": [args.eval_batch, args.seq],
              "trained_shape_range": [[1, args.eval_batch], [1, args.seq]],
              "labels": t.labels,
              "act_bits": args.act_bits, "attention_bits": t.attention_bits(args.act_bits),
              "granularity": args.granularity,
              "integer_nonlinear": args.integer_nonlinear,
              "config": t.config if args.source else t.config.to_dict(),
              "examples": {k: len(v["labels"]) for k, v in t.sets.items()},
              "test_accuracy": {}, "bundle_bytes": {},
              # "accuracy" against the labels, or without any test label,
              # "agreement_with_teacher" in its place (same keys).
              "test_metric": t.metric("test"), "dev_metric": t.metric("dev"),
              "labelled": {k: int((v["labels"] >= 0).sum()) for k, v in t.sets.items()},
              "pairs": t.pairs, "processes": t.ranks.world, "recipe": args.recipe}
    acc = report["test_accuracy"]
    stage = timer(report.setdefault("stage_minutes", {}))
    with stage("teacher"):
        if args.source:
            teacher, source = t.source_model, t.source_onnx
            if main:
                report["teacher_fidelity"] = t.check_fidelity(teacher)
        else:
            teacher, source = t.teacher(), out / "fp32.onnx"
            if main:
                t.export(teacher, source)
    if main:
        teacher_logits = (t.teacher_logits["test"] if args.source
                          else t.logits(teacher, "test"))
        acc["fp32"] = t.accuracy(teacher_logits, "test")
        t.log(f"fp32 teacher: test accuracy {acc['fp32']:.4f}")
    a = f"--act-bits={args.act_bits}"
    g = f"--granularity={args.granularity}"
    with stage("post_training"):
        post_training = (("fp32_bundle", ["--weights=fp32", "--act-bits=32"]),
                         ("ptq_int8", ["--weights=int8", a, g]),
                         ("ptq_ternary", ["--weights=ternary", a, g]),
                         ("ptq_binary", ["--weights=binary", a, g]),
                         ("ptq_tws", ["--weights=binary", "--split-ternary", a, g]))
        # 1-bit activations need a learned scale and threshold: no
        # post-training form.
        post_training = post_training[:1] if args.act_bits == 1 else post_training
        for name, flags in post_training if main else ():
            acc[name], _ = t.bundle_accuracy(source, out / f"{name}.bnb", flags)
            report["bundle_bytes"][name] = os.path.getsize(out / f"{name}.bnb")
            t.log(f"{name}: bundle test accuracy {acc[name]:.4f}")

    agreement = report["agreement"] = {}
    deployed_logits = {}  # the trained bundles' test logits, by name

    def deploy(name, model, stem):
        """Exports, compiles and evaluates a trained model; records its
        agreement with PyTorch's fake-quantized forward (rank 0)."""
        if not main:
            return
        t.export(model, out / f"{stem}.onnx")
        acc[name], got = t.bundle_accuracy(out / f"{stem}.onnx", out / f"{stem}.bnb",
                                           t.text_flags(), ranged=True)
        report["bundle_bytes"][name] = os.path.getsize(out / f"{stem}.bnb")
        deployed_logits[name] = got
        with exporting(model):
            ref = t.logits(model, "test").numpy()
        agreement[name] = {"argmax": float((got.argmax(-1) == ref.argmax(-1)).mean()),
                           "max_logit_diff": float(np.abs(got - ref).max()),
                           "logit_range": float(ref.max() - ref.min())}
        t.log(f"{name}: bundle test accuracy {acc[name]:.4f}, agreement with "
              f"PyTorch {agreement[name]['argmax']:.4f}")

    with stage("ternary"):
        ternary = t.student(teacher, "ternary")
        t.distill("ternary", ternary, teacher, args.epochs)
        deploy("ternary", ternary, "ternary")
    # Below 4 bits the binary model steps down from 8 (BiT's multi-step
    # distillation), each step deployed: W1A8, W1A4, W1A2, then W1A1.
    steps = [b for b in (4, 2, 1) if b >= args.act_bits] if args.act_bits < 4 else []
    variants = [(name, name) for name, _ in post_training] + [("ternary", "ternary")]
    with stage("binary"):
        tws_split(ternary)
        t.distill("binary", ternary, teacher, args.epochs)
        if args.finetune_epochs:  # after reconstruct: whole-model distillation
            t.distill("finetune", ternary, teacher, args.finetune_epochs, recipe="qat")
        name, stem = ("binary_a8", "model_a8") if steps else ("binary", "model")
        deploy(name, ternary, stem)
        variants.append((name, stem))
    for bits in steps:
        with stage(f"binary_a{bits}"):
            t.step_down(f"binary_a{bits}", ternary, bits)
            name, stem = (("binary", "model") if bits == args.act_bits
                          else (f"binary_a{bits}", f"model_a{bits}"))
            deploy(name, ternary, stem)
            variants.append((name, stem))
    if args.source and main:
        # The user's teacher: what the deployed model keeps of it.
        report["teacher_accuracy"] = acc["fp32_bundle"]
        report["quantized"] = t.quantized
        report["agreement_with_teacher"] = float(
            (deployed_logits["binary"].argmax(-1) == teacher_logits.numpy().argmax(-1)).mean())
        t.log(f"binary bundle agrees with the teacher on "
              f"{report['agreement_with_teacher']:.4f} of the test texts")
    elif not args.source and not steps:
        # The direct-binarization baseline of the from-scratch loop (at the
        # final activation bits only: below 4 it would need the steps too).
        with stage("bwn"):
            bwn = t.student(teacher, "binary")
            t.distill("bwn", bwn, teacher, 2 * args.epochs)
            deploy("bwn", bwn, "bwn")
        variants.append(("bwn", "bwn"))
    t.ranks.close()
    if not main:
        return 0
    with stage("benchmark"):
        report["latency_ms"] = {
            name: bench_bundle(out / f"{stem}.bnb", t.test_inputs(), args.eval_batch,
                               threads=1)["median_ms"]
            for name, stem in variants}
    report["agreement_with_torch"] = agreement["binary"]["argmax"]
    report["max_logit_diff"] = agreement["binary"]["max_logit_diff"]
    report["logit_range"] = agreement["binary"]["logit_range"]
    report["minutes"] = round((time.time() - started) / 60, 1)
    atomic.write_text(out / "report.json", json.dumps(report, indent=2) + "\n")
    t.log(f"agreement with PyTorch {report['agreement_with_torch']:.4f}, max |logit "
          f"difference| {report['max_logit_diff']:.3g} (logit range "
          f"{report['logit_range']:.3g}); report: {out / 'report.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
