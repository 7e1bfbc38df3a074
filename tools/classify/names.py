"""The model names `tastemaker train --model` accepts (kept apart from tools.classify.models, which needs torch)."""

MODELS = ("head", "resnet50", "googlenet", "vgg16", "ast")
