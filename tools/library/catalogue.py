"""The pieces of the embedded default library: real scores from the corpus that ships with music21.

Each entry names a corpus file (and, for ABC collections, the tune number),
who wrote it, when, what plays it (General MIDI programs, one per part, the
last repeated for further parts) and a sentence a listener would recognise it by.
`title=""` takes the title from the score's own metadata (folk tunes, chorales).
"""

from __future__ import annotations

from dataclasses import dataclass, field

STRING_QUARTET = (40, 40, 41, 42)  # violin, violin, viola, cello
PIANO = (0,)
ORGAN = (19,)
CHOIR = (52,)
VOICE_AND_PIANO = (53, 0)
FIDDLE = (110,)
FLUTE = (73,)
ACCORDION = (21,)
TRIO_SONATA = (40, 40, 42, 6)  # two violins, cello, harpsichord


@dataclass(frozen=True)
class Piece:
    id: str
    corpus_path: str
    composer: str
    title: str
    period: str
    instrumentation: str
    description: str
    programs: tuple[int, ...]
    genre: str = "classical"
    tempo: float = 100.0  # quarter notes per minute, when the score gives none
    number: int | None = None  # tune number inside an ABC collection
    keywords: tuple[str, ...] = field(default_factory=tuple)


def _quartet(pid: str, path: str, composer: str, title: str, period: str, character: str, tempo: float) -> Piece:
    return Piece(
        pid, path, composer, title, period, "string quartet (two violins, viola, cello)",
        f"{period} string quartet by {composer}: {character}", STRING_QUARTET, tempo=tempo,
        keywords=("string quartet", "chamber music", "strings"),
    )


_B18 = "String Quartet No. 1 in F major, Op. 18 No. 1"
_B59_1 = "String Quartet No. 7 in F major, Op. 59 No. 1 'Razumovsky'"
_B59_2 = "String Quartet No. 8 in E minor, Op. 59 No. 2 'Razumovsky'"
_B59_3 = "String Quartet No. 9 in C major, Op. 59 No. 3 'Razumovsky'"
_BEETHOVEN = "Ludwig van Beethoven"
_MOZART = "Wolfgang Amadeus Mozart"
_HAYDN = "Joseph Haydn"
_CL = "Classical-era"

PIECES: list[Piece] = [
    # Beethoven string quartets (Classical to early Romantic)
    _quartet("beethoven-op18no1-1", "beethoven/opus18no1/movement1.mxl", _BEETHOVEN, f"{_B18}: I. Allegro con brio",
             _CL, "a driving, energetic opening movement built on a single turning motif", 132),
    _quartet("beethoven-op18no1-2", "beethoven/opus18no1/movement2.mxl", _BEETHOVEN,
             f"{_B18}: II. Adagio affettuoso ed appassionato", _CL,
             "a slow, tragic and passionate movement in D minor", 60),
    _quartet("beethoven-op18no1-3", "beethoven/opus18no1/movement3.mxl", _BEETHOVEN, f"{_B18}: III. Scherzo",
             _CL, "a quick, playful scherzo", 160),
    _quartet("beethoven-op18no1-4", "beethoven/opus18no1/movement4.mxl", _BEETHOVEN, f"{_B18}: IV. Allegro",
             _CL, "a fast, bright finale full of running triplets", 140),
    _quartet("beethoven-op59no1-1", "beethoven/opus59no1/movement1.mxl", _BEETHOVEN, f"{_B59_1}: I. Allegro",
             "Middle-period", "a broad, lyrical cello melody opens a grand sonata movement", 120),
    _quartet("beethoven-op59no1-2", "beethoven/opus59no1/movement2.mxl", _BEETHOVEN,
             f"{_B59_1}: II. Allegretto vivace e sempre scherzando", "Middle-period",
             "a witty scherzo that begins with a rhythm tapped on one note", 140),
    _quartet("beethoven-op59no1-3", "beethoven/opus59no1/movement3.mxl", _BEETHOVEN,
             f"{_B59_1}: III. Adagio molto e mesto", "Middle-period", "a deeply sad, mournful slow movement", 50),
    _quartet("beethoven-op59no1-4", "beethoven/opus59no1/movement4.mxl", _BEETHOVEN,
             f"{_B59_1}: IV. Theme russe: Allegro", "Middle-period", "a lively finale on a Russian folk theme", 130),
    _quartet("beethoven-op59no2-1", "beethoven/opus59no2/movement1.mxl", _BEETHOVEN, f"{_B59_2}: I. Allegro",
             "Middle-period", "a restless, dramatic movement in a minor key", 140),
            _quartet("beethoven-op59no3-4", "beethoven/opus59no3/movement4.mxl", _BEETHOVEN, f"{_B59_3}: IV. Allegro molto",
             "Middle-period", "a headlong fugal finale of virtuoso energy", 150),
    # Mozart
    _quartet("mozart-k80-1", "mozart/k80/movement1.mxl", _MOZART, "String Quartet No. 1 in G major, K. 80 'Lodi': I. Adagio",
             _CL, "an early, gentle and singing slow movement by the teenage composer", 60),
        _quartet("mozart-k80-4", "mozart/k80/movement4.mxl", _MOZART, "String Quartet No. 1 in G major, K. 80 'Lodi': IV. Rondeau",
             _CL, "a graceful, dancing rondo", 120),
    _quartet("mozart-k155-1", "mozart/k155/movement1.mxl", _MOZART, "String Quartet No. 2 in D major, K. 155: I. Allegro",
             _CL, "a sunny, elegant allegro from the Milanese quartets", 132),
    _quartet("mozart-k155-2", "mozart/k155/movement2.mxl", _MOZART, "String Quartet No. 2 in D major, K. 155: II. Andante",
             _CL, "a tender, flowing andante", 72),
        _quartet("mozart-k156-1", "mozart/k156/movement1.mxl", _MOZART, "String Quartet No. 3 in G major, K. 156: I. Presto",
             _CL, "a brisk, bubbling presto", 150),
        _quartet("mozart-k458-1", "mozart/k458/movement1.mxl", _MOZART,
             "String Quartet No. 17 in B-flat major, K. 458 'The Hunt': I. Allegro vivace assai", _CL,
             "a galloping opening that imitates hunting horns", 140),
        _quartet("mozart-k458-4", "mozart/k458/movement4.mxl", _MOZART,
             "String Quartet No. 17 in B-flat major, K. 458 'The Hunt': IV. Allegro assai", _CL,
             "a sparkling, high-spirited finale", 150),
    Piece("mozart-k545-1", "mozart/k545/movement1_exposition.mxl", _MOZART,
          "Piano Sonata No. 16 in C major, K. 545 'Sonata facile': I. Allegro (exposition)", _CL, "solo piano",
          "Classical-era solo piano sonata by Mozart: the famous simple, bright C major melody over an Alberti bass",
          PIANO, tempo=130, keywords=("piano sonata", "solo piano")),
    # Haydn
    _quartet("haydn-op1no1-1", "haydn/opus1no1/movement1.mxl", _HAYDN,
             "String Quartet in B-flat major, Op. 1 No. 1 'La chasse': I. Presto", _CL,
             "an early, hunting-call quartet movement, quick and cheerful", 150),
        _quartet("haydn-op1no1-3", "haydn/opus1no1/movement3.mxl", _HAYDN,
             "String Quartet in B-flat major, Op. 1 No. 1 'La chasse': III. Adagio", _CL,
             "a serene slow serenade with a singing first violin", 56),
            _quartet("haydn-op74no1-1", "haydn/opus74no1/movement1.mxl", _HAYDN,
             "String Quartet in C major, Op. 74 No. 1: I. Allegro moderato", _CL,
             "a mature, confident quartet movement by the father of the string quartet", 120),
    _quartet("haydn-op74no1-2", "haydn/opus74no1/movement2.mxl", _HAYDN,
             "String Quartet in C major, Op. 74 No. 1: II. Andantino grazioso", _CL, "a graceful, gentle andantino", 80),
        _quartet("haydn-op74no1-4", "haydn/opus74no1/movement4.mxl", _HAYDN,
             "String Quartet in C major, Op. 74 No. 1: IV. Finale: Vivace", _CL, "a lively, humorous finale", 150),
]

# Bach chorales (Baroque): four-part harmonisations, played on organ
_CHORALES = ["bwv1.6", "bwv10.7", "bwv26.6", "bwv40.6", "bwv66.6", "bwv70.7", "bwv153.1", "bwv244.3", "bwv269",
             "bwv437"]
PIECES += [
    Piece(f"bach-{name.replace('.', '-')}", f"bach/{name}.mxl", "Johann Sebastian Bach", "", "Baroque",
          "four-part chorale (soprano, alto, tenor, bass) played on church organ",
          "Baroque four-part chorale harmonisation by J. S. Bach: a Lutheran hymn tune in slow, solemn, "
          "dense counterpoint", ORGAN, tempo=72, keywords=("chorale", "hymn", "organ", "church music"))
    for name in _CHORALES
]

PIECES += [
    # Ragtime
    Piece("joplin-maple-leaf-rag", "joplin/maple_leaf_rag.mxl", "Scott Joplin", "Maple Leaf Rag", "Ragtime (1899)",
          "solo piano", "Ragtime piano by Scott Joplin: syncopated right-hand melody over an oom-pah left-hand "
          "bass, the most famous rag of all", PIANO, genre="", tempo=96, keywords=("ragtime", "rag", "piano")),
    # Romantic
    _quartet("schumann-op41no1-1", "schumann_robert/opus41no1/movement1.mxl", "Robert Schumann",
             "String Quartet No. 1 in A minor, Op. 41 No. 1: I. Introduzione - Allegro", "Romantic",
             "a Romantic quartet with a wistful canonic introduction", 100),
            Piece("schumann-dichterliebe-2", "schumann_robert/dichterliebe_no2.xml", "Robert Schumann",
          "Dichterliebe, Op. 48 No. 2: Aus meinen Tranen spriessen", "Romantic", "voice and piano",
          "Romantic German art song (Lied) by Robert Schumann: a short, tender love song for voice and piano",
          VOICE_AND_PIANO, tempo=60, keywords=("lied", "art song", "song cycle")),
    Piece("clara-schumann-polonaise-1", "schumann_clara/polonaise_op1n1.mxl", "Clara Schumann",
          "Polonaise, Op. 1 No. 1", "Romantic", "solo piano",
          "Romantic solo piano polonaise by the young Clara Wieck (Schumann): a proud Polish dance", PIANO, tempo=96,
          keywords=("polonaise", "dance", "piano")),
    Piece("clara-schumann-polonaise-2", "schumann_clara/polonaise_op1n2.mxl", "Clara Schumann",
          "Polonaise, Op. 1 No. 2", "Romantic", "solo piano",
          "Romantic solo piano polonaise by Clara Schumann: brilliant and ornamented", PIANO, tempo=96,
          keywords=("polonaise", "dance", "piano")),
    Piece("chopin-mazurka-op6no2", "chopin/mazurka06-2.krn", "Frederic Chopin", "Mazurka in C-sharp minor, Op. 6 No. 2",
          "Romantic", "solo piano", "Romantic solo piano mazurka by Chopin: a melancholy Polish folk dance in triple time",
          PIANO, tempo=120, keywords=("mazurka", "dance", "piano")),
    Piece("schubert-lindenbaum", "schubert/Lindenbaum.xml", "Franz Schubert", "Winterreise, D. 911: Der Lindenbaum",
          "Romantic", "voice and piano",
          "Romantic German Lied by Schubert from Winterreise: a wanderer remembers the linden tree, wistful and gentle",
          VOICE_AND_PIANO, tempo=80, keywords=("lied", "art song", "song cycle")),
    # Baroque beyond Bach
    Piece("handel-lascia-chio-pianga", "handel/rinaldo/Lascia_chio_pianga.mxl", "George Frideric Handel",
          "Rinaldo: Lascia ch'io pianga", "Baroque", "voice and strings",
          "Baroque opera aria by Handel: a slow, grieving sarabande for soprano", (53, 48), tempo=60,
          keywords=("aria", "opera", "sarabande")),
    Piece("corelli-op3no1-grave", "corelli/opus3no1/1grave.xml", "Arcangelo Corelli",
          "Trio Sonata in F major, Op. 3 No. 1: I. Grave", "Baroque", "two violins, cello and harpsichord",
          "Baroque church trio sonata by Corelli: a slow, grave movement with suspensions over a walking bass",
          TRIO_SONATA, tempo=60, keywords=("trio sonata", "chamber music", "harpsichord")),
    Piece("verdi-la-donna-e-mobile", "verdi/laDonnaEMobile.mxl", "Giuseppe Verdi", "Rigoletto: La donna e mobile",
          "Romantic", "tenor and orchestra (reduction)",
          "Romantic Italian opera aria by Verdi: the Duke's swaggering, catchy tenor tune", (53, 48), tempo=132,
          keywords=("aria", "opera", "tenor")),
]

# Renaissance polyphony, sung by a choir
_RENAISSANCE = [
    ("palestrina-agnus-01", "palestrina/Agnus_01.krn", "Giovanni Pierluigi da Palestrina", "Agnus Dei (mass movement)"),
    ("palestrina-agnus-02", "palestrina/Agnus_02.krn", "Giovanni Pierluigi da Palestrina", "Agnus Dei (mass movement)"),
    ("monteverdi-madrigal-3-1", "monteverdi/madrigal.3.1.mxl", "Claudio Monteverdi",
     "Madrigals, Book 3 No. 1: La giovinetta pianta"),
    ("monteverdi-madrigal-4-1", "monteverdi/madrigal.4.1.mxl", "Claudio Monteverdi",
     "Madrigals, Book 4 No. 1: Ah, dolente partita"),
    ("josquin-mille-regrets", "josquin/milleRegrets.abc", "Josquin des Prez", "Mille regretz"),
    ("josquin-adieu-mes-amours", "josquin/adieuMesAmours.abc", "Josquin des Prez", "Adieu mes amours"),
]
PIECES += [
    Piece(pid, path, composer, title, "Renaissance", "a cappella vocal ensemble (choir)",
          f"Renaissance vocal polyphony by {composer}: interweaving voices singing a cappella, calm and sacred"
          if "palestrina" in pid else
          f"Renaissance {'madrigal' if 'monteverdi' in pid else 'chanson'} by {composer}: expressive a cappella "
          "polyphony for several voices", CHOIR, tempo=90, keywords=("choral", "polyphony", "a cappella", "early music"))
    for pid, path, composer, title in _RENAISSANCE
]

# Folk traditions: fiddle tunes, Irish airs, German folk songs
_RYAN = ["AcaciaReel", "BundleAndGoJig", "VintonsHornpipe", "SmashTheWindowsReel", "Petronella",
         "BellesOfEdinboroHighlandFling", "SirGeorgeClargsStrathspey", "MonarchClog"]
PIECES += [
    Piece(f"ryan-{name.lower()}", f"ryansMammoth/{name}.abc", "Traditional (Ryan's Mammoth Collection, 1883)", "",
          "Traditional", "solo fiddle",
          "Traditional Irish, Scottish and American fiddle dance tune (reel, jig or hornpipe) from Ryan's Mammoth "
          "Collection: fast, lively folk music for dancing", FIDDLE, genre="folk", tempo=112,
          keywords=("folk", "fiddle tune", "celtic", "dance"))
    for name in _RYAN
]
PIECES += [
    Piece(f"oneill-{n}", "oneills1850/0001-0050.abc", "Traditional (O'Neill's Music of Ireland, 1903)", "",
          "Traditional", "solo flute",
          "Traditional Irish tune from O'Neill's collection, played on the wooden flute: a folk air or dance",
          FLUTE, genre="folk", tempo=100, number=n, keywords=("folk", "irish", "celtic", "air"))
    for n in (1, 5, 10, 20)
]
PIECES += [
    Piece(f"essen-{name.rstrip('0123456789')}-{n}", f"essenFolksong/{name}.abc",
          "Traditional (Essen folk song collection)", "", "Traditional", "accordion",
          f"Traditional German folk {kind} from the Essen collection: a simple singable tune played on accordion",
          ACCORDION, genre="folk", tempo=100, number=n, keywords=("folk", "folk song", "german"))
    for name, n, kind in (("altdeu10", 1, "song"), ("altdeu10", 2, "song"), ("kinder0", 1, "lullaby"),
                          ("kinder0", 5, "children's song"))
]
PIECES += [
    Piece(f"essen-han-{n}", "essenFolksong/han1.abc", "Traditional (Chinese Han folk song, Essen collection)", "",
          "Traditional", "bamboo flute",
          "Traditional Chinese Han folk song from the Essen collection: a pentatonic melody played on flute",
          FLUTE, genre="folk", tempo=90, number=n, keywords=("folk", "folk song", "chinese", "pentatonic"))
    for n in (3, 4)
]
