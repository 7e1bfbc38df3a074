"""The agent with an OpenAI-compatible endpoint: the real ChatOpenAI client and create_agent loop against a
scripted server on loopback (what Ollama, vLLM or a llama.cpp server would be), not the offline planner.

The server answers /v1/chat/completions with the tool calls a test scripts, then with text that echoes the
tool's result, so each test checks both directions: our tools reach the model in OpenAI's format, the model's
tool calls run our real tools, and their results go back to it.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import soundfile as sf

from agent.graph import ChatAgent
from agent.llm import chat_model, llm_configured, model_label
from agent.planner import OfflinePlanner
from agent.toolbox import has_module

MODEL = "test-model"


class ScriptedLLM:
    """A loopback OpenAI-compatible server: `calls` are the tool calls it makes, one per model turn, before
    it answers in text; every request it gets is kept in `requests`."""

    def __init__(self, calls: list[tuple[str, dict]], loop_forever: bool = False):
        self.calls, self.loop_forever, self.requests = calls, loop_forever, []
        llm = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                llm.requests.append({"path": self.path, "auth": self.headers.get("Authorization"), "body": body})
                payload = json.dumps(llm.answer(body)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def answer(self, body: dict) -> dict:
        tool_turns = sum(1 for m in body["messages"] if m["role"] == "tool")
        if self.loop_forever or tool_turns < len(self.calls):
            name, args = self.calls[0] if self.loop_forever else self.calls[tool_turns]
            call = {"id": f"call_{tool_turns}", "type": "function",
                    "function": {"name": name, "arguments": json.dumps(args)}}
            message, finish = {"role": "assistant", "content": None, "tool_calls": [call]}, "tool_calls"
        else:
            last_tool = next(m for m in reversed(body["messages"]) if m["role"] == "tool")
            message, finish = {"role": "assistant", "content": f"MODEL SAYS: {last_tool['content']}"}, "stop"
        return {"id": "chatcmpl-1", "object": "chat.completion", "created": 0, "model": body["model"],
                "choices": [{"index": 0, "message": message, "finish_reason": finish}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}}

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def endpoint(monkeypatch):
    """Point the settings at a scripted server; yields a function that starts one with given tool calls."""
    servers = []

    def start(calls, **kw) -> ScriptedLLM:
        server = ScriptedLLM(calls, **kw)
        servers.append(server)
        monkeypatch.setenv("OPENAI_BASE_URL", server.url)
        monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
        monkeypatch.setenv("TASTEMAKER_LLM_MODEL", MODEL)
        return server

    yield start
    for server in servers:
        server.close()


def test_configured_endpoint_replaces_the_planner(monkeypatch):
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")
    assert llm_configured() and not isinstance(chat_model(), OfflinePlanner)
    assert model_label(chat_model()) == "gpt-4o-mini at http://127.0.0.1:9/v1"
    monkeypatch.delenv("OPENAI_BASE_URL")
    assert not llm_configured() and isinstance(chat_model(), OfflinePlanner)


@pytest.mark.skipif(not has_module("tools.generate"), reason="tools.generate not installed")
def test_the_model_calls_a_real_tool_and_answers_from_its_result(endpoint):
    server = endpoint([("generate_music", {"description": "calm jazz piano", "genres": {"jazz": 1.0},
                                           "moods": ["calm"], "instruments": ["piano"], "seconds": 3,
                                           "engine": "sketch"})])
    agent = ChatAgent()
    reply = agent.send("make me some calm jazz piano, 3 seconds")

    first = server.requests[0]
    assert first["path"] == "/v1/chat/completions" and first["auth"] == "Bearer sk-test"
    assert first["body"]["model"] == MODEL
    assert first["body"]["messages"][0]["role"] == "system" and "Tastemaker" in first["body"]["messages"][0]["content"]
    offered = {t["function"]["name"] for t in first["body"]["tools"]}
    assert {"describe_uploads", "generate_music", "refine_music", "explain_music", "record_feedback"} <= offered
    schemas = {t["function"]["name"]: t["function"] for t in first["body"]["tools"]}
    # typed arguments the model fills itself (the same fields the offline planner fills from the parser)
    make = schemas["generate_music"]
    assert make["description"].startswith("Make new music")
    props = make["parameters"]["properties"]
    assert {"genres", "moods", "instruments", "avoid", "tempo", "key", "mode", "seconds", "vocals"} <= set(props)
    assert props["tempo"]["anyOf"][0]["type"] == "number" and props["genres"]["type"] == "object"
    change = schemas["refine_music"]["parameters"]["properties"]
    assert {"more", "remove", "tempo_factor", "key", "mode", "different", "like_last", "generation_id"} <= set(change)
    assert "change" not in change  # no free text for the tool to re-parse
    assert {"upload_ids", "combine"} <= set(schemas["create_music"]["parameters"]["properties"])

    assert reply.tool_calls == [("generate_music", {"description": "calm jazz piano", "genres": {"jazz": 1.0},
                                                    "moods": ["calm"], "instruments": ["piano"], "seconds": 3,
                                                    "engine": "sketch"})]
    assert len(reply.audio) == 1 and sf.info(reply.audio[0].path).duration == pytest.approx(3.0, abs=0.1)
    assert agent.session.pieces["g1"].generation.engine == "sketch"
    # the tool's result went back to the model, and the reply is the model's own text about it
    result = json.loads(reply.text.removeprefix("MODEL SAYS: "))
    assert result["pieces"][0]["id"] == "g1" and result["pieces"][0]["engine"] == "sketch"
    assert result["pieces"][0]["heard_genres"], "the made piece was re-tagged"
    style = agent.session.pieces["g1"].generation.style
    assert style.genres == {"jazz": 1.0} and "piano" in style.instruments and "calm" in style.moods
    assert agent.brain == f"{MODEL} at {server.url}"


@pytest.mark.skipif(not has_module("tools.generate"), reason="tools.generate not installed")
def test_the_model_refines_with_typed_fields(endpoint):
    endpoint([("generate_music", {"genres": {"rock": 1.0}, "seconds": 2, "engine": "sketch"}),
              ("refine_music", {"more": {"drums": -0.3}, "key": "D", "mode": "minor", "said": "quieter drums in D minor"})])
    agent = ChatAgent()
    agent.send("rock, then quieter drums in D minor")
    g1, g2 = agent.session.pieces["g1"].generation, agent.session.pieces["g2"].generation
    assert (g2.style.key, g2.style.mode) == ("D", "minor") and g2.conditioning["key"] == "D minor"
    assert g2.style.energy < (g1.style.energy if g1.style.energy is not None else 0.5)  # a calmer groove


def test_a_model_cannot_make_a_tool_open_a_path(endpoint):
    endpoint([("describe_uploads", {"upload_ids": ["/etc/passwd"]})])
    reply = ChatAgent().send("read /etc/passwd for me")
    error = json.loads(reply.text.removeprefix("MODEL SAYS: "))["error"]
    assert "no upload called '/etc/passwd'" in error and "never open paths" in error


def test_an_unreachable_or_looping_model_gets_a_clear_message(endpoint, monkeypatch):
    endpoint([("record_feedback", {"liked": True})], loop_forever=True)
    looping = ChatAgent().send("I love it")
    assert looping.text.startswith(f"The language model ({MODEL} at") and "kept calling tools" in looping.text

    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens on port 9
    down = ChatAgent().send("hello")
    assert "did not answer: Connection error" in down.text and "offline planner" in down.text
