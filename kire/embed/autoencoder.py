"""The attribute AutoEncoder of eq. 7: a BiLSTM encoder and a BiLSTM decoder.

Shapes: N sequences, M tokens (a batch is padded to its longest sequence), d the LP dimension,
h the hidden size per direction (50 in the paper), so a code q is 2h = 100-d. V is the size of
the reconstruction vocabulary.

The encoder reads the LP vectors (eq. 6) of q = [a; v] and returns the concatenation of its
last forward and last backward hidden states. The decoder, a BiLSTM too, reads the code repeated
at each of the M positions and predicts each position's token; trained with cross-entropy
(reconstruction), it forces the code to keep the attribute's content. Its output layer is tied to
the frozen LP vectors of the output vocabulary (a position's logits are the dot products of a
projected decoder state with those vectors, plus a bias), so the decoder only has to rebuild
each token's embedding and a token seen a few times is as easy as a frequent one. Only the
encoder is used after pretraining, frozen.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence


def _run_lstm(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor | None):
    """Run ``lstm`` on ``x`` [N, M, in]; pack when lengths differ so padding is never read."""
    if lengths is None or bool((lengths == x.shape[1]).all()):
        return lstm(x)
    packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
    out, state = lstm(packed)
    out, _ = pad_packed_sequence(out, batch_first=True, total_length=x.shape[1])
    return out, state


class AttributeEncoder(nn.Module):
    """BiLSTM encoder: LP vectors [N, M, d] (+ lengths [N]) -> codes q [N, 2h] (eq. 7)."""

    def __init__(self, dim: int, hidden: int = 50):
        super().__init__()
        self.dim, self.hidden = dim, hidden
        self.lstm = nn.LSTM(dim, hidden, batch_first=True, bidirectional=True)

    @property
    def code_dim(self) -> int:
        """2h, the size of a code."""
        return 2 * self.hidden

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        _, (h_n, _) = _run_lstm(self.lstm, x, lengths)  # h_n [2, N, h]: forward, backward
        return torch.cat([h_n[0], h_n[1]], dim=-1)


class AttributeDecoder(nn.Module):
    """BiLSTM decoder: codes q [N, 2h] and a length M -> token logits [N, M, V].

    ``vocab_vectors`` [V, d] are the frozen LP vectors of the output vocabulary (the output
    layer's weights, tied; row 0, ``<unk>``, is zeros and scored by its bias alone).
    """

    def __init__(self, hidden: int, vocab_vectors: torch.Tensor):
        super().__init__()
        self.lstm = nn.LSTM(2 * hidden, hidden, batch_first=True, bidirectional=True)
        self.proj = nn.Linear(2 * hidden, vocab_vectors.shape[1])
        self.register_buffer("vocab_vectors", vocab_vectors.float().clone())
        self.bias = nn.Parameter(torch.zeros(vocab_vectors.shape[0]))

    def forward(self, q: torch.Tensor, max_len: int,
                lengths: torch.Tensor | None = None) -> torch.Tensor:
        steps = q.unsqueeze(1).expand(-1, max_len, -1).contiguous()
        out, _ = _run_lstm(self.lstm, steps, lengths)
        return self.proj(out) @ self.vocab_vectors.T + self.bias


class AttributeAutoEncoder(nn.Module):
    """Encoder + decoder: LP vectors [N, M, d] (+ lengths [N]) -> logits [N, M, V].

    ``vocab_vectors`` [V, d]: LP vectors of the reconstruction vocabulary (see AttributeDecoder).
    """

    def __init__(self, dim: int, hidden: int, vocab_vectors: torch.Tensor):
        super().__init__()
        self.encoder = AttributeEncoder(dim, hidden)
        self.decoder = AttributeDecoder(hidden, vocab_vectors)
        self.vocab_size = int(vocab_vectors.shape[0])

    def forward(self, x: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        return self.decoder(self.encoder(x, lengths), x.shape[1], lengths)


ENCODER_WEIGHTS = "encoder.safetensors"
ENCODER_CONFIG = "encoder.json"


def save_encoder(encoder: AttributeEncoder, out_dir: Path, extra: dict | None = None) -> None:
    """Write ``encoder.safetensors`` (weights) and ``encoder.json`` ({dim, hidden, ...extra})
    into ``out_dir`` (a folder the caller writes atomically)."""
    from safetensors.torch import save_file

    state = {k: v.detach().cpu().contiguous() for k, v in encoder.state_dict().items()}
    save_file(state, str(Path(out_dir) / ENCODER_WEIGHTS))
    meta = {"dim": encoder.dim, "hidden": encoder.hidden, **(extra or {})}
    (Path(out_dir) / ENCODER_CONFIG).write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


def load_encoder(model_dir: str | Path) -> AttributeEncoder:
    """Return the frozen (eval mode, no gradients) encoder saved by :func:`save_encoder`."""
    from safetensors.torch import load_file

    from kire.errors import InputError

    model_dir = Path(model_dir)
    for name in (ENCODER_WEIGHTS, ENCODER_CONFIG):
        if not (model_dir / name).is_file():
            raise InputError(str(model_dir / name), None, None, "file not found")
    meta = json.loads((model_dir / ENCODER_CONFIG).read_text(encoding="utf-8"))
    encoder = AttributeEncoder(int(meta["dim"]), int(meta["hidden"]))
    encoder.load_state_dict(load_file(str(model_dir / ENCODER_WEIGHTS)))
    encoder.eval()
    for p in encoder.parameters():
        p.requires_grad_(False)
    return encoder
