"""CAM++ speaker embedding (3D-Speaker) wrapped as a pyannote.audio ``Model``.

The network follows the published 3D-Speaker CAM++ architecture: a small 2-D
convolutional front end (FCM) followed by a densely connected TDNN with
context-aware masking (CAM) layers, statistics pooling and a 192-dim
embedding layer. Parameter names match the released state dict exactly, so the
checkpoint loads with ``strict=True``.

Input features: 80-dim Kaldi fbank (25 ms / 10 ms, no dither), mean-normalised
over time. When pyannote passes frame ``weights`` (the speaker's activity in
the chunk), only that speaker's frames are pooled.

torch and pyannote are imported lazily so that importing this module costs
nothing.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from ..base.errors import ModelCorruptError, ModelMissingError
from ..base.offline import ensure_offline

EMBEDDING_DIM = 192
NUM_MEL_BINS = 80
SAMPLE_RATE = 16000

# (layers, kernel size, dilation) of the three dense TDNN blocks
_BLOCKS = ((12, 3, 1), (24, 3, 2), (16, 3, 2))
_GROWTH = 32
_BN_SIZE = 4
_INIT_CHANNELS = 128


def _import_torch() -> Any:
    import torch

    return torch


def _build_network() -> Any:
    """Build the bare CAM++ ``nn.Module`` (keys ``head.*`` and ``xvector.*``)."""
    import torch
    import torch.nn.functional as F
    from torch import nn

    def bn_relu(channels: int, affine: bool = True, relu: bool = True) -> Any:
        seq = nn.Sequential()
        seq.add_module("batchnorm", nn.BatchNorm1d(channels, affine=affine))
        if relu:
            seq.add_module("relu", nn.ReLU(inplace=True))
        return seq

    class ResBlock(nn.Module):
        def __init__(self, in_planes: int, planes: int, stride: int) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(in_planes, planes, 3, stride=(stride, 1), padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(planes)
            self.conv2 = nn.Conv2d(planes, planes, 3, stride=1, padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(planes)
            self.shortcut = nn.Sequential()
            if stride != 1 or in_planes != planes:
                self.shortcut = nn.Sequential(
                    nn.Conv2d(in_planes, planes, 1, stride=(stride, 1), bias=False),
                    nn.BatchNorm2d(planes),
                )

        def forward(self, x: Any) -> Any:
            out = F.relu(self.bn1(self.conv1(x)))
            out = self.bn2(self.conv2(out))
            return F.relu(out + self.shortcut(x))

    class FCM(nn.Module):
        """2-D conv front end: (B, F, T) -> (B, 32 * F / 8, T)."""

        def __init__(self, channels: int = 32, feat_dim: int = NUM_MEL_BINS) -> None:
            super().__init__()
            self.conv1 = nn.Conv2d(1, channels, 3, stride=1, padding=1, bias=False)
            self.bn1 = nn.BatchNorm2d(channels)
            self.layer1 = nn.Sequential(ResBlock(channels, channels, 2), ResBlock(channels, channels, 1))
            self.layer2 = nn.Sequential(ResBlock(channels, channels, 2), ResBlock(channels, channels, 1))
            self.conv2 = nn.Conv2d(channels, channels, 3, stride=(2, 1), padding=1, bias=False)
            self.bn2 = nn.BatchNorm2d(channels)
            self.out_channels = channels * (feat_dim // 8)

        def forward(self, x: Any) -> Any:
            out = F.relu(self.bn1(self.conv1(x.unsqueeze(1))))
            out = self.layer2(self.layer1(out))
            out = F.relu(self.bn2(self.conv2(out)))
            b, c, f, t = out.shape
            return out.reshape(b, c * f, t)

    class TDNN(nn.Module):
        def __init__(self, in_ch: int, out_ch: int, kernel: int, stride: int) -> None:
            super().__init__()
            self.linear = nn.Conv1d(in_ch, out_ch, kernel, stride=stride, padding=kernel // 2, bias=False)
            self.nonlinear = bn_relu(out_ch)

        def forward(self, x: Any) -> Any:
            return self.nonlinear(self.linear(x))

    class CAM(nn.Module):
        """Local conv output scaled by a mask from global + 100-frame segment context."""

        def __init__(self, bn_ch: int, out_ch: int, kernel: int, dilation: int, seg_len: int = 100) -> None:
            super().__init__()
            pad = (kernel - 1) // 2 * dilation
            self.linear_local = nn.Conv1d(bn_ch, out_ch, kernel, padding=pad, dilation=dilation, bias=False)
            self.linear1 = nn.Conv1d(bn_ch, bn_ch // 2, 1)
            self.relu = nn.ReLU(inplace=True)
            self.linear2 = nn.Conv1d(bn_ch // 2, out_ch, 1)
            self.seg_len = seg_len

        def forward(self, x: Any) -> Any:
            y = self.linear_local(x)
            seg = F.avg_pool1d(x, kernel_size=self.seg_len, stride=self.seg_len, ceil_mode=True)
            seg = seg.repeat_interleave(self.seg_len, dim=-1)[..., : x.shape[-1]]
            context = x.mean(-1, keepdim=True) + seg
            mask = torch.sigmoid(self.linear2(self.relu(self.linear1(context))))
            return y * mask

    class DenseLayer(nn.Module):
        def __init__(self, in_ch: int, kernel: int, dilation: int) -> None:
            super().__init__()
            bn_ch = _BN_SIZE * _GROWTH
            self.nonlinear1 = bn_relu(in_ch)
            self.linear1 = nn.Conv1d(in_ch, bn_ch, 1, bias=False)
            self.nonlinear2 = bn_relu(bn_ch)
            self.cam_layer = CAM(bn_ch, _GROWTH, kernel, dilation)

        def forward(self, x: Any) -> Any:
            return self.cam_layer(self.nonlinear2(self.linear1(self.nonlinear1(x))))

    class DenseBlock(nn.ModuleList):
        def __init__(self, layers: int, in_ch: int, kernel: int, dilation: int) -> None:
            super().__init__()
            for i in range(layers):
                self.add_module(f"tdnnd{i + 1}", DenseLayer(in_ch + i * _GROWTH, kernel, dilation))

        def forward(self, x: Any) -> Any:
            for layer in self:
                x = torch.cat([x, layer(x)], dim=1)
            return x

    class Transit(nn.Module):
        def __init__(self, in_ch: int, out_ch: int) -> None:
            super().__init__()
            self.nonlinear = bn_relu(in_ch)
            self.linear = nn.Conv1d(in_ch, out_ch, 1, bias=False)

        def forward(self, x: Any) -> Any:
            return self.linear(self.nonlinear(x))

    class Dense(nn.Module):
        """Final 1x1 conv + non-affine batch norm (no ReLU)."""

        def __init__(self, in_ch: int, out_ch: int) -> None:
            super().__init__()
            self.linear = nn.Conv1d(in_ch, out_ch, 1, bias=False)
            self.nonlinear = bn_relu(out_ch, affine=False, relu=False)

        def forward(self, x: Any) -> Any:
            return self.nonlinear(self.linear(x.unsqueeze(-1))).squeeze(-1)

    class Trunk(nn.Module):
        """Everything up to (excluding) statistics pooling, then the embedding layer."""

        def __init__(self) -> None:
            super().__init__()
            self.tdnn = TDNN(32 * (NUM_MEL_BINS // 8), _INIT_CHANNELS, 5, stride=2)
            channels = _INIT_CHANNELS
            for i, (layers, kernel, dilation) in enumerate(_BLOCKS, start=1):
                self.add_module(f"block{i}", DenseBlock(layers, channels, kernel, dilation))
                channels += layers * _GROWTH
                self.add_module(f"transit{i}", Transit(channels, channels // 2))
                channels //= 2
            self.out_nonlinear = bn_relu(channels)
            self.dense = Dense(channels * 2, EMBEDDING_DIM)

        def frames(self, x: Any) -> Any:
            x = self.tdnn(x)
            for i in range(1, len(_BLOCKS) + 1):
                x = getattr(self, f"transit{i}")(getattr(self, f"block{i}")(x))
            return self.out_nonlinear(x)

    class CAMPPlus(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.head = FCM()
            self.xvector = Trunk()

        def forward(self, feats: Any, weights: Any = None) -> Any:
            """feats: (B, T, 80) -> (B, 192)."""
            frames = self.xvector.frames(self.head(feats.transpose(1, 2)))
            return self.xvector.dense(_stats_pool(frames, weights))

    return CAMPPlus()


def _stats_pool(frames: Any, weights: Any | None) -> Any:
    """Mean and unbiased std over time; weighted by (B, T') weights when given."""
    torch = _import_torch()
    if weights is None:
        return torch.cat([frames.mean(dim=-1), frames.std(dim=-1, correction=1)], dim=-1)
    w = weights.to(frames.dtype)
    if w.shape[-1] != frames.shape[-1]:
        w = torch.nn.functional.interpolate(w.unsqueeze(1), size=frames.shape[-1], mode="nearest")
        w = w.squeeze(1)
    w = w.unsqueeze(1)  # (B, 1, T)
    v1 = w.sum(dim=2) + 1e-8
    mean = (frames * w).sum(dim=2) / v1
    v2 = (w * w).sum(dim=2)
    var = ((frames - mean.unsqueeze(2)) ** 2 * w).sum(dim=2) / (v1 - v2 / v1 + 1e-8)
    return torch.cat([mean, var.clamp_min(0.0).sqrt()], dim=-1)


def _model_class() -> type:
    """Create (once) the pyannote ``Model`` subclass; needs pyannote at call time."""
    global _CAMPP_MODEL_CLASS
    if _CAMPP_MODEL_CLASS is not None:
        return _CAMPP_MODEL_CLASS
    ensure_offline()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchcodec cannot load here: we only pass in-memory audio
        from pyannote.audio import Model

    torch = _import_torch()

    class CamppEmbedding(Model):
        """CAM++ as a pyannote embedding model: forward(waveforms, weights) -> (B, 192)."""

        def __init__(self, sample_rate: int = SAMPLE_RATE, num_channels: int = 1) -> None:
            super().__init__(sample_rate=sample_rate, num_channels=num_channels, task=None)
            self.campp = _build_network()

        @property
        def dimension(self) -> int:
            return EMBEDDING_DIM

        def compute_fbank(self, waveforms: Any) -> Any:
            """(B, 1, N) float waveforms -> (B, T, 80) mean-normalised fbank."""
            from torchaudio.compliance import kaldi

            feats = [
                kaldi.fbank(
                    wav,
                    num_mel_bins=NUM_MEL_BINS,
                    sample_frequency=int(self.hparams["sample_rate"]),
                    frame_length=25.0,
                    frame_shift=10.0,
                    dither=0.0,
                )
                for wav in waveforms[:, :1, :]
            ]
            fbank = torch.stack(feats)
            return fbank - fbank.mean(dim=1, keepdim=True)

        def forward(self, waveforms: Any, weights: Any | None = None) -> Any:  # type: ignore[override]
            """(B, 1, N) waveforms, optional (B, frames) weights -> (B, 192) embeddings.

            pyannote sends each chunk once per local speaker, so consecutive
            identical waveforms share one pass through the network; items whose
            weights are all zero (speaker silent in the chunk) get NaN, which
            pyannote's clustering filters out.
            """
            if weights is None:
                return self.campp(self.compute_fbank(waveforms))
            batch = waveforms.shape[0]
            group: list[int] = []  # item -> index of its unique waveform
            firsts: list[int] = []
            for i in range(batch):
                if not firsts or not torch.equal(waveforms[i], waveforms[firsts[-1]]):
                    firsts.append(i)
                group.append(len(firsts) - 1)
            active = weights.reshape(batch, -1).sum(dim=-1) > 0
            needed = sorted({group[i] for i in range(batch) if bool(active[i])})
            out = torch.full(
                (batch, EMBEDDING_DIM), float("nan"), dtype=waveforms.dtype, device=waveforms.device
            )
            if not needed:
                return out
            fbank = self.compute_fbank(waveforms[[firsts[g] for g in needed]])
            frames = self.campp.xvector.frames(self.campp.head(fbank.transpose(1, 2)))
            row = {g: k for k, g in enumerate(needed)}
            items = [i for i in range(batch) if bool(active[i])]
            pooled = _stats_pool(frames[[row[group[i]] for i in items]], weights[items])
            out[items] = self.campp.xvector.dense(pooled).to(out.dtype)
            return out

    _CAMPP_MODEL_CLASS = CamppEmbedding
    return CamppEmbedding


_CAMPP_MODEL_CLASS: type | None = None


def find_campp_checkpoint(folder: Path) -> Path | None:
    """The CAM++ state dict in ``folder`` (``campplus*.pt``), if there is exactly one."""
    if not folder.is_dir():
        return None
    found = sorted(folder.glob("campplus*.pt"))
    return found[0] if found else None


def load_campp(path: Path) -> Any:
    """Load the CAM++ state dict at ``path`` into a pyannote ``Model`` (eval mode)."""
    if path.is_dir():
        checkpoint = find_campp_checkpoint(path)
        if checkpoint is None:
            raise ModelMissingError(
                f"Im Ordner „{path}“ fehlt das Sprechermerkmal-Modell (campplus*.pt). "
                "Bitte das Sprechererkennungsmodell neu installieren."
            )
        path = checkpoint
    if not path.is_file():
        raise ModelMissingError(
            f"Das Sprechermerkmal-Modell „{path}“ fehlt. Bitte das Sprechererkennungsmodell neu installieren."
        )
    torch = _import_torch()
    model = _model_class()()
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        if isinstance(state, dict) and "state_dict" in state:
            state = state["state_dict"]
        model.campp.load_state_dict(state, strict=True)
    except Exception as exc:  # unpickling errors, wrong keys or shapes
        raise ModelCorruptError(
            f"Das Sprechermerkmal-Modell „{path}“ ist beschädigt oder passt nicht "
            f"(CAM++ erwartet). Bitte das Modell neu installieren. ({type(exc).__name__})"
        ) from exc
    model.eval()
    return model
