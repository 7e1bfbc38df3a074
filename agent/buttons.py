"""The buttons under a piece in the browser (like, dislike, another one, more like this): what each says.

Kept apart from the Chainlit app so that the words, and how far the page's payload is trusted, are tested without
starting it."""

from __future__ import annotations

BUTTONS = [  # what each says, for the piece it sits under ({piece}); without one, for the piece in hand
    ("like", "Like", "thumbs-up", "I like {piece}", "I like it"),
    ("dislike", "Dislike", "thumbs-down", "I don't like {piece}", "I don't like it"),
    ("another", "Another one", "refresh-cw", "another take on {piece}", "another one"),
    ("more_like_this", "More like this", "plus", "more like {piece}", "more like this"),
]


def button_words(name: str, piece: object, pieces: dict) -> str:
    """What a button under a piece says. The page sends the piece back, so it is used only when it is a piece of
    this chat; anything else (an edited payload, a piece from another chat) acts on the piece in hand."""
    for button, _, _, said_of_piece, said in BUTTONS:
        if button == name:
            return said_of_piece.format(piece=piece) if isinstance(piece, str) and piece in pieces else said
    raise ValueError(f"no button called {name!r}")
