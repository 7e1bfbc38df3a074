"""Music tagging with the pretrained musicnn models (PyTorch port, no TensorFlow)."""

from tools.tagger.service import (
    EMBEDDING_DIM,
    Analysis,
    FullTags,
    MusicnnTagger,
    checkpoint_dir,
    embed,
    get_tagger,
    tag,
    tag_full,
)

__all__ = [
    "EMBEDDING_DIM", "Analysis", "FullTags", "MusicnnTagger", "checkpoint_dir", "embed", "get_tagger", "tag", "tag_full",
]
