"""musicnn in PyTorch: the network of Pons & Serra (2019), weights from its TF checkpoints.

Faithful to musicnn 0.1.0's `models.build_musicnn` (see
shared/research/stack-notes.md for what must be reproduced):
- input: (batch, 187 frames, 96 mels) log-mel patches;
- batch norm uses the moving statistics with TF's epsilon 1e-3;
- timbral branch: time padded by 3 then 'valid' convs (7x38, 7x67), max over frequency;
- temporal branch: TF 'same' convs (128x1, 64x1, 32x1), padding (k-1)//2 before;
- mid-end: three 7-tap convs across all features with residual connections;
- back-end: max and mean over time, interleaved, then dense 200 and dense 50.
Everything runs in float32 (the original's float16 cast overflows on loud input).
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

N_MELS = 96
PATCH_FRAMES = 187
BN_EPS = 1e-3


class _BatchNorm(nn.Module):
    """Inference-only batch norm holding TF's (gamma, beta, mean, variance)."""

    def __init__(self, channels: int):
        super().__init__()
        for name in ("gamma", "beta", "moving_mean", "moving_variance"):
            self.register_buffer(name, torch.zeros(channels))

    def scale_shift(self) -> tuple[torch.Tensor, torch.Tensor]:
        scale = self.gamma / torch.sqrt(self.moving_variance + BN_EPS)
        return scale, self.beta - self.moving_mean * scale

    def forward(self, x: torch.Tensor, channel_dim: int) -> torch.Tensor:
        shape = [1] * x.dim()
        shape[channel_dim] = -1
        scale, shift = self.scale_shift()
        return x * scale.view(shape) + shift.view(shape)

    def max_over_last_after_relu(self, x: torch.Tensor) -> torch.Tensor:
        """max_f BN(relu(x)) over the last axis of (B, C, T, F), without touching x three times.

        BN is a per-channel affine map a*v + b and relu is monotonic, so the max
        is a*relu(max_f x) + b where a >= 0 and a*relu(min_f x) + b where a < 0.
        Exact, and it saves two full passes over the largest tensors.
        """
        low, high = torch.aminmax(x, dim=3)
        scale, shift = self.scale_shift()
        picked = torch.where((scale >= 0).view(1, -1, 1), high, low).clamp_min_(0)
        return picked * scale.view(1, -1, 1) + shift.view(1, -1, 1)


class MusicnnNet(nn.Module):
    """The musicnn tagger. `forward` returns (logits, penultimate)."""

    def __init__(self, num_classes: int = 50, midend_filters: int = 64, backend_units: int = 200):
        super().__init__()
        timbral_filters, temporal_filters = int(1.6 * 128), int(1.6 * 32)
        self.input_bn = _BatchNorm(1)
        # front-end: (out channels, kernel time, kernel freq)
        self.timbral_kernels = [(7, int(0.4 * N_MELS)), (7, int(0.7 * N_MELS))]
        self.temporal_kernels = [(128, 1), (64, 1), (32, 1)]
        self.front_convs = nn.ModuleList(
            [nn.Conv2d(1, timbral_filters, k) for k in self.timbral_kernels]
            + [nn.Conv2d(1, temporal_filters, k) for k in self.temporal_kernels]
        )
        self.front_bns = nn.ModuleList(
            [_BatchNorm(timbral_filters) for _ in self.timbral_kernels]
            + [_BatchNorm(temporal_filters) for _ in self.temporal_kernels]
        )
        front_channels = 2 * timbral_filters + 3 * temporal_filters  # 561
        self.mid_convs = nn.ModuleList(
            [
                nn.Conv1d(front_channels, midend_filters, 7),
                nn.Conv1d(midend_filters, midend_filters, 7),
                nn.Conv1d(midend_filters, midend_filters, 7),
            ]
        )
        self.mid_bns = nn.ModuleList([_BatchNorm(midend_filters) for _ in range(3)])
        pooled = 2 * (front_channels + 3 * midend_filters)  # 1506
        self.pool_bn = _BatchNorm(pooled)
        self.dense = nn.Linear(pooled, backend_units)
        self.dense_bn = _BatchNorm(backend_units)
        self.output = nn.Linear(backend_units, num_classes)

    def forward(self, patches: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        # patches: (B, T, F) -> NCHW with H = time, W = frequency
        x = self.input_bn(patches.unsqueeze(1), channel_dim=1)
        front = []
        for i, conv in enumerate(self.front_convs):
            kt = conv.kernel_size[0]
            if i < len(self.timbral_kernels):
                padded = F.pad(x, (0, 0, 3, 3))  # time only, then 'valid'
            else:
                before = (kt - 1) // 2  # TF 'same' for even kernels
                padded = F.pad(x, (0, 0, before, kt - 1 - before))
            # relu, batch norm, then max over frequency -> (B, C, T)
            front.append(self.front_bns[i].max_over_last_after_relu(conv(padded)))
        features = torch.cat(front, dim=1)  # (B, 561, T)

        mid = [features]
        h = features
        for i, conv in enumerate(self.mid_convs):
            y = self.mid_bns[i](F.relu(conv(F.pad(h, (3, 3)))), channel_dim=1)
            h = y if i == 0 else y + h
            mid.append(h)
        stacked = torch.cat(mid, dim=1)  # (B, 753, T)

        pooled = torch.stack([stacked.amax(dim=2), stacked.mean(dim=2)], dim=2).flatten(1)
        pooled = self.pool_bn(pooled, channel_dim=1)
        penultimate = self.dense_bn(F.relu(self.dense(pooled)), channel_dim=1)
        return self.output(penultimate), penultimate


def _checkpoint_order() -> list[str]:
    """TF layer names in creation order: conv2d, conv2d_1, ... (as models.py builds them)."""
    return ["conv2d"] + [f"conv2d_{i}" for i in range(1, 8)]


def load_musicnn_weights(net: MusicnnNet, tensors: dict[str, np.ndarray]) -> None:
    """Copy TF checkpoint tensors into `net`; fails loudly if any is missing."""
    # Names may carry a 'model/' scope; index by the part after it.
    by_name = {k.split("model/", 1)[-1]: v for k, v in tensors.items()}

    def take(name: str) -> torch.Tensor:
        if name not in by_name:
            raise KeyError(f"checkpoint has no tensor {name!r}")
        return torch.from_numpy(np.ascontiguousarray(by_name[name]))

    def set_bn(bn: _BatchNorm, index: int) -> None:
        prefix = "batch_normalization" + ("" if index == 0 else f"_{index}")
        for field in ("gamma", "beta", "moving_mean", "moving_variance"):
            getattr(bn, field).copy_(take(f"{prefix}/{field}"))

    convs = _checkpoint_order()
    with torch.no_grad():
        set_bn(net.input_bn, 0)
        for i, conv in enumerate(net.front_convs):  # HWIO -> OIHW
            conv.weight.copy_(take(f"{convs[i]}/kernel").permute(3, 2, 0, 1))
            conv.bias.copy_(take(f"{convs[i]}/bias"))
            set_bn(net.front_bns[i], i + 1)
        for j, conv in enumerate(net.mid_convs):  # (7, W, 1, O) -> (O, W, 7)
            kernel = take(f"{convs[5 + j]}/kernel")[:, :, 0, :]
            conv.weight.copy_(kernel.permute(2, 1, 0))
            conv.bias.copy_(take(f"{convs[5 + j]}/bias"))
            set_bn(net.mid_bns[j], 6 + j)
        set_bn(net.pool_bn, 9)
        net.dense.weight.copy_(take("dense/kernel").T)
        net.dense.bias.copy_(take("dense/bias"))
        set_bn(net.dense_bn, 10)
        net.output.weight.copy_(take("dense_1/kernel").T)
        net.output.bias.copy_(take("dense_1/bias"))
