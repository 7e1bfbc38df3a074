import { useState } from "react"
import { Button } from "@/components/ui/button"
import { ChevronDown, ChevronRight } from "lucide-react"

// Each player's technical caption (engine, model, seed, judge), folded under a "details" toggle.
// Props (from agent/app.py): items [{title, caption}]. Inline, because Chainlit 2.12 opens every
// display="side" element by itself (its issue #2932): on a phone that panel covered the chat.
export default function PieceDetails() {
  const [open, setOpen] = useState(false)
  const items = props.items || []
  const Chevron = open ? ChevronDown : ChevronRight
  return (
    <div className="text-sm">
      <Button variant="ghost" size="sm" className="h-7 px-1 text-muted-foreground" onClick={() => setOpen(!open)}
              aria-expanded={open}>
        <Chevron className="h-4 w-4" />
        details
      </Button>
      {open && (
        <div className="mt-1 flex flex-col gap-1 pl-6 text-muted-foreground">
          {items.map((item, i) => (
            <div key={i}><span className="font-semibold text-foreground">{item.title}</span>: {item.caption}</div>
          ))}
        </div>
      )}
    </div>
  )
}
