"""Generation: a GenerationRequest -> a list of Generation (one per candidate).

Engines: `musicgen` (transformers; needs its weights locally), `sketch` (offline arranger + FluidSynth), and
`auto`, which uses MusicGen when its weights are on this machine and the sketch engine otherwise. Every
Generation says which engine and model made it; `conditioning["engine_choice"]` says why.
"""

from __future__ import annotations

import secrets

from tools import jobs
from tools.contracts import Generation, Style
from tools.errors import ModelMissingError
from tools.generate.request import ENGINES, GenerationRequest, Progress, candidate_seeds
from tools.settings import get_settings

__all__ = ["ENGINES", "GenerationRequest", "Progress", "choose_engine", "generate", "render_job", "render_request",
           "resolve_style"]


def resolve_style(request: GenerationRequest) -> Style:
    """The request's Style, or one parsed from its text (themes land in request.themes)."""
    if request.style is not None:
        return request.style
    from tools.language import parse_text

    parsed = parse_text(request.prompt) if request.prompt.strip() else None
    if parsed is None:
        return Style()
    request.themes = request.themes or parsed.themes
    return parsed.style


def choose_engine(request: GenerationRequest) -> tuple[str, str]:
    """(engine, why) for a request."""
    if request.engine != "auto":
        return request.engine, f"asked for {request.engine}"
    from tools.generate.musicgen import weights_available

    name = request.model or get_settings().musicgen_model
    if weights_available(name):
        return "musicgen", f"MusicGen weights for {name} are available"
    return "sketch", f"MusicGen weights for {name} are not on this machine; the offline sketch engine was used"


def generate(request: GenerationRequest, progress: Progress | None = None) -> list[Generation]:
    """Make `request.candidates` pieces; raises TastemakerError (ModelMissingError for absent MusicGen weights)."""
    request.validate()
    jobs.charge_audio(float(request.seconds) * int(request.candidates))  # a chat turn's audio budget
    # one heavy job at a time per free CPU (of this machine or the Ray cluster), shared fairly between people
    return jobs.run(render_job(request, progress))


def render_job(request: GenerationRequest, progress: Progress | None = None) -> jobs.Job[list[Generation]]:
    """The job that renders a (validated, already budgeted) request."""
    return jobs.Job(render_request, (request,), name="rendering a piece", progress=progress)


def render_request(request: GenerationRequest, progress: Progress | None = None) -> list[Generation]:
    """Render a request here, in this process (what a render job runs)."""
    style = resolve_style(request)
    seed = int(request.seed) if request.seed is not None else secrets.randbelow(2**31)
    seeds = candidate_seeds(seed, request.candidates)  # wraps inside 0..2**32-1: every piece can be remade
    engine, why = choose_engine(request)
    if engine == "musicgen":
        from tools.generate.musicgen import generate_musicgen

        try:
            results = generate_musicgen(request, style, seeds, progress)
        except ModelMissingError as exc:
            if request.engine != "auto":
                raise
            engine, why = "sketch", f"MusicGen could not be loaded ({exc}); the sketch engine was used"
        else:
            for g in results:
                g.conditioning["engine_choice"] = why
            return results
    from tools.generate.sketch import generate_sketch

    results = generate_sketch(request, style, seeds, progress)
    for g in results:
        g.conditioning["engine_choice"] = why
    return results
