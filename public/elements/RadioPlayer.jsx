// Tastemaker's radio player: plays a station's pieces one after another, crossfading between them, and
// steers it (skip, like, dislike, more like this, calmer, less drums, adventurousness, library share).
// The server (agent/app.py, action "radio") hands out pieces; audio comes from /radio/<station>/<piece>.
// With props.tracks it plays a playlist: its tracks in order (previous, next, the list with titles: a click plays
// that track, the arrow downloads it under its name in the M3U), then the
// station plays on in its spirit.
// All playing state lives in window.__tastemakerRadio[station], not in React state, so a re-render or
// a remount of this element never restarts or doubles the music.
import { useEffect, useState } from "react";
import { Button } from "@/components/ui/button";
// icons, not emoji: a machine without an emoji font showed empty boxes
import { Download, ListMusic, Minus, Moon, Play, Plus, Radio, SkipBack, SkipForward, Square, ThumbsDown, ThumbsUp } from "lucide-react";

const LEAD_SECONDS = 5; // ask the server for the next piece this long before the crossfade starts
const SKIP_FADE = 1.0;

function radioStore() {
  if (!window.__tastemakerRadio) window.__tastemakerRadio = {};
  return window.__tastemakerRadio;
}

function makePlayer(station, crossfade) {
  return {
    station, crossfade, audio: null, current: null, next: null, nextAudio: null, requesting: false,
    fading: false, stopped: false, blocked: false, played: 0, gaps: 0, silentSince: null, silenceMs: 0,
    message: "", listeners: new Set(), timer: null, call: null, polledAt: 0, log: [],
  };
}

function note(p, what) { // the last events, for whoever debugs the player (window.__tastemakerRadio)
  p.log.push([Math.round(performance.now()), what]);
  if (p.log.length > 80) p.log.shift();
}

function notify(p) {
  p.listeners.forEach((f) => f({}));
}

function audioFor(p, piece) {
  const a = new Audio(`/radio/${p.station}/${piece.id}`);
  a.preload = "auto";
  return a;
}

async function ask(p, op, extra) {
  if (!p.call) return {};
  try {
    const res = await p.call({ name: "radio", payload: { station: p.station, op, playing: p.current ? p.current.id : null, ...(extra || {}) } });
    const r = (res && res.response) || {};
    if (r.message) { p.message = r.message; notify(p); }
    return r;
  } catch (e) {
    p.message = "The station did not answer; try again.";
    notify(p);
    return {};
  }
}

function fadeBetween(from, to, seconds) {
  const steps = Math.max(1, Math.round((seconds * 1000) / 50));
  let i = 0;
  to.volume = from ? 0 : 1;
  if (!from) return;
  const t = setInterval(() => {
    i += 1;
    const x = Math.min(1, i / steps);
    // equal-power crossfade
    to.volume = Math.sin((x * Math.PI) / 2);
    from.volume = Math.cos((x * Math.PI) / 2);
    if (x >= 1) { clearInterval(t); from.pause(); }
  }, 50);
}

function start(p, piece, audio, seconds) {
  const from = p.audio && !p.audio.paused && !p.audio.ended ? p.audio : null;
  note(p, `start ${piece.id} fade ${from ? seconds.toFixed(2) : 0}`);
  const to = audio || audioFor(p, piece);
  to.onended = () => onEnded(p, to);
  p.audio = to;
  p.current = piece;
  p.next = null;
  p.nextAudio = null;
  p.played += 1;
  if (p.silentSince !== null) { p.silenceMs += Date.now() - p.silentSince; p.silentSince = null; }
  p.fading = true;
  fadeBetween(from, to, from ? seconds : 0);
  setTimeout(() => { p.fading = false; }, from ? seconds * 1000 : 0);
  const playing = to.play();
  if (playing && playing.catch) {
    playing.then(() => { p.blocked = false; notify(p); }).catch(() => { p.blocked = true; notify(p); });
  }
  ask(p, "now", { piece: piece.id });
  notify(p);
}

function onEnded(p, audio) {
  if (audio !== p.audio || p.stopped) return; // a piece faded out earlier, or the station stopped
  if (p.next) { start(p, p.next, p.nextAudio, 0); return; }
  p.silentSince = Date.now(); // silence: the next piece is not here yet
  note(p, `silence after ${p.current ? p.current.id : "?"} (requesting ${p.requesting})`);
  p.gaps += 1;
  notify(p);
}

function fetchNext(p) {
  if (p.requesting || p.next || p.stopped) return;
  p.requesting = true;
  note(p, "ask next");
  ask(p, "next").then((r) => {
    p.requesting = false;
    note(p, `got ${r.piece ? r.piece.id : "nothing"}`);
    if (!r.piece || p.stopped) return;
    p.next = r.piece;
    p.nextAudio = audioFor(p, r.piece);
    if (p.silentSince !== null) start(p, p.next, p.nextAudio, 0);
    notify(p);
  });
}

function tick(p) {
  if (p.stopped || !p.audio) return;
  const a = p.audio;
  const remaining = a.duration - a.currentTime;
  if (isFinite(remaining)) {
    if (remaining <= p.crossfade + LEAD_SECONDS) fetchNext(p);
    if (remaining <= p.crossfade && p.next && !p.fading) start(p, p.next, p.nextAudio, Math.max(0.2, remaining));
  }
  if (Date.now() - p.polledAt > 1500) { // words typed in the chat ("skip", "stop") reach the player here
    p.polledAt = Date.now();
    ask(p, "poll").then((r) => {
      if (r.stop) stop(p, false);
      else if (r.piece) start(p, r.piece, null, SKIP_FADE);
    });
  }
}

function stop(p, tellServer) {
  p.stopped = true;
  if (p.audio) p.audio.pause();
  if (p.timer) clearInterval(p.timer);
  if (tellServer) ask(p, "stop");
  notify(p);
}

async function skip(p) {
  if (p.stopped) return;
  if (p.next) { ask(p, "skip", { have_next: true }); start(p, p.next, p.nextAudio, SKIP_FADE); return; }
  p.message = "Skipping…";
  notify(p);
  const r = await ask(p, "skip", { have_next: false });
  if (r.piece) start(p, r.piece, null, SKIP_FADE);
}

async function forward(p) { // a playlist's next track: no steering, it is only the next one
  if (p.stopped) return;
  if (p.next) { start(p, p.next, p.nextAudio, SKIP_FADE); return; }
  const r = await ask(p, "next");
  if (r.piece) start(p, r.piece, null, SKIP_FADE);
}

async function jump(p, id) { // a playlist's track clicked in its list
  if (p.stopped || (p.current && p.current.id === id)) return;
  const r = await ask(p, "jump", { piece: id });
  if (r.piece) { p.next = null; p.nextAudio = null; start(p, r.piece, null, SKIP_FADE); }
}

async function back(p) {
  if (p.stopped) return;
  const r = await ask(p, "previous");
  if (r.piece) { p.next = null; p.nextAudio = null; start(p, r.piece, null, SKIP_FADE); }
}

export default function RadioPlayer() {
  const store = radioStore();
  if (!store[props.station]) store[props.station] = makePlayer(props.station, Number(props.crossfade || 3));
  const p = store[props.station];
  p.call = callAction;
  const [, rerender] = useState({});
  const [adventurous, setAdventurous] = useState(props.adventurous ?? 0.3);
  const [libraryShare, setLibraryShare] = useState(props.library_share ?? 0.25);

  useEffect(() => {
    p.listeners.add(rerender);
    if (!p.current && !p.stopped && props.piece) start(p, props.piece, null, 0);
    if (!p.timer && !p.stopped) p.timer = setInterval(() => tick(p), 200);
    return () => { p.listeners.delete(rerender); };
  }, []);

  const now = p.current;
  const genres = now && now.genres ? now.genres : [];
  const state = p.stopped ? "stopped" : p.blocked ? "blocked" : p.silentSince !== null ? "waiting" : now ? "playing" : "starting";
  const steer = (op) => ask(p, op);
  const disabled = p.stopped || !now;
  const tracks = Array.isArray(props.tracks) ? props.tracks : null;
  return (
    <div data-radio-player="" data-state={state} data-played={p.played} data-gaps={p.gaps}
         data-silence-ms={p.silenceMs} data-now={now ? now.id : ""} data-now-genre={genres.length ? genres[0][0] : ""}
         className="flex flex-col gap-2 rounded-md border p-3 w-full max-w-xl">
      <div className="text-sm font-medium flex items-center gap-1"><Radio className="h-4 w-4" /> {p.stopped ? "Station stopped" : now ? now.title : "Starting your station…"}</div>
      {now && (
        <div className="text-xs opacity-80">
          {now.source === "library" ? "from your library" : "new piece"} · {Math.round(now.seconds)} s · heard as{" "}
          {genres.map(([g, v]) => `${g} ${v.toFixed(2)}`).join(", ")}
          <div className="opacity-70">{now.reason}</div>
        </div>
      )}
      {state === "blocked" && (
        <Button id="radio-play" onClick={() => { p.audio.play().then(() => { p.blocked = false; notify(p); }); }}><Play className="h-4 w-4" /> Play</Button>
      )}
      {tracks && (
        <ol id="radio-tracks" className="text-xs max-h-48 overflow-y-auto" style={{ listStyle: "decimal", paddingLeft: "1.5rem" }}>
          {/* inline styles: Chainlit's stylesheet holds only the Tailwind classes its own UI uses (no list-decimal, pl-5) */}
          {tracks.map((t) => (
            <li key={t.id} data-url={t.url} className={now && now.id === t.id ? "font-semibold" : "opacity-80"}>
              <button type="button" className="text-left hover:underline" disabled={p.stopped} title="Play this track now"
                      onClick={() => jump(p, t.id)}>
                {now && now.id === t.id && <ListMusic className="inline h-3 w-3" style={{ marginRight: "0.3rem" }} />}{t.title} · {Math.round(t.seconds)} s
              </button>{" "}
              <a href={t.url} download={t.file} title="Download this track" className="opacity-70 hover:underline"><Download className="inline h-3 w-3" /></a>
            </li>
          ))}
        </ol>
      )}
      <div className="flex flex-wrap gap-1">
        {tracks && <Button id="radio-previous" size="sm" variant="outline" disabled={disabled} onClick={() => back(p)}><SkipBack className="h-4 w-4" /> Previous</Button>}
        {tracks && <Button id="radio-next" size="sm" variant="outline" disabled={disabled} onClick={() => forward(p)}><SkipForward className="h-4 w-4" /> Next</Button>}
        {!tracks && <Button id="radio-skip" size="sm" variant="outline" disabled={disabled} onClick={() => skip(p)}><SkipForward className="h-4 w-4" /> Skip</Button>}
        <Button id="radio-like" size="sm" variant="outline" disabled={disabled} onClick={() => steer("like")}><ThumbsUp className="h-4 w-4" /> Like</Button>
        <Button id="radio-dislike" size="sm" variant="outline" disabled={disabled} onClick={() => steer("dislike")}><ThumbsDown className="h-4 w-4" /> Dislike</Button>
        <Button id="radio-more" size="sm" variant="outline" disabled={disabled} onClick={() => steer("more_like_this")}><Plus className="h-4 w-4" /> More like this</Button>
        <Button id="radio-calmer" size="sm" variant="outline" disabled={disabled} onClick={() => steer("calmer")}><Moon className="h-4 w-4" /> Calmer</Button>
        <Button id="radio-less-drums" size="sm" variant="outline" disabled={disabled} onClick={() => steer("less_drums")}><Minus className="h-4 w-4" /> Less drums</Button>
        <Button id="radio-stop" size="sm" variant="outline" disabled={p.stopped} onClick={() => stop(p, true)}><Square className="h-4 w-4" /> Stop</Button>
      </div>
      <div className="flex flex-wrap gap-4 text-xs">
        <label className="flex items-center gap-2">Adventurous
          <input id="radio-adventurous" type="range" min="0" max="1" step="0.1" value={adventurous} disabled={p.stopped}
                 onChange={(e) => setAdventurous(Number(e.target.value))}
                 onMouseUp={() => ask(p, "set", { adventurous })} onKeyUp={() => ask(p, "set", { adventurous })} />
          {adventurous.toFixed(1)}
        </label>
        <label className="flex items-center gap-2">Library share
          <input id="radio-library" type="range" min="0" max="1" step="0.05" value={libraryShare} disabled={p.stopped}
                 onChange={(e) => setLibraryShare(Number(e.target.value))}
                 onMouseUp={() => ask(p, "set", { library_share: libraryShare })}
                 onKeyUp={() => ask(p, "set", { library_share: libraryShare })} />
          {Math.round(libraryShare * 100)}%
        </label>
      </div>
      {p.message && <div id="radio-message" className="text-xs">{p.message}</div>}
      <div className="text-xs opacity-60">{p.played} played · {p.gaps === 0 ? "no gaps" : `${p.gaps} gaps`}</div>
    </div>
  );
}
