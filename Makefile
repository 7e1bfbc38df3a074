# The two commands of the README. Both set everything up first (idempotent).
.PHONY: setup chat test demo bench

setup:
	scripts/setup.sh

chat: setup
	.venv/bin/tastemaker chat

test:
	scripts/setup.sh --test
	.venv/bin/python -m pytest -q -n 2 --dist loadfile  # two workers, each test file on one

demo: setup
	.venv/bin/tastemaker tag tests/fixtures/musicnn_reference/clip.wav --model all
