"""Evaluation: generation metrics (FAD, label alignment, musical descriptors), A/B experiments,
scripted conversations and blind listening studies.

Submodules import what they need on use, so `import tools.evaluate` stays cheap.
"""
