"""Endless radio and playlists: stations seeded by taste, words or a song, steered by skips and likes.

    from tools.radio import Station, StationRequest, StationOptions, Steer
    station = Station.start(StationRequest(words="a jazz station", user="ana",
                                           options=StationOptions(adventurous=0.3, library_share=0.25)))
    piece = station.next()              # RadioPiece: path, title, source, seconds, genres heard, tempo, key
    station.steer(Steer("like"))        # or skip, dislike, more_like_this, adjust (deltas from words)
    station.stop()

Playlists (tools.radio.playlist): build_playlist(PlaylistRequest(...)) -> Playlist, exported as M3U.
"""

from tools.radio.options import StationOptions
from tools.radio.pieces import PieceSpec, RadioPiece
from tools.radio.station import Station, StationRequest, StationStats
from tools.radio.steering import Steer, StationTaste

__all__ = ["PieceSpec", "RadioPiece", "Station", "StationOptions", "StationRequest", "StationStats", "StationTaste",
           "Steer"]
