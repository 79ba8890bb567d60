# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
"""Block reconstruction (`--recipe reconstruct`), after BRECQ: every block
of the quantized student runs on the teacher's input to that block and
learns - its weights' latent values, scales and activation clips - to
reproduce the teacher's output of it: MSE over the real (unmasked)
tokens, the attention scores the same way, and the classifier on the
teacher's last hidden state by soft cross-entropy. A block is an encoder
layer of the trainer's own model, or for a model from `--from` the ops
between two layer norms (the embeddings, an attention or a feed-forward
sub-layer). No labels are used.

Since every block's input is the teacher's, the blocks' losses share no
parameter: optimizing their sum trains each block exactly as training
them one after another would, in one pass over the data instead of one
per block."""
from torch.nn import functional as F

from .distill import Distiller, _masked, soft_cross_entropy


def token_mse(student, teacher, mask):
    """MSE over the tokens `mask` ([batch, sequence], nonzero on real
    tokens) marks, when the hidden states are [batch, sequence, ...];
    over everything otherwise."""
    if mask is None or tuple(student.shape[:2]) != tuple(mask.shape):
        return F.mse_loss(student, teacher)
    real = mask != 0
    return F.mse_loss(student[real], teacher[real])


class Reconstructor(Distiller):
    """loss(inputs) -> (total, parts) of block reconstruction; a Distiller
    (its recorders, the frozen teacher) with another loss. Labels are
    accepted and unused."""

    def __init__(self, student, teacher, attention=1.0, logits=1.0):
        super().__init__(student, teacher, logits=logits, hidden=1.0, attention=attention,
                         hard=0.0)

    def loss(self, inputs, labels=None, student=None):
        """(total, parts) on the batch; `student` as in forward_both."""
        t, t_logits, s, s_logits = self.forward_both(inputs, student, forced=True)
        mask = inputs.get("attention_mask")
        parts = {"hidden": sum(token_mse(a, b, mask) for a, b in zip(s.hidden, t.hidden)),
                 "logits": soft_cross_entropy(s_logits, t_logits)}
        if self.weights["attention"] and s.scores:
            parts["attention"] = sum(F.mse_loss(_masked(a), _masked(b))
                                     for a, b in zip(s.scores, t.scores))
        total = sum(self.weights[k] * v for k, v in parts.items())
        return total, {k: float(v) for k, v in parts.items()}
