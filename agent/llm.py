"""Which chat model drives the agent: an OpenAI-compatible endpoint when one is configured, else the planner.

Configured means OPENAI_API_KEY, OPENAI_BASE_URL or TASTEMAKER_LLM_MODEL is set
(OpenAI, or a local Ollama / vLLM / llama.cpp server that speaks the OpenAI API).
Retries are off and a timeout is set, so an unreachable endpoint fails in
seconds with a clear message instead of hanging the chat.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel

from agent.planner import OfflinePlanner
from tools.settings import Settings, get_settings


def llm_configured(settings: Settings | None = None) -> bool:
    settings = settings or get_settings()
    return settings.llm_configured


def chat_model(settings: Settings | None = None) -> BaseChatModel:
    """ChatOpenAI for a configured endpoint, the offline planner otherwise."""
    settings = settings or get_settings()
    if not llm_configured(settings):
        return OfflinePlanner()
    from langchain_openai import ChatOpenAI

    return ChatOpenAI(
        model=settings.llm_model,
        # Local servers (Ollama, llama.cpp) accept any key; the client insists on one.
        api_key=settings.openai_api_key.get_secret_value() or "not-needed",
        base_url=settings.openai_base_url or None,
        max_retries=0,
        timeout=settings.llm_timeout_s,
        temperature=0.2,
    )


def model_label(model: BaseChatModel) -> str:
    """A short name for the brain, shown to the person ("offline planner", "gpt-4o-mini at http://...")."""
    if isinstance(model, OfflinePlanner):
        return model.model_label
    name = getattr(model, "model_name", None) or getattr(model, "model", "") or type(model).__name__
    base = getattr(model, "openai_api_base", None)
    return f"{name} at {base}" if base else str(name)
