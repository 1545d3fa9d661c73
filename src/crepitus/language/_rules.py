"""ConText trigger phrases and the closed word classes that cut text into clauses.

Triggers follow ConText (Harkema et al. 2009; medspaCy's defaults): each has a category and a
direction. A forward trigger modifies what follows it up to the end of its clause, a backward one
what precedes it back to the clause start; another trigger also ends a scope. Pseudo-triggers are
phrases that contain a trigger word but modify nothing ("not only", "no doubt"); being longer,
they win over the word inside them. Phrases are matched on spaCy's NORM, so "n't" reads as "not",
"cant"/"cannot" as "can not".
"""

from __future__ import annotations

import re
from typing import Final, Literal


def words(text: str) -> frozenset[str]:
    """A set of words written as one string, for readable word lists."""
    return frozenset(text.split())


#: A digit anywhere: a text without one skips every pattern that needs a number.
DIGIT: Final = re.compile(r"\d")


def led_by(letters: str, pattern: str) -> str:
    """``pattern``, looked for only where one of ``letters`` stands (in either case under re.I).

    A scan tries a pattern at every position of the text; one that starts with a word
    boundary and one of many words costs several microseconds a text, most of it at positions
    where no word could start. Looking at the first letter first skips those three or four
    times faster, with the same matches, provided every match begins with one of ``letters``
    (tests/language/test_parse_derived.py proves it for each)."""
    return f"(?=[{letters}])(?:{pattern})"


Category = Literal[
    "negated", "historical", "hypothetical", "other", "family", "uncertain", "pseudo"
]
Direction = Literal["forward", "backward", "both"]


def _each(direction: Direction, phrases: str) -> list[tuple[str, Direction]]:
    """Phrases written comma-separated (and wrapped anywhere), each with the same direction."""
    return [(" ".join(p.split()), direction) for p in phrases.split(",") if p.strip()]


#: The latest year read as the past in "in 2015" (see "historical" below).
_LAST_PAST_YEAR: Final = 2025

# (phrase, direction) by category. "family" is "other" said of a blood relative.
TRIGGERS: Final[dict[Category, list[tuple[str, Direction]]]] = {
    "negated": [
        *_each(
            "forward",
            """
            no, not, never, without, w/o, denies, denied, deny, denying, nor, neither, none,
            nothing, nil, zero, negative for, free of, absence of, absent, no sign of, no signs
            of, no evidence of, no history of, no h/o, no hx of, no hx, no pmh, no pmh of, no pmhx,
            nil pmh, no past history of, no past medical history of, no complaints of, no
            longer, lack of, lacks, lacking, rules out, ruled out, haven't had any, not had any,
            did not have, doesn't have, hasn't had, never had, no more, no real, no actual,
            stopped having, no issues with, no problems with, no trouble with, no difficulty, no
            episodes of, no new, not experienced, no ongoing, no further, resolution of, no
            significant, nothing like, nothing in the way of, don't get any, don't have any, not
            any, no obvious, declined, declines, refused, refuses
        """,
        ),
        *_each(
            "backward",
            """
            free, neg, negative, -ve, is negative, are negative, was negative, not present,
            ruled out, resolved, has resolved, have resolved, gone, has gone, have gone,
            went away, has gone away, is gone,
            are gone, disappeared, cleared up, is fine, are fine, was fine, feel fine, feels fine,
            is normal, are normal, is ok, are ok, is okay, are okay, unremarkable, intact, nad,
            not an issue, not a problem, is not a problem, no problem
        """,
        ),
    ],
    "historical": [
        *_each(
            "forward",
            """
            history of, h/o, hx of, hx, pmh, pmhx, pmh:, past medical history, past history of,
            previous, previously had, prior, used to, once had, formerly, s/p, status post, as a
            child i, in the past i
        """,
        ),
        *_each(
            "both",
            """
            years ago, year ago, decades ago, years back, year back, long ago, a long
            time ago, ages ago, last year, the year before, when i was younger, when i was a kid,
            when i was a child, when i was a teenager, when i was young, as a child, as a kid, as
            a teenager, as a teen, in my teens, in my twenties, in my 20s, in my thirties, in my
            30s, in my youth, growing up, in the past, previously, in childhood, in my younger
            days, in remission from
        """,
        ),
        # A past year ("a fall back in 2015", "Back in 2019 I had sciatica"). The list ends a
        # year before this release: a later year is simply not read as history (the safe side).
        *[
            (p, "both")
            for y in range(1950, _LAST_PAST_YEAR + 1)
            for p in (f"in {y}", f"back in {y}")
        ],
        *_each(
            "backward",
            """
            before
        """,
        ),
    ],
    "hypothetical": [
        *_each(
            "forward",
            """
            if, in case, just in case, what if, should i, should it, could it be, could this be,
            might it be, would it, worried about, worried it, worried that it, worried this,
            worried i, worried it could be, worried it might be, worried it may be, worried that
            it could be, worried that it might be, worried it's, worried that it's, worried it is,
            afraid it could be, afraid it might be, scared it could be, scared it might be,
            worried that i, worry about, worrying about, worried of, afraid of, afraid it, afraid
            that, scared of, scared it, scared that, fear of, fear it, frightened of, risk of, at
            risk of, chance of, chances of, to prevent, prevent, preventing, prevention of, to
            avoid, avoid, avoiding, watch for, watch out for, look out for, looking out for, in
            the event, unless, return if, seek help if, call if, could lead to, lead to, leads to,
            can lead to, warning signs, red flags, whether, will get, i will get, in future,
            can end up, could end up, might end up, may end up, will end up, would end up, can
            cause, could cause, can result in, could result in, can leave you, could leave you
        """,
        ),
        *_each(
            "backward",
            """
            or not
        """,
        ),
    ],
    "uncertain": [
        *_each(
            "forward",
            """
            might, may, may have, might have, might be, may be, could be, could have, possible,
            not sure if, not sure whether, unsure, unsure if, unsure whether, not certain,
            uncertain, unclear, not clear, don't know if, don't know whether, do not know if, not
            know if, dont know if, can't tell, can not tell, hard to tell, hard to say, difficult
            to say, can't say, can not say, can't remember, can not remember, don't remember, do
            not remember, not remember, query, ?, r/o, rule out, to rule out, suspected, suspect,
            suspicion of, concern for, concerned about, question of, questionable, equivocal,
            wonder if, wondering if, i wonder, wondering whether, don't think, do not think, not
            think, doubt, i doubt, kind of maybe, sort of maybe, not really sure, think maybe,
            could possibly, potentially, presumably, apparently
        """,
        ),
        *_each(
            "both",
            """
            maybe, perhaps, possibly, not sure, or something
        """,
        ),
    ],
    "family": [
        *_each(
            "forward",
            """
            mother, mom, mum, mummy, mommy, father, dad, daddy, papa, parent, parents, brother,
            brothers, sister, sisters, sibling, siblings, son, sons, daughter, daughters, child,
            children, kids, grandmother, grandma, granny, gran, nan, nana, nanna, grandfather,
            grandpa, granddad, grandad, grandparent, grandparents, aunt, auntie, aunty, uncle,
            cousin, cousins, niece, nephew, twin, family, relative, relatives, family history,
            family history of, family hx, fhx, fh, fh:, f/h, mother's, father's, maternal,
            paternal, mother has, father has, my mother, my father, my mum, my mom, my dad, my
            brother, my sister, my son, my daughter, my grandmother, my grandfather, my nan, my
            grandma, my grandpa, my aunt, my uncle, my cousin, my family, my parents, my twin, her
            mother, her father, his mother, his father, her sister, his brother, her brother, his
            sister
        """,
        ),
        *_each(
            "backward",
            """
            runs in the family, runs in my family, runs in our family, in the family, in my
            family, in our family, in my mother, in my father, in my mum, in my dad, in my sister,
            in my brother, on my mother's side, on my father's side, on my mum's side, on my dad's
            side
        """,
        ),
    ],
    "other": [
        *_each(
            "forward",
            """
            wife, husband, partner, girlfriend, boyfriend, fiance, fiancee, fiancé, fiancée,
            spouse, chiropractor, chiro, osteopath, massage therapist, friend, friends, mate,
            colleague, colleagues, coworker, coworkers, co-worker,
            co-workers, boss, roommate, flatmate, housemate, neighbour, neighbor, someone,
            somebody, people, everyone, everybody, a lot of people, many people, others, other
            people, my wife, my husband, my partner, my girlfriend, my boyfriend, my friend, my
            mate, my colleague, my boss, my roommate, my flatmate, my neighbour, my neighbor, a
            friend, a colleague
        """,
        ),
    ],
    "pseudo": [
        *_each(
            "forward",
            """
            it's not the, it is not the, it isn't the, not so much the,
            not only, not just, no doubt, without a doubt, no change, no matter, no wonder, not
            necessarily, not bad, not too bad, not sure why, not sure what, no idea why, no idea
            what, don't know why, don't know what, do not know why, dont know why, not know why,
            not because, not always, not unless, no reason, for no reason, c/o, complains of,
            don't know if it's normal, don't know if this is normal, do not know if it is normal,
            not sure if it's normal, not sure if this is normal, not sure it's normal,
            wondering if it's normal, wonder if it's normal, is this normal, is that normal,
            not gonna lie, not going to lie, i won't lie, won't lie, wont lie, not to lie, ngl,
            complaining of, presents with, presenting with, if anything, as if, even if, if so, if
            not, nothing else, not much else, not long ago, not long after, no sooner, in the past
            few, in the past couple, the last year, for the last year, since last year, over the
            last year, is it normal, is it just, whether or not, family doctor, family physician,
            family gp, family practice, family medicine, never felt anything like, never had
            anything like, never felt like this, never had this before, never had it before, nothing
            like this before, never experienced anything like, not like anything i've had,
            without trying, without meaning to, without dieting, without doing anything, without
            any reason, without warning, without thinking, without fail, like someone else's,
            like somebody else's, someone else's bum, somebody else's bum, someone else's bottom,
            somebody else's bottom, like it belongs to someone else, like it's not mine,
            not sure if it's related, not sure if it's even related, not sure it's related,
            not sure if they're related, don't know if it's related, may not be related,
            might not be related, not sure if it's connected, not sure if this is related,
            like someone elses, someone elses bum, someone elses bottom, it's someone else's,
            it is someone else's, its someone elses, it's somebody else's
        """,
        ),
    ],
}

# Words that make a comma or coordinator the start of a new clause ("..., and I have ...").
SUBJECT_STARTERS: Final = words(
    "i im ive id ill it its me my he she we they you there this that these those now then "
    "also lately recently today tonight yesterday sometimes otherwise everything his her our "
    "their your the still plus since although though"
)
# Finite verbs that, right after "and"/"or", start a new clause with the subject left out ("no
# saddle change and has to rush to pass urine"): a denial before them does not reach past them.
FINITE_VERBS: Final = words(
    "has have had is was were does did gets got feels felt needs needed can can't cannot could "
    "says said reports reported notes noted noticed complains complained describes developed "
    "started began woke keeps kept"
)
# Verbs that start a new clause after a comma, the subject left out ("..., felt faint").
CLAUSE_VERBS: Final = words(
    "felt feel feeling feels came went got woke noticed started began thought"
)
# "... last year, that was the worst pain": a clause that goes on about what was just dated.
PAST_REFERENCE: Final = words("that it which this")
PAST_BE: Final = words("was were had did")
# Hedges that, right before a number, qualify the number, not what is said.
NUMBER_HEDGES: Final = words("maybe perhaps possibly probably")
QUANTITY_WORDS: Final = words(
    "one two three four five six seven eight nine ten twelve twenty fifty hundred once twice "
    "several dozen times"
)
FEW_WORDS: Final = words("few couple dozen handful")  # "maybe a few times a day"
# "-ing" words that say a thing happens, not what the person does ("happening all day long").
OCCURRING: Final = words("happening occurring recurring going coming continuing lasting being")
# A one-word answer that denies the question before it ("Pins and needles? No.").
NO_ANSWERS: Final = words("no nope nah none never nil negative")
# Always end a scope (ConText terminators): the clause after them is about something else.
TERMINATORS: Final = words(
    "but however except although though whereas nevertheless nonetheless yet apart aside "
    "besides instead"
)
# Coordinators and punctuation that start a clause only before a new subject.
COORDINATORS: Final = frozenset([",", ":", "and", "or", "nor", "so", "then", "&", "+", "/"])
# Subordinators end a negation's scope but not a segment ("no pain when it clicks").
SUBORDINATORS: Final = words(
    "when whenever while whilst if unless because cause cos coz until till which who whom "
    "whose where wherever"
)
# Words that turn from a denial to what is there instead ("no pain, just clicking").
CONTRASTS: Final = words("just only rather instead mostly simply merely")
# ...and these only before a subject ("since I lifted", not "since Monday").
SUBORDINATORS_BEFORE_SUBJECT: Final = words("since after before as once")
DASHES: Final = frozenset(["—", "–", "--", "-", "(", ")", "[", "]", "•", "*", "|"])
SENTENCE_END_CHARS: Final = ".!?;…"

FIRST_PERSON: Final = words("i me my myself mine im ive id ill")
THIRD_PERSON: Final = words("he she him his her hers himself herself")

# A "years ago" or "last year" that dates an onset is not history ("it started years ago").
ONSET_WORDS: Final = words(
    "started start starts began begin begins begun since first developed noticed came been ongoing"
)
# Words that, after a comma, start a new event in a story: an "other person" scope ends there.
EVENT_STARTERS: Final = words("a an then suddenly next")
# Prepositions after which "my" is no new subject ("numbness in my legs").
PREPOSITIONS: Final = words("in on at to from of with around into between under through down up")
# "fine since", "ok ever since": a recovery, not an onset.
WELL_WORDS: Final = words("fine ok okay well good better healed normal recovered")
# Abbreviations whose full stop, before a lower-case word or a number, ends no sentence.
NOTE_ABBREVIATIONS: Final = words(
    "bilat approx incl pt pts hx sx yo vs dr wk wks mth mths yr yrs hr hrs min mins mod sev prn "
    "bd tds qds od nocte mg ml lt rt assoc exam neuro resp obs meds"
)
# Clinical "history of" phrases that, after a duration ("6 week history of", "2/52 hx of"), say how
# long the complaint has gone on rather than that it is over.
HISTORY_OF: Final = frozenset(["history of", "hx of", "hx", "h/o"])
NOTE_DURATION: Final = re.compile(
    r"\d+(?:/(?:7|52|12))?|\d+-?(?:day|week|month|year)s?|\d+(?:h|hr|hrs|d|w|wk|wks|m|mo|y|yr|yrs)"
)
# Words of onset that make a severe pain a sudden severe one (language/_derive.py).
SUDDEN_WORDS: Final = words("sudden suddenly abrupt abruptly")
# Words of a normal state that end a phrase of absence ("bowels normal", "legs are fine").
STATE_WORDS: Final = words("normal fine ok okay unremarkable intact nad")
# "last year" after these is a current duration ("for the last year", "since last year").
DURATION_LEADS: Final = words("the since for over during throughout past this")
# "in the past" followed by these is a duration ("in the past few weeks").
DURATION_UNITS: Final = words(
    "few couple several week weeks month months day days year years fortnight hour hours while"
    " wk wks mth mths yr yrs"
)
# "used to" after a form of "be"/"get" is "accustomed to" ("I'm used to it").
BE_GET: Final = words("am is are was were be been being get got getting 'm 's 're")

# Clinical and texting shorthand read as the word it stands for, in the lexicon's phrases and in
# the text alike (spaCy's NORM of the lexeme): "no leg sx" is "no leg symptoms", "anal tone ↓"
# is "anal tone reduced". Written in every case they are used in; the capital side letters only
# ("SLR +ve L", "R sciatica"): a lower-case "l" or "r" is too often something else.
SHORTHAND: Final[dict[str, str]] = {
    **{v: w for k, w in {
        "sx": "symptoms", "bilat": "bilateral", "wt": "weight", "anaes": "anaesthesia",
        "anaesth": "anaesthesia", "anesth": "anesthesia", "abdo": "abdominal",
        "pts": "patients", "yrs": "years", "wks": "weeks", "mths": "months", "bc": "because",
        "b/c": "because", "w/": "with", "thru": "through", "tho": "though", "wk": "week",
        "yr": "year", "mth": "month", "mnth": "month", "mnths": "months",
    }.items() for v in (k, k.upper(), k.title())},
    "↓": "reduced", "↑": "increased", "⬇": "reduced", "⬆": "increased",
    "L": "left", "R": "right", "Lt": "left", "Rt": "right", "LT": "left",
}  # fmt: skip

# Third-person words read as first person when matching the lexicon, so that phrases written as a
# person says them ("can't feel when I need to pee") also match what is said of someone else
# ("he can't feel when he needs to pee"). Whose statement it is stays with the triggers, which
# see the words as written: "she" is still someone else in a first-person text.
PERSON_NORMS: Final[dict[str, str]] = {
    "he": "i", "she": "i", "his": "my", "her": "my", "him": "me", "hers": "mine",
    "himself": "myself", "herself": "myself",
}  # fmt: skip
# Third-person verb forms read as the base form, in the lexicon and the text alike.
VERB_NORMS: Final[dict[str, str]] = {
    "needs": "need", "feels": "feel", "has": "have", "does": "do", "wets": "wet",
    "leaks": "leak", "wakes": "wake", "gets": "get", "goes": "go", "hurts": "hurt",
    "struggles": "struggle", "strains": "strain", "notices": "notice", "says": "say",
    "wees": "wee", "pees": "pee", "poos": "poo", "dribbles": "dribble", "wipes": "wipe",
}  # fmt: skip
