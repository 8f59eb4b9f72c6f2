"""What a text reports as having happened: killings, arrests, sentences, bans, strikes, protests...

Each sentence that reports (not one that demands, calls or plans: the
``demands.modal`` cues) is typed by the cue words of ``data/cues/<lang>.toml``
(``[events]``).  Each event gets the sentence's date — resolved against the
document's date and the years the text has named so far ("on 16.12.",
"In April", "last year") — its place (a city of the gazetteer, in any
case form), its country (the place's, a country the sentence names, or the
country the document is about) and the count of people or organisations
affected where a number stands near the cue ("70 workers were killed",
"more than 600 unions", "seventeen"); "dozens" gives no count.  One
happening told twice in a document is one event.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, lru_cache
from itertools import islice

from solidarity_atlas import memo
from solidarity_atlas.extract.dates import DateMention, find_dates, month_names
from solidarity_atlas.extract.sentences import Sentence
from solidarity_atlas.lexicons import Hit, load, sentence_cues
from solidarity_atlas.model import Event, Span
from solidarity_atlas.resolve.countries import NO_COUNTRY, countries
from solidarity_atlas.resolve.names import english
from solidarity_atlas.resolve.places import Place, gazetteer
from solidarity_atlas.resolve.text import fold

TYPES = (
    "killing", "detention", "sentencing", "ban", "strike", "protest", "persecution", "legislation",
    "military_action", "meeting",
)
MIN_WORDS = 5  # shorter pieces are list items and headings, not reports
COUNT_WINDOW = 60  # characters between a number and the cue word it counts
AFTER_PENALTY = 15  # characters a number after its cue counts as farther away
COUNT_WINDOW_BEFORE = 100  # a count may open a long subject: "eight lawyers who had come to Soma ... were detained"
MAX_DIGITS = 12  # a count of thirteen digits would be a hundred times the people on earth
_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:[.,\s]\d{3})+|\d+)(?![\w]|[.,]\d)")
_WORD = re.compile(r"[^\W\d_][\w'-]*")
_CAPITALISED = re.compile(r"[A-ZÀ-ÞΑ-ΩА-ЯЁ][\w'’-]+(?:[\s-][A-ZÀ-ÞΑ-ΩА-ЯЁ][\w'’-]+)?")
_LATER = re.compile(r"\b(\d{1,2})\s*-?\s*years?\s+(?:later|after)\b")
_DEMAND_ITEM = re.compile(r"^\s*(?:\d{1,3}\s*[.)]|\(\d{1,3}\)|[•▪●◦‣∙·■*\-–—])\s*[a-zà-ÿа-яёα-ωά-ώ]")
_LETTERS = re.compile(r"[^\W\d_]+")
_DATED_YEAR = re.compile(r"\d[./-]\d|(?:1[89]|20)\d\d")  # every year-bearing form of dates.find_dates
_YEAR = re.compile(r"(?<![\d./-])((?:19[5-9]|20[0-4])\d)(?![\d./-])")
_RELATIVE_YEAR = {"last year": -1, "the previous year": -1, "this year": 0, "next year": 1,
                  "в прошлом году": -1, "el año pasado": -1, "l'année dernière": -1, "letztes jahr": -1,
                  "o ano passado": -1, "πέρσι": -1, "geçen yıl": -1}


@dataclass(slots=True)
class Found:
    event: Event
    evidence: Span
    claim: str | None = None  # the figure as written ("more than 600", "dozens")
    sources: list[Span] = field(default_factory=list)
    assumed: bool = False  # the date is only the year the text was speaking of, not one the sentence gives


def find_events(
    sentences: list[Sentence], doc_date: str | None, doc_place: tuple[str, str] | None = None
) -> list[Found]:
    cues = sentence_cues()
    home: list[str | None] = []  # the country the document is about, worked out when first needed
    year = int(doc_date[:4]) if doc_date else None
    context_year = year
    last_date: str | None = None
    last_block = last_index = -1
    out: list[Found] = []
    for index, sentence in enumerate(sentences):
        text = sentence.text
        years_here = [int(y) for y in _YEAR.findall(text)]
        folded = text.casefold()
        found = cues.hits(folded)
        reports = any(h.key.startswith("events.") for h in found) and not any(
            h.key.startswith("demands.") for h in found)
        if years_here or reports or _DATED_YEAR.search(text):
            # Signatories, headings and demand items ("3. the release of all prisoners;") report nothing, and only
            # a bare year of theirs moves the text on.
            short = not _has_words(text, MIN_WORDS) or bool(_DEMAND_ITEM.match(text))
            if short or not reports:
                context_year = (years_here[-1] if years_here else None if short else _last_year(text, years_here)) \
                    or context_year
                continue
        if not reports:
            continue  # most sentences: no report and no year
        all_dates = find_dates(text)
        numbers = _numbers(text, folded, [(d.start, d.end) for d in all_dates])
        dates = [d for d in all_dates if d.has_year or context_year]
        explicit_years = [int(d.value[:4]) for d in dates if d.has_year] + years_here
        every: dict[str, list[Hit]] = {}
        for h in sorted(found, key=lambda h: h.start):
            if h.key.startswith("events."):
                every.setdefault(h.key.removeprefix("events."), []).append(h)
        hits = _primary([(t, every[t][0]) for t in TYPES if t in every])
        shift = next((d for phrase, d in _RELATIVE_YEAR.items() if phrase in folded), 0)
        sentence_year = context_year + shift if context_year and not explicit_years else context_year
        date = _date(text, folded, dates, years_here[0] if years_here else sentence_year, year)
        if date is None and sentence.block == last_block and index == last_index + 1:
            date = last_date  # "The official figures speak of seventeen killed": the sentence before dated it
        if date and dates:
            last_date, last_block, last_index = date, sentence.block, index
        assumed = date is None and context_year is not None
        if assumed:
            date = f"{context_year:04d}"  # undated: the year the text speaks of at this point
        place, place_country = _place(text)
        # Where the sentence says it happened; else the country the document is about; else one it names.
        named = _country_named(text)
        country = place_country or (named if _targets_country(hits) else None)
        if country is None:
            if not home:
                home.append(_main_country(sentences))
            country = home[0] or named
        for event_type, _ in hits:
            # Of the cue words of this type, the one a number stands by gives the count ("400 unions were banned").
            count, claim = None, None
            for cue in every[event_type]:
                count, claim = _count(numbers, folded, cue.start, cue.end)
                if count is not None:
                    break
            event = Event(event_type, date, place, country, count)
            own = assumed
            if event_type == "meeting" and (assumed or date is None) and place is None and doc_place:
                # "The participants of the meeting...": the meeting a statement comes from, where and when it was.
                event.date, event.place, event.country = doc_date, doc_place[0], doc_place[1]
                own = False
            out.append(Found(event, Span(text, sentence.start, sentence.end), claim, assumed=own))
        context_year = explicit_years[-1] if explicit_years else context_year
        if context_year and (later := _LATER.search(folded)):
            context_year += int(later.group(1))  # "5 years later, the regime goes on": the text moves on
    return _merge(out)


# Types that name what was done to people; the others (a strike, a protest) often only describe them
# ("police fired on striking workers"), so they stand alone only when nothing harder is said.
_HARD = ("killing", "sentencing", "detention", "ban", "legislation", "military_action")
_SOFT_ORDER = ("protest", "persecution", "strike", "meeting")


def _targets_country(hits: list[tuple[str, Hit]]) -> bool:
    """An attack, an invasion or a meeting happens in the country the sentence names ("the attack against
    Syria", "a meeting of the delegations took place in the Greek Parliament")."""
    return any(t in ("military_action", "meeting") for t, _ in hits)


def _primary(hits: list[tuple[str, Hit]]) -> list[tuple[str, Hit]]:
    hard = [h for h in hits if h[0] in _HARD]
    # "PAME held a rally ... ten years after the massacre of the striking oil workers": the rally is the news,
    # "striking" only says who was killed; of the softer types a protest is the likeliest report.
    soft = sorted((h for h in hits if h[0] not in _HARD), key=lambda h: _SOFT_ORDER.index(h[0]))
    return hard[:2] + soft[:1] if hard else soft[:2]


def _date(text: str, folded: str, dates: list[DateMention], context_year: int | None, year: int | None) -> str | None:
    for mention in dates:
        if mention.has_year:
            return mention.value
        if context_year:
            return mention.with_year(context_year).value
    for phrase, delta in _RELATIVE_YEAR.items():
        if phrase in folded and year:
            return str(year + delta)  # "last year" with no day or month
    names = month_names()
    words = _WORD.findall(folded) if context_year else []
    for word in words if not names.keys().isdisjoint(words) else ():
        if word in names and len(word) > 3:
            return f"{context_year:04d}-{names[word]:02d}"  # "In April" of the year the text is about
    years = re.findall(r"(?<!\d)(19[5-9]\d|20[0-4]\d)(?!\d)", text)
    return years[0] if years else None


CURATED = 10**9  # places.csv rows outrank GeoNames with a population beyond any real one
BIG_CITY = 1_000_000  # a city this large is a place wherever it stands; smaller ones need "in", "at"...


@lru_cache(maxsize=memo.TEXTS)
def _place(text: str) -> tuple[str | None, str | None]:
    """The city where the sentence says something happened: a curated place, a big city, or a city after
    "in"/"at"/"near"/"em"/"в"/"στην"... ("Police" in Poland is not the police of Istanbul)."""
    gaz = gazetteer()
    locative = _locative()
    for m in _CAPITALISED.finditer(text):
        words = m.group(0).replace("-", " ").split()
        after_locative: bool | None = None  # looked at only for a word that may be a city
        for candidate in (m.group(0), *(words if len(words) > 1 else ())):
            exact = gaz.lookup(candidate)
            if exact is None and (candidate.isascii() or len(candidate) < 6):
                continue  # no city, and no case form of one
            if after_locative is None:
                after_locative = bool(locative.search(text[max(0, m.start() - 12):m.start()]))
            # A case form ("в Жанаозене") only after a preposition: "Харькову" is Kharkova, not Kharkiv.
            found = exact or (_inflected(candidate) if after_locative else None)
            if found is None or found.population < 15_000:
                continue
            if candidate.isupper() or countries().lookup(candidate) or english(fold(candidate)) != fold(candidate):
                continue  # "KNPRK", "Kazakhstan", "Union", "Confederation": not cities here
            if candidate != m.group(0) and found.population < 100_000:
                continue  # a word of a longer name ("West Bank") is a city only if a large one
            if (exact and found.population >= BIG_CITY) or after_locative:
                return found.name, found.country
    return None, None


@cache
def _locative() -> re.Pattern[str]:
    words = {*load().get("place.prepositions"), "near", "outside", "at", "cerca", "près", "bei", "около", "κοντά"}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})\s+(?:the\s+)?$", re.IGNORECASE)


def _inflected(word: str) -> Place | None:
    """"Жанаозене", "Ζανάοζεν": a case form of a city name, tried without its ending."""
    if word.isascii() or len(word) < 6:
        return None
    gaz = gazetteer()
    for cut in (1, 2):
        for ending in ("", "а", "ы", "е", "ς", "η", "ι", "ο"):
            found = gaz.lookup(word[:-cut] + ending)
            if found is not None:
                return found
    return None


@lru_cache(maxsize=memo.TEXTS)
def _countries_in(text: str) -> tuple[str, ...]:
    return tuple(code for code in countries().codes_in(fold(text)) if code != NO_COUNTRY)


def _country_named(text: str) -> str | None:
    real = _countries_in(text)
    return real[0] if real else None


def _has_words(text: str, n: int) -> bool:
    return sum(1 for _ in islice(_WORD.finditer(text), n)) >= n


def _last_year(text: str, years_here: list[int]) -> int | None:
    """The last year a sentence names: a bare year, else the year of its last full date ("16.12.2011")."""
    if years_here:
        return years_here[-1]
    if not _DATED_YEAR.search(text):
        return None  # no number a date's year could be in
    years = [int(d.value[:4]) for d in find_dates(text) if d.has_year]
    return years[-1] if years else None


def _main_country(sentences: list[Sentence]) -> str | None:
    """The country the document is about: the one its sentences name most."""
    counts: Counter[str] = Counter()
    # A signatory's country says nothing of where things happened: prose only.
    prose = [s.text for s in sentences if not s.listed and len(s.text.split()) >= 8]
    for text in prose:
        for named in _countries_in(text):
            counts[named] += 1
    for text in prose:
        _, city_country = _place(text)
        if city_country:
            counts[city_country] += 2
    return counts.most_common(1)[0][0] if counts else None


@dataclass(frozen=True, slots=True)
class _Number:
    start: int
    end: int
    value: int
    raw: str  # as written: "70", "more than 600" is "600", "seventy"


def _numbers(text: str, folded: str, in_dates: list[tuple[int, int]]) -> list[_Number]:
    """The numbers of a sentence that may count people or organisations: no days of dates, no years, no
    measures ("seven years", "13 percent", "240 measures")."""
    lexicon = load()
    units = lexicon.pattern("units.words", folded=True)
    out: list[_Number] = []
    for m in _NUMBER.finditer(text):
        raw = m.group(1)
        if any(s <= m.start() < e for s, e in in_dates):
            continue  # the day of a date
        if units.match(folded, m.end()) or units.match(folded[m.end():].lstrip()):
            continue
        digits = re.sub(r"[.,\s]", "", raw)
        if len(digits) > MAX_DIGITS:
            continue  # a serial number or a string of digits, not a count (and int() refuses 4,301 digits)
        value = int(digits)
        if 1900 <= value <= 2099 and len(raw) == 4:
            continue  # a year
        out.append(_Number(m.start(), m.end(), value, raw))
    numbers = lexicon.tables.get("numbers", {})
    if numbers.keys().isdisjoint(_LETTERS.findall(folded)):
        return out
    for w in _LETTERS.finditer(folded):
        if w.group(0) in numbers and not units.match(folded[w.end():].lstrip()):
            out.append(_Number(w.start(), w.end(), int(numbers[w.group(0)]), w.group(0)))
    return out


def _count(numbers: list[_Number], folded: str, cue_start: int, cue_end: int) -> tuple[int | None, str | None]:
    """The number that counts the people or organisations a cue word speaks of."""
    best: tuple[int, int, str] | None = None  # distance, value, text
    for n in numbers:
        # "164 people were killed": a count stands before its verb more often than after it, and may stand far
        # before it ("eight lawyers who had come to Soma to help the families were detained").
        before = n.end <= cue_start
        distance = cue_start - n.end if before else abs(n.start - cue_end) + AFTER_PENALTY
        if distance <= (COUNT_WINDOW_BEFORE if before else COUNT_WINDOW) and (best is None or distance < best[0]):
            best = (distance, n.value, n.raw)
    if best is not None:
        return best[1], best[2]
    return None, _vague(folded)


@lru_cache(maxsize=memo.TEXTS)
def _vague(folded: str) -> str | None:
    """A quantity with no number ("dozens", "hundreds", "десятки"): a claim, but no count."""
    found = load().pattern("vague.words", folded=True).search(folded)
    return found.group(0) if found else None


def _merge(found: list[Found]) -> list[Found]:
    """One happening mentioned twice is one event: same type, same place or none, dates that agree."""
    out: list[Found] = []
    for item in found:
        for kept in out:
            a, b = kept.event, item.event
            if a.type != b.type or (a.place and b.place and a.place != b.place):
                continue
            if a.date and b.date and not (kept.assumed or item.assumed) \
                    and not (a.date.startswith(b.date) or b.date.startswith(a.date)):
                continue
            _fill(kept, item)
            break
        else:
            out.append(item)
    return out


def _fill(kept: Found, item: Found) -> None:
    a, b = kept.event, item.event
    if a.place is None and b.place is not None:
        a.place, a.country = b.place, b.country  # the mention that says where it happened says it best
    if b.date and not item.assumed and (kept.assumed or a.date is None or len(b.date) > len(a.date)):
        a.date, kept.assumed = b.date, False
    a.place = a.place or b.place
    a.country = a.country or b.country
    if a.count is None and b.count is not None:
        a.count, kept.claim = b.count, item.claim
    kept.sources.append(item.evidence)
