"""What the agent can do in a session, as plain functions over `Session` returning JSON-ready dicts.

agent.toolbox exposes these to the model as LangChain tools; tests and the
evaluation harness may call them directly. Each one calls the same tool
functions the CLI calls: the agent adds conversation, not capability.
"""

from __future__ import annotations

import functools
import re
import shutil
from dataclasses import is_dataclass, replace
from pathlib import Path
from typing import Any

from agent.session import AudioResult, GenreChart, Session, TastePanel
from tools.reference import MIN_GENRE_SIMILARITY
from tools.errors import NotReadyYet, TastemakerError
from tools.language.spelling import title_match
from tools.settings import get_settings


def _rounded(pairs: list[tuple[str, float]]) -> list[tuple[str, float]]:
    return [(label, round(float(p), 3)) for label, p in pairs]


def analyse_upload(session: Session, uid: str):
    """The upload's tags (tools.tagger.tag_full), computed once per upload."""
    from tools.tagger import tag_full

    upload = session.upload(uid)
    if upload.analysis is None:
        upload.analysis = tag_full(upload.clip)
    return upload.analysis


@functools.lru_cache(maxsize=2)
def _load_classifier(path: str):
    from tools.classify import load_classifier

    return load_classifier(path)


def trained_classifier():
    """The person's own classifier (TASTEMAKER_CLASSIFIER, a `tastemaker train` checkpoint), or None."""
    path = get_settings().classifier
    return _load_classifier(path) if path else None


def classify_upload(session: Session, uid: str, classifier) -> dict[str, Any]:
    """A trained classifier's verdict on an upload: its decided labels and top probabilities."""
    tags = classifier.predict(session.upload(uid).clip)
    return {"name": classifier.name, "labels": classifier.decide(tags), "top": _rounded(tags.top(3)),
            "multi_label": classifier.multi_label}


def describe_uploads(session: Session, upload_ids: list[str] | None = None,
                     generation_ids: list[str] | None = None) -> dict[str, Any]:
    """Genres, moods, instruments and raw tags of each upload (and the trained classifier's verdict, when one
    is configured), or of pieces made in this chat, with a genre chart for the screen."""
    from tools.audio import load_clip
    from tools.tagger import tag_full

    ids = list(upload_ids or ([] if generation_ids else session.uploads))
    if not ids and not generation_ids:
        raise TastemakerError("No song has been uploaded yet. Attach an audio file (wav, flac, ogg or mp3) and ask again.")
    classifier = trained_classifier()
    results = []
    items = [("upload", uid) for uid in ids] + [("piece", gid) for gid in generation_ids or []]
    for i, (kind, ref) in enumerate(items):
        if kind == "upload":
            upload = session.upload(ref)
            name, duration, clip = upload.name, upload.duration, upload.clip
            session.reporter.progress(f"tagging {name} ({duration:.0f} s)", i / len(items))
            full = analyse_upload(session, ref)
            heard = _taste_analysis(session, ref)  # a song the person brings is part of their taste
            tempo, key = heard.tempo, f"{heard.key} {heard.mode}"
        else:
            piece = session.piece(ref)
            name, clip = piece.id, load_clip(piece.generation.audio_path)
            duration = clip.duration
            session.reporter.progress(f"tagging {piece.id}", i / len(items))
            full = tag_full(clip)
            tempo, key = piece.generation.conditioning.get("tempo"), piece.generation.conditioning.get("key")
        genres = _rounded(full.genres.top(5))
        session.outbox.append(GenreChart(title=f"{name}: top genres", genres=genres))
        results.append({
            "upload_id" if kind == "upload" else "generation_id": ref,
            "name": name,
            "duration_s": round(duration, 1),
            "genres": genres,
            "moods": _rounded(full.moods.top(3)),
            "instruments": _rounded(full.instruments.top(3)),
            "tags": _rounded(full.raw["msd"].top(5)) if "msd" in full.raw else [],
            "tempo_bpm": round(float(tempo)) if tempo else None,  # heard (an upload) or played (a piece)
            "key": key or None,
            "model": "musicnn MSD + MTT (pretrained)",
        })
        if classifier is not None and kind == "upload":
            results[-1]["classifier"] = classify_upload(session, ref, classifier)
    return {"uploads": results}


def _taste_analysis(session: Session, uid: str):
    """tools.taste's analysis of an upload (tags, tempo, key, energy), computed once per upload; the song
    becomes part of the person's taste, which follows them from chat to chat."""
    import hashlib

    from tools.taste import analyse_clip, remember_song

    upload = session.upload(uid)
    if upload.taste is None:
        upload.taste = analyse_clip(upload.clip, full=analyse_upload(session, uid), name=upload.name)
        key = hashlib.sha1(upload.clip.samples.tobytes()).hexdigest()[:16]
        session.profile = remember_song(session.user, key, upload.taste)
    return upload.taste


def show_taste(session: Session, profile) -> None:
    """The person's taste as a panel they can edit (their songs, each removable; reset) and a chart."""
    from tools.taste import feedback_count, taste_songs

    songs = taste_songs(session.user)
    session.outbox.append(TastePanel(genres=list(profile.genres.items())[:6],
                                     songs=[(s.key, s.name, s.genres) for s in songs],
                                     ratings=feedback_count(session.user), words=list(profile.words)))


def taste_profile(session: Session, text: str = "", upload_ids: list[str] | None = None,
                  forget: bool = False) -> dict[str, Any]:
    """The person's taste, from every song they have given and everything they said about it (words outrank
    songs), over all their chats; this chat's uploads join it. `forget` erases it instead (the saved songs, words
    and likes; the uploads stay in this chat)."""
    from tools.taste import explain, liked_genres, load_profile, remember_words, reset_taste

    if forget:
        reset_taste(session.user)
        session.profile = None
        session.taste_forgotten = True
        return {"forgotten": True}

    # a song joins the taste when it is first heard; one heard before a 'forget my taste' stays forgotten
    fresh = [uid for uid in (upload_ids or session.uploads) if session.upload(uid).taste is None]
    for i, uid in enumerate(fresh):
        session.reporter.progress(f"listening to {session.upload(uid).name}", i / max(1, len(fresh)))
        _taste_analysis(session, uid)
    if text.strip():
        profile = remember_words(session.user, text)
    else:
        profile = load_profile(session.user)
    knows_what_you_like = profile is not None and bool(profile.genres or profile.moods or profile.instruments
                                                       or profile.energy is not None)
    if not knows_what_you_like and not (profile is not None and profile.avoid):
        why = " (you asked me to forget it, songs attached before that included)" if session.taste_forgotten else ""
        raise NotReadyYet(  # a 'not yet', not a failure: said without "Sorry, that didn't work"
            f"I don't know your taste yet{why}. Upload a few songs you love (or tell me what you like, e.g. "
            "'I like mellow jazz with piano') and ask again."
        )
    session.profile = profile
    show_taste(session, profile)
    liked_count, liked_styles = liked_genres(session.user)  # over all their chats
    disliked_count, disliked_styles = liked_genres(session.user, liked=False)
    liked_here = [gid for gid, piece in session.pieces.items() if piece.liked]
    disliked_here = [gid for gid, piece in session.pieces.items() if piece.liked is False]
    return {
        "explanation": explain(profile),
        "genres": profile.genres, "moods": profile.moods, "instruments": profile.instruments,
        "tempo": profile.tempo, "key": profile.key, "mode": profile.mode, "energy": profile.energy,
        "shared_genres": profile.shared, "from_clips": profile.clips, "avoid": profile.avoid,
        "liked": liked_here, "liked_count": liked_count, "liked_genres": liked_styles,
        "disliked": disliked_here, "disliked_count": disliked_count, "disliked_genres": disliked_styles,
    }


def record_feedback(session: Session, liked: bool, generation_id: str | None = None) -> dict[str, Any]:
    """Remember a like or dislike of a generated piece; the saved taste profile moves toward or away from it."""
    from tools.taste import apply_feedback, explain
    from tools.taste import record_feedback as store_feedback
    from tools.taste.profile import NO_PREFERENCES

    piece = session.piece(generation_id)
    if piece.liked is bool(liked):  # said twice ('I like it' ... 'love it'): one like, one nudge
        return {"generation_id": piece.id, "liked": bool(liked), "again": True, "made_as": _made_as(piece.generation)}
    piece.liked = bool(liked)
    stored = store_feedback(session.user, piece.generation, bool(liked))
    if session.profile is not None:
        session.profile = apply_feedback(session.profile, piece.generation, bool(liked))
    profile = explain(session.profile or stored)
    return {"generation_id": piece.id, "liked": bool(liked), "profile": profile, "taste_empty": profile == NO_PREFERENCES,
            "made_as": _made_as(piece.generation)}


def play_music(session: Session, generation_id: str | None = None, track_id: str | None = None,
               title: str | None = None) -> dict[str, Any]:
    """Play a piece made in this chat again (the latest, or `generation_id`), or a library track from a search, or
    the piece or saved track the person named `title` ('play Blue Morning', typos and all); a piece played again is
    the one later changes apply to."""
    from tools.library import open_library

    if title and not (generation_id or track_id):
        found = title_match(title, [(("piece", p.id), p.name) for p in session.pieces.values() if p.name]
                            + [(("track", t), name) for t, name, _ in library_titles(session)])
        if found is None:
            raise TastemakerError(f"Nothing you made or saved is called '{title}'. Say 'list my music' to see the "
                                  "names.")
        kind, ref = found
        generation_id, track_id = (ref, None) if kind == "piece" else (None, ref)
    if track_id:
        with open_library() as library:
            track = library.get(track_id, viewer=session.library_viewer)  # a clear error when there is none
        if own_piece(session, track) and Path(track.audio_path).is_file():
            # a piece of ours saved in an earlier chat: a piece of this one again, to ask about and change
            known = any(p.library_id == track.id for p in session.pieces.values())
            return _piece_again(session, piece_from_track(session, track), first_time=not known)
        session.outbox.append(AudioResult(path=track.audio_path, title=_track_title(track),
                                          caption=f"library track {track.id}"))
        return {"track_id": track.id, "title": track.title, "artist": track.artist}
    from agent.compose import _detail, piece_title

    piece = session.piece(generation_id)
    if piece.from_library:
        return _piece_again(session, piece, first_time=False)
    session.outbox.append(AudioResult(path=piece.generation.audio_path, title=piece_title(piece),
                                      caption=_detail(piece.generation), generation_id=piece.id,
                                      midi_path=piece.generation.midi_path))
    return {"generation_id": piece.id, "title": piece_title(piece), "name": piece.name}


def take_up(session: Session, track_id: str) -> tuple[str, dict[str, Any]]:
    """A saved piece of ours made a piece of this chat to be changed ('make Blue Morning slower'): its id here and
    its record (no player of its own: the change's take is what is shown)."""
    from tools.library import open_library

    with open_library() as library:
        track = library.get(track_id, viewer=session.library_viewer)  # a clear error when there is none
    if not (own_piece(session, track) and Path(track.audio_path).is_file()):
        raise TastemakerError(f"{track.title} is not a piece I made, so I can't change it; say 'make something like "
                              f"{track.title}' for a new piece like it.")
    piece = piece_from_track(session, track)
    shown = len(session.outbox)
    record = _piece_again(session, piece)["piece"] | {"name": piece.name}
    del session.outbox[shown:]
    return piece.id, record


def _piece_again(session: Session, piece, first_time: bool = True) -> dict[str, Any]:
    """A saved piece taken up again: its player, and its record as a making tool gives one (what questions about it
    are answered from: its tempo, key, players, groove, what it was made as); `first_time`: just taken up."""
    from agent.compose import _heard, _show, piece_title

    shown = _show(session, piece, _heard(piece.generation))
    return {"generation_id": piece.id, "title": piece_title(piece), "name": piece.name, "from_library": first_time,
            "piece": shown}


BUILT_IN = "default library"  # the origin of the built-in collection's tracks (tools.library.default)


def is_own(session: Session, track) -> bool:
    """A track the person put in the library (a saved piece, an added song), not the built-in collection."""
    return track.extra.get("owner", "") == session.library_owner and track.extra.get("origin") != BUILT_IN


def saved_titles(session: Session) -> list[tuple[str, str]]:
    """(track id, title) of the person's own library tracks, oldest first; none when the library cannot be read (a
    name is then not found, and the words are read as they would be without it)."""
    return [(tid, title) for tid, title, own in library_titles(session) if own]


def library_titles(session: Session) -> list[tuple[str, str, bool]]:
    """(track id, title, the person's own) for the tracks a title may play: the person's own first, then the built-in
    collection's, each under its title and the names people call it by ('La donna e mobile' for 'Rigoletto: La donna
    e mobile', 'Agnus Dei' for 'Agnus Dei (mass movement)', 'Polonaise' for 'Polonaise, Op. 1 No. 1'; not a movement's
    tempo, 'I. Allegro'). None when the library cannot be read."""
    from tools.library import open_library

    try:
        with open_library() as lib:
            tracks = lib.list(viewer=session.library_viewer)
    except TastemakerError:
        return []
    own = [(t.id, t.title, True) for t in tracks if is_own(session, t)]
    built_in = []
    for t in tracks:
        if t.extra.get("origin") == BUILT_IN and t.title:
            built_in += [(t.id, name, False) for name in dict.fromkeys(title_aliases(t.title))]
    return own + built_in


def title_aliases(title: str) -> list[str]:
    """A built-in piece's title and the shorter names it goes by: without its note in brackets, the song after an
    opera's or cycle's name ('Winterreise, D. 911: Der Lindenbaum' -> 'Der Lindenbaum'), never a movement alone."""
    names = [title, re.sub(r"\s*\([^)]*\)", "", title).strip()]
    numbered = re.match(r"^(.+?),\s*(?:Op|D|K|BWV|Hob)\.?\s*\d", title)  # 'Polonaise, Op. 1 No. 1': 'Polonaise'
    if numbered:
        names.append(numbered.group(1))
    _, colon, tail = title.partition(": ")
    if colon and not re.match(r"^(?:[IVX]+\.\s|(?:Allegro|Adagio|Andante|Presto|Finale|Grave|Scherzo|Rondeau)\b)", tail):
        names.append(tail.strip())
    return [n for n in names if n]


def _track_title(track) -> str:
    return f"{track.title} ({track.artist})".replace(" ()", "")


def _library_and_build():
    """The person's library and the built-in collection's build status (the build started if it is missing)."""
    from tools.library import open_library
    from tools.library.default import build_in_background

    lib = open_library()
    return lib, build_in_background(lib)


def _library():
    """The person's library. The built-in collection is built in the background on first use (minutes,
    once per data directory); until it is ready the answer says how far it is instead of waiting."""
    lib, status = _library_and_build()
    if status.state == "building":
        raise NotReadyYet(
            f"I'm still {status.describe()} pieces (a few minutes, once). Ask me again in a minute; meanwhile "
            "I can make you something new, e.g. 'a calm piano piece'.")
    return lib


def _tracks(session: Session, results: list) -> dict[str, Any]:
    # close ones first, as the reply lists them, so that its numbers, the players and 'the second one' agree
    results = sorted(results, key=lambda r: not (r.genre_similarity is None
                                                 or r.genre_similarity >= MIN_GENRE_SIMILARITY))
    found = []
    for r in results:
        t = r.track
        if t.audio_path:  # the reply lists each track once; the player's caption is only its reference
            session.outbox.append(AudioResult(path=t.audio_path, title=_track_title(t),
                                              caption=f"library track {t.id}, score {r.score:.2f}"))
        # A sound-alike whose genres are far from the song's (a Haydn adagio for death metal) is only the nearest
        # there is, not a close one: the same floor the references use says which.
        close = r.genre_similarity is None or r.genre_similarity >= MIN_GENRE_SIMILARITY
        found.append({"id": t.id, "title": t.title, "artist": t.artist, "genre": t.genre,
                      "score": round(float(r.score), 3), "why": r.why, "close": close})
    session.last_search = [f["id"] for f in found]
    return {"tracks": found}


# "what's in my library", "what did I save?": words that ask about the library as a whole, naming nothing to find
_OVERVIEW_WORDS = set("what whats is are in on my our the library show me list did have has i we save saved add added "
                      "keep kept put there all of tracks songs pieces music everything see can you please so far "
                      "far yet do own tunes stuff collection view".split())


def _asks_for_overview(query: str) -> bool:
    from tools.language.spelling import correct

    text = correct(query.lower().replace("'s", ""))  # 'lsit my songs' asks what 'list my songs' asks
    words = re.findall(r"[a-z]+", text)
    # 'list my music', 'show my songs', 'what songs do I have': the person's music (the library, and this chat's
    # pieces not saved yet)
    about_library = "library" in words or re.search(
        r"\b(?:save|saved|add|added|keep|kept)\b|"
        r"\bmy (?:own |saved )?(?:music|songs|tracks|tunes|pieces|stuff|collection)\b|"
        r"\b(?:music|songs|tracks|tunes|pieces) (?:do|did) (?:i|we) (?:have|own)\b", text)
    return bool(about_library) and all(w in _OVERVIEW_WORDS for w in words)


def _chat_pieces(session: Session, unsaved_only: bool = False, made_here: bool = False) -> list[dict[str, Any]]:
    """This chat's pieces as the person's music lists them: id, what it was made as, its name, length, saved or not."""
    from agent.compose import piece_title

    return [{"id": p.id, "title": piece_title(p), "name": p.name, "seconds": round(p.generation.duration),
             "saved": p.library_id is not None, "gone": not Path(p.generation.audio_path).is_file()}
            for p in session.pieces.values() if not (unsaved_only and p.library_id) and not (made_here and p.from_library)]


def library_overview(session: Session, lib, k: int = 5) -> dict[str, Any]:
    """How many tracks the person saved, their genres and the newest (what they saved last); how many the built-in
    collection holds; and this chat's pieces that are not saved (their music too, not yet kept)."""
    from collections import Counter

    from tools.retrieve import Result

    visible = lib.list(viewer=session.library_viewer)
    own = [t for t in visible if is_own(session, t)]
    others = [t for t in visible if not is_own(session, t)]
    newest = [Result(track=t, score=1.0, why="added recently") for t in reversed(own[-k:])]
    return _tracks(session, newest) | {"overview": {
        "count": len(own), "genres": Counter(t.genre or "untagged" for t in own).most_common(),
        "built_in": len(others), "built_in_genres": Counter(t.genre or "untagged" for t in others).most_common(),
        "unsaved": _chat_pieces(session, unsaved_only=True)}}


def search_library(session: Session, query: str, genre: str | None = None, k: int = 5) -> dict[str, Any]:
    """Library tracks whose words and tags match the query (tools.retrieve.search_text); a question about
    the library as a whole ("what's in my library?") gets its overview instead."""
    from tools.retrieve import search_text

    session.reporter.progress("opening the library", 0.1)
    if not genre and _asks_for_overview(query):  # what they saved is there while the built-in collection builds
        lib, status = _library_and_build()
        building = {"building": f"{status.done}/{status.total}"} if status.state == "building" else {}
        return library_overview(session, lib, max(1, min(int(k), 20))) | building
    lib = _library()
    return _tracks(session, search_text(query, k=max(1, min(int(k), 20)), genre=genre, library=lib,
                                        viewer=session.library_viewer))


MY_MUSIC_TRACKS = 20  # saved tracks given a player by 'play my music' (the rest are counted)


def chat_pieces_again(session: Session, made_here: bool = False) -> list[dict[str, Any]]:
    """This chat's pieces listed (as _chat_pieces), each whose file is still here with its player and picture again;
    `made_here`: not the saved pieces taken up from the library ('play my music' lists those with the library's)."""
    from agent.compose import _detail, _heard, piece_title

    for piece in session.pieces.values():
        if made_here and piece.from_library:
            continue
        g = piece.generation
        if Path(g.audio_path).is_file():  # its picture's 'heard as' chart too (it was drawn empty)
            session.outbox.append(AudioResult(path=g.audio_path, title=piece_title(piece), caption=_detail(g),
                                              generation_id=piece.id, midi_path=g.midi_path, heard=_heard(g)))
    return _chat_pieces(session, made_here=made_here)


def my_music(session: Session) -> dict[str, Any]:
    """The person's own music, each with a player: this chat's pieces in the order made, then what they saved to the
    library (the newest 20, in the order saved; not the built-in collection, nor again the pieces of this chat they
    saved). A piece of ours among them becomes a piece of this chat again (asked about, changed: piece_from_track)."""
    from tools.library import open_library

    out: dict[str, Any] = {"pieces": chat_pieces_again(session, made_here=True), "tracks": [], "more": 0,
                           "restored": []}
    here = {p.library_id for p in session.pieces.values() if p.library_id and not p.from_library}
    try:
        with open_library() as lib:
            own = [t for t in lib.list(viewer=session.library_viewer) if is_own(session, t) and t.id not in here]
    except TastemakerError as exc:  # this chat's pieces still play
        return out | {"library_error": str(exc)}
    for t in own[-MY_MUSIC_TRACKS:]:  # in the order saved, the newest last: 'it' is the newest, as in a chat
        listed = {"id": t.id, "title": t.title, "artist": t.artist, "genre": t.genre}
        again = None
        if own_piece(session, t) and Path(t.audio_path).is_file():  # a piece of ours: of this chat again
            try:
                again = _piece_again(session, piece_from_track(session, t))
            except Exception as exc:  # noqa: BLE001 - one odd save plays as a library track, the list goes on
                from tools.incidents import log_incident

                log_incident(exc, "my music: a saved piece taken up")
        if again is not None:
            out["restored"].append(again["piece"])
            listed["generation_id"] = again["generation_id"]
        elif t.audio_path and Path(t.audio_path).is_file():
            session.outbox.append(AudioResult(path=t.audio_path, title=_track_title(t),
                                              caption=f"library track {t.id}"))
        out["tracks"].append(listed)
    out["more"] = max(0, len(own) - MY_MUSIC_TRACKS)
    session.last_search = [t["id"] for t in out["tracks"]]
    return out


def find_similar(session: Session, upload_id: str | None = None, generation_id: str | None = None,
                 track_id: str | None = None, k: int = 5) -> dict[str, Any]:
    """Library tracks that sound like an upload, a generated piece or a library track
    (tools.retrieve.similar_to_clip)."""
    from tools.audio import load_clip
    from tools.retrieve import similar_to_clip

    session.reporter.progress("opening the library", 0.1)
    lib = _library()
    if upload_id:
        upload = session.upload(upload_id)
        clip, using = upload.clip, upload.name
    elif track_id:
        track = lib.get(track_id, viewer=session.library_viewer)  # a clear error when there is none
        if not track.audio_path:
            raise TastemakerError(f"{track.title} has no audio in the library to compare with.")
        clip, using = load_clip(track.audio_path), track.title
    elif generation_id or session.pieces:
        piece = session.piece(generation_id)
        clip, using = load_clip(piece.generation.audio_path), piece.id
    else:
        raise TastemakerError("Similar to what? Attach a song, or make something first.")
    k = max(1, min(int(k), 20))
    found = similar_to_clip(clip, k=k + (1 if track_id else 0), library=lib, viewer=session.library_viewer)
    out = _tracks(session, [r for r in found if r.track.id != track_id][:k])
    return out | {"using": using}


def add_to_library(session: Session, upload_id: str | None = None, generation_id: str | None = None,
                   title: str | None = None, artist: str | None = None, track_id: str | None = None) -> dict[str, Any]:
    """Add an upload or a generated piece to the person's library (tagged, embedded, searchable); a library
    track (a search result) is already there, and the answer says so.

    The file is copied into the library's own folder first: uploads live in a temporary
    folder of the chat, and a library track must outlive the chat.
    """
    from tools.library import open_library
    from tools.library.ingest import Source

    title, artist = _clean_name(title), _clean_name(artist)
    if track_id:
        with open_library() as library:
            track = library.get(track_id, viewer=session.library_viewer)  # a clear error when there is none
            return {"already_there": True, "id": track.id, "title": track.title, "genre": track.genre,
                    "tracks_in_library": library.count(viewer=session.library_viewer)}
    if upload_id:
        upload = session.upload(upload_id)
        path, name = Path(upload.path), upload.name
        source = Source(path=path, title=title or Path(name).stem.replace("_", " ").strip(), artist=artist or "",
                        extra={"origin": "upload", "added_by": session.user}, name=name)
    elif generation_id or session.pieces:
        piece = session.piece(generation_id)
        if title and piece.library_id:  # named again ('name it Blue Morning' after a save): the saved track renamed
            renamed = _retitle(session, piece.library_id, title)
            if renamed is not None:
                piece.name = title
                return renamed | {"generation_id": piece.id}
            piece.library_id = None  # no longer in the library: saved again below
        gen = piece.generation
        path, name = Path(gen.audio_path), Path(gen.audio_path).name
        from agent.compose import piece_title

        # the genres, not the person's raw words ('Tastemaker g3: make me something like this')
        source = Source(path=path, title=title or f"Tastemaker {piece_title(piece)}"[:120],
                        artist=artist or "Tastemaker", description=gen.prompt, midi_path=gen.midi_path,
                        genre=_made_as(gen),
                        extra={"origin": "generated", "engine": gen.engine, "model": gen.model, "seed": gen.seed,
                               "added_by": session.user, PIECE_RECORD: _record_or_none(session, piece)},
                        name=name)
    else:
        raise TastemakerError("There's nothing to add yet: attach a song, or make something first.")
    result = _add_source(session, source)
    if upload_id:
        return result
    piece = session.piece(generation_id)
    piece.library_id = result["id"]
    if title and result["title"] != title:  # the same music saved before under another name: it takes this one
        result = _retitle(session, result["id"], title) or result
    if title:
        piece.name = title
    return result | {"generation_id": piece.id}


# A saved piece of ours keeps what made it (its request, the engine's record with the arrangement's facts, the words
# said and why it plays as it does) under this key of its library track, so that a later chat can take it up again
PIECE_RECORD = "piece"
PIECE_RECORD_VERSION = 1


def piece_record(session: Session, piece) -> dict[str, Any]:
    """What a saved piece needs to be a piece of a later chat again: JSON of the project's own dataclasses."""
    from agent.compose import _why, explain_inputs, piece_words
    from agent.records import encode

    generation = replace(piece.generation, tags=None)  # the library tags the file itself
    why = list(piece.earlier_why) if piece.from_library and piece.earlier_why else \
        _why(session, piece, explain_inputs(session, piece))
    # this chat's piece ids mean nothing in another chat: 'the change you asked of g1, "slower"' is 'the change you
    # asked, "slower"' there
    why = [re.sub(r"\b(the change you asked|a new take) (?:of|on) g\d+\b", r"\1", line) for line in why]
    return {"version": PIECE_RECORD_VERSION, "kind": piece.kind, "generation": encode(generation),
            "request": encode(piece.request), "words": piece_words(session, piece), "why": why}


def _record_or_none(session: Session, piece) -> dict[str, Any] | None:
    """The piece's record, or None when something in it cannot be kept (the piece is saved all the same, and comes
    back in a later chat as an older save does)."""
    try:
        return piece_record(session, piece)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def own_piece(session: Session, track) -> bool:
    """A track that is a piece of ours the person saved (not a song they added, nor a station's piece)."""
    return is_own(session, track) and track.extra.get("origin") == "generated" and bool(track.audio_path)


def piece_from_track(session: Session, track):
    """A saved piece of ours as a piece of this chat (with what made it), so that it can be asked about and changed:
    the one already here for that track, or a new one. An older save, made before the record was kept, comes back
    from what the library has: its words, its genre, its seed and its score's tempo and key."""
    from agent.records import decode
    from tools.contracts import Tags
    from tools.genres import GENRES

    for piece in session.pieces.values():
        if piece.library_id == track.id:
            return piece
    record = track.extra.get(PIECE_RECORD) or {}
    heard = Tags("genres", {g: float(p) for g, p in track.tags.items() if g in GENRES}) if track.tags else None
    generation = request = None
    if record.get("version") == PIECE_RECORD_VERSION:
        try:
            generation, request = decode(record["generation"]), decode(record["request"])
            if not is_dataclass(generation) or not hasattr(generation, "audio_path") or not is_dataclass(request):
                raise TypeError("not the record of a piece")
        except (TastemakerError, TypeError, KeyError, ValueError):  # a record this version cannot read: an older save
            generation = request = None
    if generation is not None and request is not None:
        generation = replace(generation, audio_path=track.audio_path, midi_path=track.midi_path or "", tags=heard)
        request = _without_gone_files(request)
        words, why, kind = list(record.get("words") or [generation.prompt]), list(record.get("why") or []), \
            record.get("kind", "generate")
    else:
        generation, request = _older_save(track, heard)
        words, why, kind = [track.description] if track.description else [], [], "generate"
    piece = session.keep(generation, request, kind=kind if kind in ("generate", "create") else "generate")
    piece.library_id, piece.name, piece.from_library = track.id, track.title, True
    piece.earlier_words, piece.earlier_why = words, why
    return piece


def _without_gone_files(request):
    """A saved request without the files it borrowed that are gone (an upload of the chat it was made in)."""
    changes = {name: None for name in ("like", "melody", "reference_midi", "output")
               if hasattr(request, name) and getattr(request, name) and not Path(getattr(request, name)).is_file()}
    if hasattr(request, "output"):
        changes["output"] = None  # a take is written where takes go, not over the saved one
    return replace(request, **changes) if changes else request


def _older_save(track, heard):
    """(Generation, GenerationRequest) of a piece saved before its record was kept: its words read as they are, its
    genre, seed and engine, and the tempo and key its score was written in."""
    import soundfile as sf

    from tools.contracts import Generation, Style
    from tools.generate.request import GenerationRequest, MusicAsk
    from tools.language import read_slots

    words = track.description or ""
    style = MusicAsk.from_slots(read_slots(words), words).style() if words.strip() else Style()
    genre = track.extra.get("declared_genre") or track.genre
    if genre and not style.genres:
        style = replace(style, genres={genre: 1.0})
    from tools.generate.output import score_tempo_and_key

    tempo, key = score_tempo_and_key(track.midi_path)
    try:
        rate = sf.info(track.audio_path).samplerate
    except (RuntimeError, OSError):
        rate = 44100
    seed = int(track.extra.get("seed") or 0)
    engine = str(track.extra.get("engine") or "sketch")
    generation = Generation(audio_path=track.audio_path, sample_rate=rate, engine=engine,
                            model=str(track.extra.get("model") or ""), prompt=words or genre or "music", seed=seed,
                            duration=float(track.duration), midi_path=track.midi_path or "", style=style, tags=heard,
                            conditioning={name: value for name, value in (("blend", {genre: 1.0} if genre else None),
                                                                          ("tempo", tempo), ("key", key)) if value})
    request = GenerationRequest(prompt=words or genre or "music", style=style, seconds=float(track.duration) or 15.0,
                                seed=seed, engine=generation.engine if generation.engine in ("sketch", "musicgen")
                                else "auto")
    return generation, request


def _clean_name(name: str | None) -> str | None:
    """A title or artist from a tool call (an LLM's, so the person's words however long or odd): control characters
    and runs of spaces out, at most TITLE_MAX characters; None when nothing is left."""
    from tools.language.intents import TITLE_MAX

    if name is None:
        return None
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in str(name)).split())[:TITLE_MAX].strip()
    return text or None


def _retitle(session: Session, track_id: str, title: str) -> dict[str, Any] | None:
    """A saved track given a new name (its text vector made anew, so a search by words finds it by that name); None
    when it is no longer in the library."""
    from tools.embeddings import embed_texts
    from tools.library import open_library
    from tools.library.ingest import text_document

    with open_library() as library:
        try:
            track = library.get(track_id, viewer=session.library_viewer)
        except TastemakerError:
            return None
        before = track.title
        if before != title:
            vector = embed_texts([text_document(title, track.artist, track.description, track.tags)])[0]
            track = library.retitle(track_id, title, vector, viewer=session.library_viewer)
        return {"already_there": True, "renamed_from": before if before != title else None, "id": track.id,
                "title": track.title, "genre": track.genre,
                "tracks_in_library": library.count(viewer=session.library_viewer)}


def _made_as(generation) -> str:
    """The genre a piece of ours was made as (the arranger's blend, else the genres asked for): what the library files
    it under, rather than what the tagger heard (a funk piece was filed 'as techno')."""
    blend = (generation.conditioning or {}).get("blend") or (generation.style.genres if generation.style else {})
    return max(blend, key=blend.get) if blend else ""


def add_station_piece(session: Session, piece) -> dict[str, Any]:
    """'save this one' of a piece a radio station made (a tools.radio RadioPiece): added as a generated piece."""
    from tools.library.ingest import Source

    path = Path(piece.path)
    source = Source(path=path, title=f"Tastemaker radio: {piece.title}"[:120], artist="Tastemaker",
                    description=piece.reason, genre=piece.asked,  # what it was made as, as a chat's piece is
                    extra={"origin": "radio", "added_by": session.user}, name=path.name)
    return _add_source(session, source)


def _add_source(session: Session, source) -> dict[str, Any]:
    """A file copied into the library's own folder, then tagged and indexed; the copy goes if that fails."""
    from tools.atomic import atomic_output
    from tools.library import open_library
    from tools.library.ingest import content_hash, ingest

    path, name = Path(source.path), source.name
    if not path.is_file():
        raise TastemakerError(f"{name}: the file is gone (the chat's files were cleared). Attach it again.")
    session.reporter.progress(f"adding {name} to your library", 0.1)
    with open_library() as library:
        kept = library.files_dir / "added" / f"{content_hash(path)[:16]}{path.suffix.lower()}"
        copied = not kept.exists()
        if copied:
            with atomic_output(kept) as part:  # never a half-copied file under the final name
                shutil.copyfile(path, part)
        if source.midi_path and Path(source.midi_path).is_file():
            kept_midi = kept.with_suffix(".mid")
            with atomic_output(kept_midi) as part:
                shutil.copyfile(source.midi_path, part)
            source.midi_path = str(kept_midi)
        record = source.extra.get(PIECE_RECORD) or {}
        sidecar = ((record.get("generation") or {}).get("conditioning") or {}).get("sidecar")
        if sidecar and Path(sidecar).is_file():  # the arrangement, beside its audio and score
            with atomic_output(kept.with_suffix(".json")) as part:
                shutil.copyfile(sidecar, part)
            record["generation"]["conditioning"]["sidecar"] = str(kept.with_suffix(".json"))
        source.path = kept
        report = ingest(library, [source], progress=False, owner=session.library_owner)
        if report.failed:
            if copied:
                kept.unlink(missing_ok=True)
                kept.with_suffix(".mid").unlink(missing_ok=True)
            raise TastemakerError(f"{name}: could not be added ({report.failed[0][1]}).")
        if report.duplicates:
            track = library.get(report.duplicates[0][1], viewer=session.library_viewer)
            return {"already_there": True, "id": track.id, "title": track.title, "genre": track.genre,
                    "tracks_in_library": library.count(viewer=session.library_viewer)}
        track = report.added[0]
        size = library.count(viewer=session.library_viewer)
    return {"already_there": False, "id": track.id, "title": track.title, "artist": track.artist,
            "genre": track.genre, "tracks_in_library": size}
