"""The browser app's web layer: who a browser is, and what it may ask of the chat server.

Chainlit 2.12 trusts the session id the client sends (it names a folder that is
later deleted) and does not check where a socket comes from, so these modules
defend the session layer in our app: `identity` gives each browser a private
cookie-bound identity, `guard` checks every request and socket against it, and
`limits` bounds what one browser can make the server do.
"""
