"""The trainable models: torchvision's architectures rebuilt here, one real training step each, AST offline."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tools.classify.architectures import googlenet, resnet50, vgg16
from tools.classify.models import build_model, imagenet_file, rebuild_model
from tools.errors import ModelMissingError

# torchvision 0.28's published parameter counts for the ImageNet (1000-class) models
TORCHVISION_PARAMS = {"resnet50": (resnet50, 25_557_032), "vgg16": (vgg16, 138_357_544)}
TINY_AST = {"hidden_size": 32, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 64,
            "num_mel_bins": 32, "max_length": 64}


@pytest.fixture(scope="module", autouse=True)
def _one_torch_thread():
    # The 2 shared cores are oversubscribed by parallel test runs; one thread avoids spin-wait stalls.
    old = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(old)


@pytest.mark.parametrize("name", ["resnet50", "vgg16"])
def test_architectures_match_torchvision_parameter_counts(name):
    build, expected = TORCHVISION_PARAMS[name]
    with torch.device("meta"):  # shapes only: no memory, no initialisation cost
        model = build(num_classes=1000)
    assert sum(p.numel() for p in model.parameters()) == expected


def test_googlenet_matches_torchvision_with_and_without_aux_heads():
    with torch.device("meta"):
        assert sum(p.numel() for p in googlenet(1000, aux_logits=False).parameters()) == 6_624_904
        assert sum(p.numel() for p in googlenet(1000, aux_logits=True).parameters()) == 13_004_888


def _one_step(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> tuple[float, float]:
    """One Adam step; returns (loss, largest parameter change)."""
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-4, weight_decay=1e-4)
    model.train()
    outputs = model.training_logits(x)
    loss = sum(w * torch.nn.functional.cross_entropy(logits, y) for w, logits in outputs)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    change = max(float((p.detach() - b).abs().max()) for p, b in zip(model.parameters(), before))
    return loss.item(), change


@pytest.mark.slow
@pytest.mark.parametrize("name", ["googlenet", "resnet50", "vgg16"])
def test_each_cnn_takes_a_training_step_on_log_mels(name):
    torch.manual_seed(0)
    model, options = build_model(name, 3, {"crop": 48})
    assert model.crop == 48 and options == {"crop": 48}
    x = torch.randn(2, 48, 96)  # (batch, frames, mel bands): a tiny log-mel crop
    y = torch.tensor([0, 2])
    if name == "googlenet":
        assert len(model.training_logits(x)) == 3  # main + two auxiliary classifiers while training
    loss, change = _one_step(model, x, y)
    assert np.isfinite(loss) and loss > 0 and change > 0
    model.eval()
    with torch.no_grad():
        assert model(x).shape == (2, 3)
    again = rebuild_model(name, 3, options)
    again.load_state_dict(model.state_dict())
    again.eval()
    with torch.no_grad():
        assert torch.allclose(again(x), model(x))


def test_ast_from_a_small_config_trains_offline():
    torch.manual_seed(0)
    model, options = build_model("ast", 4, {"config": TINY_AST})
    assert model.crop == 64 and options["config"]["num_mel_bins"] == 32
    x = torch.randn(3, 64, 32)
    assert model(x).shape == (3, 4)
    loss, change = _one_step(model, x, torch.tensor([0, 1, 3]))
    assert np.isfinite(loss) and change > 0
    again = rebuild_model("ast", 4, options)
    again.load_state_dict(model.state_dict())
    model.eval()
    again.eval()
    with torch.no_grad():
        assert torch.allclose(again(x), model(x), atol=1e-6)


def test_pretrained_weights_that_are_not_here_fail_fast_and_clearly(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    with pytest.raises(ModelMissingError, match="ImageNet weights for resnet50 are not on this machine"):
        build_model("resnet50", 3, {"pretrained": "imagenet"})
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelMissingError, match="pretrained AST .* is not on this machine"):
        build_model("ast", 3, {"pretrained": "1"})


def test_imagenet_weights_load_except_the_new_output_layer(tmp_path):
    torch.manual_seed(1)
    source = googlenet(1000)
    path = tmp_path / "googlenet-1378be20.pth"
    torch.save(source.state_dict(), path)
    assert imagenet_file("googlenet", str(path)) == path
    model, _ = build_model("googlenet", 5, {"pretrained": str(path)})
    mine, theirs = model.net.state_dict(), source.state_dict()
    assert torch.equal(mine["conv1.conv.weight"], theirs["conv1.conv.weight"])
    assert torch.equal(mine["inception5b.branch4.1.bn.running_mean"], theirs["inception5b.branch4.1.bn.running_mean"])
    assert mine["fc.weight"].shape == (5, 1024)  # the new labels' layer stays fresh
