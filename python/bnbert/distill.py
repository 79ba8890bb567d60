# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Knowledge distillation from the float teacher (TernaryBERT / BinaryBERT):
soft cross-entropy on the logits, MSE on every encoder layer's hidden
states and on every layer's attention scores (the softmax inputs, masked
keys set to 0 as the authors do)."""
import contextlib

import torch
from torch import nn
from torch.nn import functional as F

from .modules import attention_modules, tap_attention


def encoder_layers(model):
    """The encoder's layers: the longest nn.ModuleList in the model."""
    lists = [m for m in model.modules() if isinstance(m, nn.ModuleList)]
    if not lists:
        raise ValueError("distillation needs the encoder layers as an nn.ModuleList")
    return max(lists, key=len)


class Recorder:
    """Collects, during one forward, each encoder layer's output and each
    attention module's scores. Inside `forcing(values)`, each recorded
    output is then replaced by values[i], so every layer runs on another
    model's input to it (block reconstruction)."""

    def __init__(self, model):
        self.hidden, self.scores, self.active = [], [], False
        self.forced = None
        self.model = model
        # A bnbert.graph.GraphModel records its layer norms' outputs and its
        # attention scores itself (found by structure); other modules are
        # hooked.
        self.native = hasattr(model, "taps")
        self.attention, self.handles = [], []
        if self.native:
            return
        self.handles = [layer.register_forward_hook(self._layer_hook)
                        for layer in encoder_layers(model)]
        tap_attention(model)
        self.attention = attention_modules(model)

    def close(self):
        """Unhooks the model and drops what was recorded (the model can
        then be copied: recorded tensors are not leaves)."""
        for handle in self.handles:
            handle.remove()
        self.handles, self.hidden, self.scores = [], [], []

    def _layer_hook(self, module, args, output):
        if not self.active:
            return None
        self.hidden.append(output[0] if isinstance(output, tuple) else output)
        if self.forced is None:
            return None
        value = self.forced[len(self.hidden) - 1]
        return (value,) + tuple(output[1:]) if isinstance(output, tuple) else value

    @contextlib.contextmanager
    def forcing(self, values):
        """Records as `with recorder` does, each layer's output replaced by
        the matching one of `values` for the layers after it."""
        self.forced = values
        try:
            with self as recorded:
                yield recorded
        finally:
            self.forced = None

    def __enter__(self):
        self.hidden, self.scores, self.active = [], [], True
        if self.native:
            self.model.taps = (self.hidden, self.scores, self.forced)
        for module in self.attention:
            module._bnbert_scores = self.scores
        return self

    def __exit__(self, *exc):
        self.active = False
        if self.native:
            self.model.taps = None
        for module in self.attention:
            module._bnbert_scores = None


def soft_cross_entropy(student, teacher, temperature=1.0):
    t = F.softmax(teacher / temperature, dim=-1)
    return -(t * F.log_softmax(student / temperature, dim=-1)).sum(-1).mean()


def _masked(scores):
    return torch.where(scores <= -1e2, torch.zeros_like(scores), scores)


class Distiller:
    """loss(batch) runs student and teacher on the batch (a dict of model
    inputs) and returns (total, parts). Weights: logits, hidden, attention;
    `hard` adds cross-entropy on the labels when given (1.0 by default, as
    python3 -m bnbert.train uses it; a label < 0 means none)."""

    def __init__(self, student, teacher, logits=1.0, hidden=1.0, attention=1.0,
                 hard=1.0, temperature=1.0):
        self.student, self.teacher = student, teacher
        self.weights = {"logits": logits, "hidden": hidden,
                        "attention": attention, "hard": hard}
        self.temperature = temperature
        self.student_rec = Recorder(student)
        self.teacher_rec = Recorder(teacher)
        teacher.eval()
        for p in teacher.parameters():
            p.requires_grad_(False)

    def close(self):
        """Unhooks both models (Recorder.close)."""
        self.student_rec.close()
        self.teacher_rec.close()

    def forward_both(self, inputs, student=None, forced=False):
        """Teacher, then student, on the batch, both recorded: (teacher
        record, teacher logits, student record, student logits). `student`:
        the module to run the student through, when it is not the student
        itself (a DistributedDataParallel over it); `forced`: each student
        layer runs on the teacher's input to it (Recorder.forcing)."""
        with torch.no_grad(), self.teacher_rec as t:
            t_logits = self.teacher(**inputs)
        recording = (self.student_rec.forcing([h.detach() for h in t.hidden]) if forced
                     else self.student_rec)
        with recording as s:
            s_logits = (student or self.student)(**inputs)
        if len(s.hidden) != len(t.hidden) or len(s.scores) != len(t.scores):
            raise ValueError("student and teacher differ in depth")
        return t, t_logits, s, s_logits

    def loss(self, inputs, labels=None, student=None):
        """(total, parts) on the batch; `student` as in forward_both."""
        t, t_logits, s, s_logits = self.forward_both(inputs, student)
        parts = {"logits": soft_cross_entropy(s_logits, t_logits, self.temperature)}
        if self.weights["hidden"]:
            parts["hidden"] = sum(F.mse_loss(a, b) for a, b in zip(s.hidden, t.hidden))
        if self.weights["attention"]:
            parts["attention"] = sum(F.mse_loss(_masked(a), _masked(b))
                                     for a, b in zip(s.scores, t.scores))
        known = labels >= 0 if labels is not None else None  # lines may lack one
        if self.weights["hard"] and known is not None and bool(known.any()):
            parts["hard"] = F.cross_entropy(s_logits[known], labels[known])
        total = sum(self.weights[k] * v for k, v in parts.items())
        return total, {k: float(v) for k, v in parts.items()}
