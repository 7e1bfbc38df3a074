import { Button } from "@/components/ui/button"
import { X, RotateCcw, ThumbsUp, ThumbsDown } from "lucide-react"

// The person's taste: their top genres as bars, the songs it is made of (each removable), and a reset.
// Props (from agent/app.py): genres [[name, weight]], songs [{key, name, genres: [[name, p]]}],
// ratings {liked, disliked}, words [text].
export default function TastePanel() {
  const genres = props.genres || []
  const songs = props.songs || []
  const ratings = props.ratings || { liked: 0, disliked: 0 }
  const words = props.words || []
  const forget = (song) => callAction({ name: "taste_forget", payload: { key: song.key, name: song.name } })
  const reset = () => {
    if (window.confirm("Forget your whole taste: every song, what you said and your likes?")) {
      callAction({ name: "taste_reset", payload: {} })
    }
  }
  return (
    <div id="taste-panel" className="rounded-lg border border-border p-4 flex flex-col gap-3 max-w-xl">
      <div className="font-semibold">Your taste</div>
      <div className="flex flex-col gap-1">
        {genres.map(([name, weight]) => (
          <div key={name} className="flex items-center gap-2 text-sm">
            <span className="w-28 text-muted-foreground">{name}</span>
            <div className="flex-1 h-2 rounded bg-secondary">
              <div className="h-2 rounded bg-primary" style={{ width: `${Math.round(Math.min(1, weight) * 100)}%` }} />
            </div>
            <span className="w-10 text-right tabular-nums">{weight.toFixed(2)}</span>
          </div>
        ))}
      </div>
      {songs.length > 0 && (
        <div className="flex flex-col gap-1">
          <div className="text-sm text-muted-foreground">Made from {songs.length} song{songs.length > 1 ? "s" : ""}:</div>
          {songs.map((song) => (
            <div key={song.key} className="taste-song flex items-center justify-between gap-2 text-sm">
              <span className="truncate">{song.name}
                <span className="text-muted-foreground"> ({song.genres.map(([g]) => g).join(", ")})</span></span>
              <Button variant="ghost" size="sm" aria-label={`Remove ${song.name}`} onClick={() => forget(song)}>
                <X className="h-4 w-4" /> Remove
              </Button>
            </div>
          ))}
        </div>
      )}
      {words.length > 0 && (
        <div className="text-sm text-muted-foreground">You said: {words.map((w) => `“${w}”`).join(" · ")}</div>
      )}
      <div className="flex items-center justify-between text-sm">
        <span className="flex items-center gap-3 text-muted-foreground">
          <span className="flex items-center gap-1"><ThumbsUp className="h-4 w-4" /> {ratings.liked}</span>
          <span className="flex items-center gap-1"><ThumbsDown className="h-4 w-4" /> {ratings.disliked}</span>
        </span>
        <Button variant="outline" size="sm" id="taste-reset" onClick={reset}>
          <RotateCcw className="h-4 w-4" /> Reset my taste
        </Button>
      </div>
    </div>
  )
}
