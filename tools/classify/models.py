"""The trainable models, all taking a (batch, time steps, dims) feature sequence.

  head       dense 128 + ReLU + output on the mean musicnn embedding (fast on a CPU)
  resnet50   \
  googlenet   > torchvision's ImageNet architectures on log-mel "images" (mono repeated to 3 channels)
  vgg16      /
  ast        the Audio Spectrogram Transformer (transformers), from a small config offline,
             or pretrained (e.g. MIT/ast-finetuned-audioset-10-10-0.4593) when its weights are local

`build_model(name, n_labels, options)` returns a `LabelModel` and the options
that rebuild it from a checkpoint without the pretrained source.
"""

from __future__ import annotations

from pathlib import Path

import torch
from torch import Tensor, nn

from tools.classify.architectures import ARCHITECTURES, IMAGENET_FILES
from tools.classify.names import MODELS
from tools.errors import ModelMissingError, TastemakerError

FEATURE_KIND = {"head": "embedding", "resnet50": "logmel", "googlenet": "logmel", "vgg16": "logmel", "ast": "fbank"}
CNN_CROP_FRAMES = 187  # 3 s of musicnn-style log-mel frames
HEAD_CROP_PATCHES = 3  # ~5 s of overlapping 3 s embedding patches
AST_PRETRAINED = "MIT/ast-finetuned-audioset-10-10-0.4593"
AST_SMALL = {"hidden_size": 128, "num_hidden_layers": 4, "num_attention_heads": 4, "intermediate_size": 256,
             "num_mel_bins": 64, "max_length": 300}
AUX_WEIGHT = 0.3  # GoogLeNet's auxiliary classifiers, as in its paper and torchvision's recipe


class LabelModel(nn.Module):
    """Common face: logits(x), training_logits(x) [(weight, logits)], and the last layer (for embeddings)."""

    crop: int  # time steps per training crop / inference window (0: the whole sequence)

    def training_logits(self, x: Tensor) -> list[tuple[float, Tensor]]:
        return [(1.0, self(x))]

    def final_layer(self) -> nn.Linear:
        raise NotImplementedError


class HeadModel(LabelModel):
    def __init__(self, n_labels: int, input_dim: int = 200, hidden: int = 128):
        super().__init__()
        self.crop = HEAD_CROP_PATCHES
        self.hidden = nn.Linear(input_dim, hidden)
        self.relu = nn.ReLU()
        self.out = nn.Linear(hidden, n_labels)

    def forward(self, x: Tensor) -> Tensor:
        return self.out(self.relu(self.hidden(x.mean(dim=1))))

    def final_layer(self) -> nn.Linear:
        return self.out


class SpectrogramCNN(LabelModel):
    def __init__(self, arch: str, n_labels: int, crop: int = CNN_CROP_FRAMES):
        super().__init__()
        self.arch = arch
        self.crop = crop
        self.net = ARCHITECTURES[arch](num_classes=n_labels)

    @staticmethod
    def image(x: Tensor) -> Tensor:
        # (B, T, mels) -> (B, 3, mels, T): frequency up the image, time across it, as in the literature.
        return x.transpose(1, 2).unsqueeze(1).expand(-1, 3, -1, -1).contiguous()

    def forward(self, x: Tensor) -> Tensor:
        out = self.net(self.image(x))
        return out[0] if isinstance(out, tuple) else out

    def training_logits(self, x: Tensor) -> list[tuple[float, Tensor]]:
        out = self.net(self.image(x))
        if isinstance(out, tuple):  # GoogLeNet in training mode: (logits, aux2, aux1)
            return [(1.0, out[0]), (AUX_WEIGHT, out[1]), (AUX_WEIGHT, out[2])]
        return [(1.0, out)]

    def final_layer(self) -> nn.Linear:
        return self.net.classifier[-1] if self.arch == "vgg16" else self.net.fc

    def load_imagenet(self, path: Path) -> None:
        state = torch.load(path, map_location="cpu", weights_only=True)
        own = self.net.state_dict()
        keep = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}  # new output layers
        self.net.load_state_dict(keep, strict=False)


class ASTModel(LabelModel):
    def __init__(self, config_dict: dict):
        super().__init__()
        from transformers import ASTConfig, ASTForAudioClassification

        self.config_dict = config_dict
        self.net = ASTForAudioClassification(ASTConfig.from_dict(config_dict))
        self.crop = int(config_dict["max_length"])

    def forward(self, x: Tensor) -> Tensor:
        return self.net(input_values=x).logits

    def final_layer(self) -> nn.Linear:
        return self.net.classifier.dense


def imagenet_file(arch: str, given: str | None) -> Path:
    """torchvision's ImageNet weights from a given path or torch's hub cache (never downloaded)."""
    if given and given not in ("imagenet", "1", "true"):
        p = Path(given).expanduser()
        if p.is_file():
            return p
        raise ModelMissingError(f"{p}: no such weights file for {arch}.")
    folder = Path(torch.hub.get_dir()) / "checkpoints"
    for name in IMAGENET_FILES[arch]:
        if (folder / name).is_file():
            return folder / name
    raise ModelMissingError(
        f"ImageNet weights for {arch} are not on this machine (looked for {', '.join(IMAGENET_FILES[arch])} "
        f"in {folder}) and nothing is downloaded. Copy torchvision's file there, give --pretrained PATH, "
        "or train from scratch without --pretrained."
    )


def pretrained_ast(source: str, n_labels: int) -> tuple[nn.Module, dict]:
    """A local pretrained AST with a new output layer, and its feature extractor's settings."""
    from transformers import ASTFeatureExtractor, ASTForAudioClassification

    from tools.settings import get_settings

    local_only = not get_settings().allow_downloads
    try:
        net = ASTForAudioClassification.from_pretrained(source, num_labels=n_labels, ignore_mismatched_sizes=True,
                                                        local_files_only=local_only)
        extractor = ASTFeatureExtractor.from_pretrained(source, local_files_only=local_only)
    except (OSError, ValueError) as exc:
        raise ModelMissingError(
            f"the pretrained AST '{source}' is not on this machine ({str(exc).splitlines()[0][:160]}). "
            "Put its files in the Hugging Face cache or give a local folder with --pretrained, set "
            "TASTEMAKER_ALLOW_DOWNLOADS=1 where downloads are allowed, or train --model ast without --pretrained."
        ) from None
    fbank = {"num_mel_bins": extractor.num_mel_bins, "mean": extractor.mean, "std": extractor.std,
             "max_length": extractor.max_length}
    return net, fbank


def build_model(name: str, n_labels: int, options: dict | None = None) -> tuple[LabelModel, dict]:
    """A fresh (or pretrained) model and the options that rebuild it without the pretrained source."""
    options = dict(options or {})
    if name not in MODELS:
        raise TastemakerError(f"unknown model '{name}'; choose one of {', '.join(MODELS)}.")
    if n_labels < 2:
        raise TastemakerError("a classifier needs at least two labels.")
    pretrained = options.pop("pretrained", None)
    if name == "head":
        model: LabelModel = HeadModel(n_labels, int(options.get("input_dim", 200)), int(options.get("hidden", 128)))
        if pretrained:
            raise TastemakerError("the head model is small and trains from scratch; drop --pretrained.")
        return model, {"input_dim": model.hidden.in_features, "hidden": model.hidden.out_features}
    if name in ARCHITECTURES:
        crop = int(options.get("crop", CNN_CROP_FRAMES))
        cnn = SpectrogramCNN(name, n_labels, crop)
        if pretrained:
            cnn.load_imagenet(imagenet_file(name, str(pretrained)))
        return cnn, {"crop": crop}
    if pretrained:
        source = AST_PRETRAINED if str(pretrained) in ("1", "true", "audioset") else str(pretrained)
        net, fbank = pretrained_ast(source, n_labels)
        config = net.config.to_dict()
        ast = ASTModel(config)
        ast.net.load_state_dict(net.state_dict())
        return ast, {"config": config, "fbank": fbank}
    config = {**AST_SMALL, **options.get("config", {}), "num_labels": n_labels}
    from transformers import ASTConfig

    full = ASTConfig(**config).to_dict()
    return ASTModel(full), {"config": full}


def rebuild_model(name: str, n_labels: int, options: dict) -> LabelModel:
    """The architecture a checkpoint describes (weights are loaded by the caller)."""
    if name == "head":
        return HeadModel(n_labels, int(options["input_dim"]), int(options["hidden"]))
    if name in ARCHITECTURES:
        return SpectrogramCNN(name, n_labels, int(options.get("crop", CNN_CROP_FRAMES)))
    if name == "ast":
        return ASTModel(options["config"])
    raise TastemakerError(f"the checkpoint names an unknown model '{name}'.")
