"""Kept chats: their state round-trips, a tampered file cannot make the app build anything else, and the
stored players' links cannot be forged or pointed outside their folder."""

from __future__ import annotations

import asyncio
import json

import pytest

from agent import chat_store
from agent.graph import ChatAgent
from agent.web import storage

THREAD = "3f2b8a9e-4c1d-4e5f-9a7b-0c1d2e3f4a5b"


def test_a_chat_comes_back_with_its_uploads_pieces_and_conversation(write_audio):
    agent = ChatAgent(user="ada")
    song = write_audio("song.wav")
    agent.send("what is this?", [(str(chat_store.keep_upload("ada", THREAD, song, "song.wav")), "song.wav")])
    agent.send("make me a 3 second jazz track")
    messages = agent.graph.get_state(agent.config).values["messages"]
    chat_store.save(agent.session, THREAD, messages, {"m1": ["g1"]})

    again = ChatAgent(user="ada")
    restored, shown, notes = chat_store.restore(again.session, THREAD)
    again.graph.update_state(again.config, {"messages": restored})
    assert notes == [] and shown == {"m1": ["g1"]}
    assert list(again.session.uploads) == ["u1"] and again.session.uploads["u1"].name == "song.wav"
    piece = again.session.pieces["g1"]
    assert piece.generation.audio_path == agent.session.pieces["g1"].generation.audio_path
    assert type(piece.request) is type(agent.session.pieces["g1"].request)
    reply = again.send("faster")  # 'it' is the piece made before the chat was reopened
    assert "new take on g1" in reply.text
    chat_store.save(again.session, THREAD, again.graph.get_state(again.config).values["messages"], shown)
    third = ChatAgent(user="ada")
    chat_store.restore(third.session, THREAD)
    assert (third.session.pieces["g2"].refined_from, third.session.pieces["g2"].change) == ("g1", "faster")
    assert chat_store.restore(ChatAgent(user="bob").session, THREAD)[0] == []  # another person's chat: nothing


def test_a_tampered_file_cannot_build_anything_but_our_own_records(tmp_path):
    agent = ChatAgent(user="ada")
    path = chat_store.chat_dir("ada", THREAD).with_suffix(".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    evil = {"kind": "generate", "id": "g1", "generation": {"__kind__": "Popen", "args": ["touch", str(tmp_path / "x")]},
            "request": {}}
    path.write_text(json.dumps({"version": 1, "pieces": [evil]}))
    with pytest.raises(Exception, match="cannot be reopened"):
        chat_store.restore(agent.session, THREAD)
    assert not (tmp_path / "x").exists()
    with pytest.raises(Exception, match="not a chat of yours"):
        chat_store.chat_dir("ada", "../../etc")


def test_stored_links_are_signed_expire_and_stay_in_their_folder():
    client = storage.LocalStorageClient()
    saved = asyncio.run(client.upload_file("user-1/element-1/g1: jazz", b"RIFF....", mime="audio/wav"))
    key = saved["object_key"]
    assert key == "user-1/element-1/g1_ jazz.wav"
    url = asyncio.run(client.get_read_url(key))
    query = dict(part.split("=") for part in url.split("?", 1)[1].split("&"))
    assert storage.resolve(key, query["expires"], query["sig"]) is not None
    assert storage.resolve(key, query["expires"], "0" * 32) is None  # forged
    assert storage.resolve(key, str(int(query["expires"]) + 1), query["sig"]) is None  # tampered expiry
    assert storage.resolve(key, "1", storage.signing.sign("stored", f"{key}|1", 32)) is None  # expired
    assert storage.safe_key("../../etc/passwd") == "etc/passwd"  # a key never climbs out of the folder
    outside = "../secret.key"
    assert storage.resolve(outside, query["expires"], storage.signing.sign("stored", f"{outside}|{query['expires']}", 32)) is None


def test_a_stopped_turns_kept_copy_goes_and_nothing_outside_the_chats_folder_does(write_audio):
    song = write_audio("song.wav")
    kept = chat_store.keep_upload("ada", THREAD, song, "song.wav")
    chat_store.drop_upload("ada", THREAD, song)  # not a kept copy: left alone
    chat_store.drop_upload("bob", THREAD, kept)  # another person's chat folder: left alone
    assert song.exists() and kept.exists()
    chat_store.drop_upload("ada", THREAD, kept)
    assert not kept.exists()
