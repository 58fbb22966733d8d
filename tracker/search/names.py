"""Korean-aware name matching: one phonetic spelling for Hangul, Revised Romanisation,
McCune–Reischauer and the popular spellings, a coarse key to look names up by, and a score.

Every name is first turned into *sounds*: a short string of symbols, one per Korean sound,
whatever script or system it was written in. Hangul is decomposed into its letters (jamo)
by the Unicode arithmetic; romanised text is read left to right with the rules below. The
*score* compares the sounds of two names with an edit distance whose substitution costs
know which spellings are the same sound (ŏ/eo/o) and which are a different one (o/u). The
*key* collapses the sounds further, so that every spelling of a name has the same key:
it is stored, indexed, and searched by prefix; the score then ranks what the key found.
"""

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz

from tracker.persons.models import KEY_LENGTH

# --- sound symbols -----------------------------------------------------------------------
# Consonants: one symbol per place of articulation, because the romanisations disagree
# on voicing and aspiration. RR writes ㄱ as g and ㅋ as k, MR writes ㄱ as k (or g between
# vowels) and ㅋ as k'; so k/g/kk/k' are one sound K for matching. Likewise t/d/tt/t' (T),
# p/b/pp/p' (P), ch/j/jj/ch'/tch (J), s/ss/sh (S: MR writes 시 shi, RR si).
# ㄹ is r before a vowel and l elsewhere in both systems, and names are spelled either
# way (Ri/Li, Ch'ŏr-ok/Cheol-ok): one sound L. Final ㅇ is "ng": its own symbol Q.
# Vowels: a, E (ㅐ/ㅔ: ae and e, which Koreans no longer tell apart), i, o, u, and the two
# that each system writes differently: ㅓ = RR eo, MR ŏ (often printed without the breve,
# "o"), popular u ("Chul", "Sung"): symbol O. ㅡ = RR eu, MR ŭ (often "u"): symbol U.
# Glides y and w stay as they are.

_INITIALS = "KKnTTLmPPSSQJJJKTPH"  # ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ (ㅇ: silent, dropped)
_VOWELS = ["a", "E", "ya", "yE", "O", "E", "yO", "yE", "o", "wa", "wE", "wE", "yo", "u",
           "wO", "wE", "wi", "yu", "U", "i", "i"]  # fmt: skip
# Finals as RR writes them: ㅅ ㅆ ㅈ ㅊ ㅌ ㅎ all sound (and are written) t.
_FINALS = ["", "K", "K", "K", "n", "n", "n", "T", "L", "K", "m", "L", "L", "L",
           "P", "L", "m", "P", "P", "T", "T", "Q", "T", "T", "K", "T", "P", "T"]  # fmt: skip

# Romanised spellings, longest first: each becomes one sound symbol (see above).
_LATIN = [
    ("tch", "J"), ("ch", "J"), ("sh", "S"), ("ng", "Q"),
    ("kk", "K"), ("gg", "K"), ("tt", "T"), ("pp", "P"), ("ss", "S"), ("jj", "J"),
    ("eo", "O"), ("eu", "U"), ("ui", "i"),  # ㅢ (RR ui, MR ŭi) is said and spelled "i"/"hee"
    ("ee", "i"), ("oo", "u"), ("ou", "O"),  # popular spellings: Hee, Soo, Young (ㅓ)
    ("ae", "E"), ("ai", "E"), ("oe", "wE"), ("oi", "wE"), ("we", "wE"),  # ㅐ/ㅔ, ㅚ/ㅙ/ㅞ
    ("k", "K"), ("g", "K"), ("q", "K"), ("c", "K"), ("t", "T"), ("d", "T"),
    ("p", "P"), ("b", "P"), ("f", "P"), ("v", "P"), ("j", "J"), ("z", "J"), ("x", "S"),
    ("s", "S"), ("r", "L"), ("l", "L"), ("h", "H"), ("e", "E"),
]  # fmt: skip
_LATIN_RE = re.compile("|".join(re.escape(spelling) for spelling, _ in _LATIN) + "|.")
_LATIN_MAP = dict(_LATIN)
_VOWEL_SYMBOLS = set("aEiouOU")

# Family names: each common spelling → the sounds of its Revised Romanisation. Needed where
# the general rules cannot see the sound: English-style spellings (Lee, Rhee, Park with its
# silent r), the dropped initial ㄹ/ㄴ of South Korean usage (Ri/I/Yi, Rim/Im, Ryu/Yu), and
# the one-letter MR forms. Kim/Gim, Choi/Choe, Jung/Jeong/Chung follow from the rules too.
FAMILY_NAMES = [
    ("이", "리", "lee", "yi", "rhee", "ri", "li", "rhie", "ree", "lie", "yee"),
    ("김", "kim", "gim", "ghim"),
    ("박", "park", "pak", "bak", "bahk"),
    ("최", "choi", "choe", "chwe", "choy"),
    ("정", "jung", "jeong", "chung", "chong", "jong", "joung", "cheong"),
    ("강", "kang", "gang"),
    ("조", "cho", "jo", "joe"),
    ("윤", "yoon", "yun", "youn"),
    ("장", "jang", "chang"),
    ("임", "림", "lim", "im", "rim", "yim", "leem"),
    ("한", "han", "hahn"),
    ("오", "oh", "o"),
    ("신", "shin", "sin", "sheen"),
    ("유", "류", "yoo", "yu", "ryu", "you", "rhyu", "lyu"),
    ("서", "seo", "suh"),
    ("안", "ahn", "an"),
    ("송", "song"),
    ("전", "jeon", "chon", "chŏn"),
    ("황", "hwang"),
    ("남", "nam"),
    ("고", "ko", "go", "koh"),
    ("문", "moon", "mun"),
    ("양", "량", "yang", "ryang"),
    ("배", "bae", "pae"),
    ("백", "baek", "paek", "paik", "baik"),
    ("허", "heo", "hur", "huh"),
    ("노", "로", "noh", "no", "roh", "ro"),
]


@lru_cache(maxsize=1)
def _family_by_spelling() -> dict[str, str]:
    """Each spelling of a family name → the sounds of its South Korean Hangul form (the first)."""
    return {
        fold(spelling): "".join(_hangul_sounds(c) for c in names[0])
        for names in FAMILY_NAMES
        for spelling in names
    }


@lru_cache(maxsize=1)
def _family_sounds() -> frozenset[str]:
    return frozenset(_family_by_spelling().values())


# Two-syllable family names: a Hangul name starting with one of these is split after it.
_COMPOUND_FAMILIES = ("남궁", "제갈", "선우", "황보", "독고", "사공", "서문")

_HANGUL_FIRST, _HANGUL_LAST = 0xAC00, 0xD7A3
_SPLIT = re.compile(r"[\s,;/·・]+")
_APOSTROPHES = re.compile(r"['’ʼ`´.]")  # MR's aspiration marks (k', ch'): dropped
_HYPHENS = re.compile(r"[-‐‑–—]+")  # syllable boundaries: Sŏn-gil is not Sŏng-il


def _is_hangul(char: str) -> bool:
    return _HANGUL_FIRST <= ord(char) <= _HANGUL_LAST


def _hangul_sounds(syllable: str) -> str:
    index = ord(syllable) - _HANGUL_FIRST
    initial, rest = divmod(index, 21 * 28)
    vowel, final = divmod(rest, 28)
    start = _INITIALS[initial]
    return ("" if start == "Q" else start) + _VOWELS[vowel] + _FINALS[final]


def fold(text: str) -> str:
    """Lower case without diacritics, except MR's breves, which become the sounds ŏ → O, ŭ → U."""
    decomposed = "".join(
        c if _is_hangul(c) else unicodedata.normalize("NFKD", c) for c in text.lower()
    )
    decomposed = decomposed.replace("o\u0306", "O").replace("u\u0306", "U")
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _latin_sounds(word: str) -> str:
    symbols = [_LATIN_MAP.get(m.group(0), m.group(0)) for m in _LATIN_RE.finditer(word)]
    # h after a vowel and not before one is silent in English-style spellings: Oh, Ahn, Suh, Bahk.
    kept = [
        s
        for i, s in enumerate(symbols)
        if not (
            s == "H"
            and i > 0
            and symbols[i - 1] in _VOWEL_SYMBOLS
            and (i + 1 == len(symbols) or symbols[i + 1] not in _VOWEL_SYMBOLS | {"y", "w"})
        )
    ]
    # A doubled sound (Hanna, Sunny) is one sound; MR's ŭi is ㅢ, like RR's ui (i).
    return re.sub(r"([A-Za-z0-9])\1+", r"\1", "".join(kept)).replace("Ui", "i")


@lru_cache(maxsize=65_536)
def word_sounds(word: str) -> str:
    """The sounds of one word (a name part written in Hangul or any romanisation)."""
    folded = _APOSTROPHES.sub("", fold(word))
    if not _HYPHENS.sub("", folded):
        return ""
    family = _family_by_spelling().get(_HYPHENS.sub("", folded))
    if family is not None:
        return family
    parts = []
    for run in re.findall(r"[\uac00-\ud7a3]+|[a-zOU]+|[^\uac00-\ud7a3a-zOU-]+", folded):
        if _is_hangul(run[0]):
            parts.append("".join(_hangul_sounds(c) for c in run))
        elif run[0].isascii() and run[0].isalnum():
            parts.append(_latin_sounds(run))
        else:
            parts.append(run)  # other scripts (Chinese characters) compare as written
    # ㄹㄹ, ㄴㄹ and ㄹㄴ at syllable edges are all spelled l/ll/nl/ln (Silla, Sinla): one L.
    return re.sub(r"nL|Ln|L+", "L", "".join(parts))


# --- names as family + given --------------------------------------------------------------


@dataclass(frozen=True)
class Reading:
    """One way to read a name: its family and given parts as sounds ('' when unknown)."""

    family: str
    given: str

    @property
    def whole(self) -> str:
        return self.family + self.given


def readings(text: str) -> list[Reading]:
    """Every plausible reading of free text: family name first, family name last, or none."""
    words = [w for w in _SPLIT.split(text.strip()) if w]
    if not words:
        return []
    found: list[Reading] = []
    if len(words) == 1 and all(_is_hangul(c) for c in words[0]) and len(words[0]) >= 2:
        word = words[0]
        size = 2 if word[:2] in _COMPOUND_FAMILIES else 1
        found.append(Reading(word_sounds(word[:size]), word_sounds(word[size:])))
    sounds = [word_sounds(w) for w in words]
    if len(words) >= 2:
        # A known family name says which end the family name is at; else try both ends.
        first, last = sounds[0] in _family_sounds(), sounds[-1] in _family_sounds()
        if first or not last:
            found.append(Reading(sounds[0], "".join(sounds[1:])))
        if last or not first:
            found.append(Reading(sounds[-1], "".join(sounds[:-1])))
    found.append(Reading("", "".join(sounds)))
    return list(dict.fromkeys(found))


def person_readings(
    family: str | None, given: str | None, others: Iterable[str | None] = ()
) -> list[tuple[str, Reading]]:
    """Each written form of a person (its text, to show which one matched) and its reading."""
    forms: list[tuple[str, Reading]] = []
    if family or given:
        shown = " ".join(part for part in (family, given) if part)
        forms.append((shown, Reading(word_sounds(family or ""), _given_sounds(given or ""))))
    for other in others:
        if other and other.strip():
            forms.extend((other.strip(), reading) for reading in readings(other)[:1])
    return forms


def _given_sounds(given: str) -> str:
    return "".join(word_sounds(w) for w in _SPLIT.split(given) if w)


# --- the coarse key ----------------------------------------------------------------------
# Sounds collapse further for the key: every vowel that some system spells o or u (o, u,
# ŏ/eo, ŭ/eu) becomes o, and ㅚ/ㅙ/ㅞ become E after w. So Chul, Cheol, Chol and Ch'ŏl share a
# key; the score still tells o from u apart. Keys hold only the letters a–y (no z, digits,
# spaces or other scripts), so that they sort alike on every database and collation and the
# end of a prefix range is simply the next letter (see tracker/search/services.py).
_KEY_TABLE = str.maketrans({"O": "o", "U": "o", "u": "o", "E": "e", "Q": "q"})
# Keys are cut to the stored column's length (KEY_LENGTH, declared with the column): a Hangul
# syllable reads as up to four sound symbols, so the longest names a form accepts give longer
# keys; a search term's key is cut likewise, so that a cut key is still found by its prefix.


def sounds_key(sounds: str) -> str:
    """The coarse, indexable key of some sounds."""
    return re.sub(r"[^a-y]", "", sounds.translate(_KEY_TABLE).lower())


@lru_cache(maxsize=4096)
def reading_keys(reading: Reading) -> tuple[str, ...]:
    """The keys stored for one reading: family name first, and given name first."""
    family, given = sounds_key(reading.family), sounds_key(reading.given)
    keys = [family + given]
    if family and given:
        keys.append(given + family)
    return tuple(k for k in dict.fromkeys(key[:KEY_LENGTH] for key in keys) if k)


def query_keys(text: str) -> list[str]:
    """The key prefixes a search term is looked up by (as typed; the stored keys hold both
    orders, so a search by given name alone, or given name first, finds them too)."""
    found = readings(text)
    return [k for k in dict.fromkeys(sounds_key(r.whole)[:KEY_LENGTH] for r in found) if k]


# --- the score ---------------------------------------------------------------------------
# Substitution costs between sounds (0 = the same sound, 1 = a different one); any pair not
# listed costs 1. Insertions and deletions cost 1, except a glide (y, w) or h: 0.5.
_SAME_SOUND = {
    frozenset("Oo"): 0.2,  # ŏ printed without its breve: Chol for Chŏl/Cheol
    frozenset("Ou"): 0.2,  # popular spelling of ㅓ: Chul, Sung
    frozenset("Uu"): 0.2,  # ŭ without its breve
    frozenset("UO"): 0.5,
    frozenset("nL"): 0.5,  # ㄴ/ㄹ at syllable edges (Sinla/Silla)
    frozenset("nQ"): 0.8,  # final n/ng: Seon and Seong are different syllables, but near
    frozenset("Ei"): 0.6,
    frozenset("ou"): 1.0,  # ㅗ/ㅜ are different vowels in every system: Ok is not Uk
}
_CHEAP = {"y": 0.5, "w": 0.5, "H": 0.5}


def _cost(a: str, b: str) -> float:
    return 0.0 if a == b else _SAME_SOUND.get(frozenset((a, b)), 1.0)


@lru_cache(maxsize=65_536)
def sound_similarity(a: str, b: str) -> float:
    """How alike two sound strings are, 0..1: 1 − weighted edit distance / the longer length."""
    if a == b:
        return 1.0
    if not a or not b:
        return 0.0
    if not (set(a) | set(b)) <= _ALPHABET:
        return fuzz.ratio(a, b) / 100  # other scripts (Chinese characters): plain similarity
    previous = [0.0]
    for char in b:
        previous.append(previous[-1] + _CHEAP.get(char, 1.0))
    for x in a:
        current = [previous[0] + _CHEAP.get(x, 1.0)]
        for j, y in enumerate(b, start=1):
            current.append(
                min(
                    previous[j] + _CHEAP.get(x, 1.0),
                    current[j - 1] + _CHEAP.get(y, 1.0),
                    previous[j - 1] + _cost(x, y),
                )
            )
        previous = current
    return max(0.0, 1.0 - previous[-1] / max(len(a), len(b)))


_ALPHABET = set("KTPJSLHQmnaEiouOUyw")

# The family name counts for less than the given name: a handful of family names cover most
# Koreans, so agreeing on Kim says little; a different family name still lowers the score.
# The given name's similarity is squared: given names are two short syllables, and one
# different vowel (Ok/Uk) already makes a different name, while spelling variants cost little.
FAMILY_WEIGHT = 0.3


def reading_similarity(a: Reading, b: Reading) -> float:
    """How alike two readings are, 0..1, comparing family with family and given with given
    when both readings know which part is which, else the whole names."""
    whole = sound_similarity(a.whole, b.whole)
    if a.family and b.family and a.given and b.given:
        given = sound_similarity(a.given, b.given) ** 2
        return FAMILY_WEIGHT * sound_similarity(a.family, b.family) + (1 - FAMILY_WEIGHT) * given
    return whole**2


def search_similarity(query: Reading, record: Reading) -> float:
    """Like reading_similarity, but a search term may also be the given name alone, or the
    whole name in the other order (Cheol-ok Kim)."""
    score = reading_similarity(query, record)
    if not query.family and record.family:
        score = max(
            score,
            sound_similarity(query.whole, record.given) ** 2,
            sound_similarity(query.whole, record.given + record.family) ** 2,
        )
    return score


@dataclass(frozen=True)
class Match:
    """How well a search term matched a record: the score (0–100) and the written form."""

    score: int
    variant: str


def best_match(query: str, forms: list[tuple[str, Reading]]) -> Match | None:
    """The best score of `query` against a record's written forms, and which form it was."""
    best: tuple[int, float] | None = None
    shown = ""
    for text, reading in forms:
        for candidate in _query_readings(query):
            # Between forms that score alike, show the one written most like the term.
            rank = (round(100 * search_similarity(candidate, reading)), _written_alike(query, text))
            if best is None or rank > best:
                best, shown = rank, text
    return None if best is None else Match(best[0], shown)


def _written_alike(a: str, b: str) -> float:
    return fuzz.ratio(fold(a), fold(b))


@lru_cache(maxsize=1024)
def _query_readings(query: str) -> tuple[Reading, ...]:
    return tuple(readings(query))


def similarity(a: str, b: str) -> int:
    """The score of two names written as free text, 0–100 (any order, script or system)."""
    scores = [
        round(100 * reading_similarity(x, y))
        for x in readings(a)
        for y in readings(b)
        if bool(x.family) == bool(y.family)
    ]
    return max(scores, default=0)


# Two names at or above this score are taken for the same name (chosen on the table of
# name pairs in tests/search/name_pairs.csv; see README "Name search").
SAME_NAME = 88


def same_name(a: str, b: str) -> bool:
    """Whether two written names are taken for the same name."""
    return similarity(a, b) >= SAME_NAME


def iter_keys(forms: list[tuple[str, Reading]]) -> Iterator[str]:
    """Every distinct key of a record's written forms."""
    seen: set[str] = set()
    for _, reading in forms:
        for key in reading_keys(reading):
            if key not in seen:
                seen.add(key)
                yield key


# --- places ------------------------------------------------------------------------------
# Places are compared as whole names (no family name), by their sounds, so Onsong, Onsŏng and
# 온성 meet; Chinese characters have no sounds here and match as written through a place's
# aliases (丹东 for Dandong), which is what the aliases list is for. A search term may be the
# start of a longer name ("Shenyang" for "Shenyang Prison").
PLACE_MINIMUM = 70
START_OF_NAME = 85
PART_OF_NAME = 80


def place_match(query: str, names: Iterable[str | None]) -> Match | None:
    """How well a search term matches a place known by `names`, or None if it does not."""
    wanted = word_sounds(re.sub(r"\s+", "", query))
    wanted_key, wanted_text = sounds_key(wanted), fold(query).strip() or "\x00"
    numbers = re.findall(r"\d+", query)  # Facility 07 is not Facility 17: numbers must be there
    best: tuple[int, float] | None = None
    shown = ""
    for name in names:
        if not name or not name.strip() or not wanted:
            continue
        if any(number not in re.findall(r"\d+", name) for number in numbers):
            continue
        sounds = word_sounds(re.sub(r"\s+", "", name))
        score = round(100 * sound_similarity(wanted, sounds) ** 2)
        key, text = sounds_key(sounds), fold(name)
        if (wanted_key and key.startswith(wanted_key)) or text.startswith(wanted_text):
            score = max(score, START_OF_NAME)
        elif (wanted_key and wanted_key in key) or wanted_text in text:
            score = max(score, PART_OF_NAME)
        rank = (score, _written_alike(query, name))
        if score >= PLACE_MINIMUM and (best is None or rank > best):
            best, shown = rank, name.strip()
    return None if best is None else Match(best[0], shown)
