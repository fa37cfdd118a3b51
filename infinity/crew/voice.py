"""A voice per persona, grown from the genome like the rest of the person.

Four shared templates made 24 crew members sound like four. Here each
persona gets its own register (formality from conscientiousness and
agreeableness), length (extraversion: a terse voice drops the lead-ins, a
chatty one adds fillers and afterthoughts), vocabulary (which of several
phrasings it uses for each thing it says, fixed per person), a way of
addressing people ("pal", "pilot", "citizen"), a filler word, and the
genome's catchphrase. Everything is picked by a stable hash of the persona,
so the same DNA always speaks the same way; per-line seeds only decide
whether this line gets a filler or the catchphrase.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from infinity.crew.genome import Persona
from infinity.sim import rules

MAX_LINE: Final = rules.SAY_MAX_CHARS
CRUDE, PLAIN, FORMAL = 0, 1, 2

# slot -> phrasings per register (crude, plain, formal); a voice keeps one phrasing per slot.
BANK: Final[dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]]] = {
    "greet": (
        ("What d'you want{to}?", "Yeah{to}?", "Oi{to}.", "You again{to}?", "Make it quick{to}."),
        ("Hello{to}!", "Hey there{to}.", "Hi{to}.", "Good to see you{to}.", "Well met{to}."),
        ("Greetings{to}.", "Good day{to}.", "Well met{to}.", "Salutations{to}.", "Hello{to}."),
    ),
    "farewell": (
        ("Get lost.", "Beat it.", "Later.", "Scram.", "Don't hurry back."),
        ("See you around.", "Take care out there.", "Catch you around the belt!", "Fly safe."),
        ("Farewell.", "Until next time.", "Safe travels.", "Good day to you.", "Godspeed."),
    ),
    "introduce": (
        ("Name's {name}. So what?", "{name}. Who's asking?", "I'm {name}. Don't wear it out."),
        ("I'm {name}. {looks}, you can't miss me.", "The name's {name}.", "{name}, that's me."),
        ("I am {name}, at your service.", "My name is {name}.", "{name}. A pleasure."),
    ),
    "doing": (
        ("{doing}. Happy?", "I'm {doing}. Why d'you care?", "{doing}, what's it look like?"),
        ("Right now? {doing}.", "I'm {doing}.", "Mostly {doing}."),
        ("At present I am {doing}.", "I am currently {doing}.", "My present task: {doing}."),
    ),
    "mood": (
        ("How d'you think? {mood}.", "{mood}. Next question.", "{mood}. Don't ask again."),
        ("Honestly? {mood}.", "{mood}, thanks for asking.", "Oh, {mood_lc}, you know."),
        ("{mood}, thank you for asking.", "I am well enough. {mood}.", "Candidly: {mood_lc}."),
    ),
    "unknown": (
        ("How should I know?", "No clue.", "Beats me.", "Ask someone who cares."),
        ("No idea, sorry.", "Can't help you there.", "Couldn't tell you.", "Hm, no idea."),
        ("I have no information on that.", "I am afraid I cannot say.", "That I do not know."),
    ),
    "recall": (
        ("Yeah, I remember. {memory}", "Sure. {memory}", "Heh. {memory}"),
        ("I remember that. {memory}", "That rings a bell: {memory}", "Oh, that: {memory}"),
        (
            "If I recall correctly: {memory}",
            "I recall this: {memory}",
            "As I remember it: {memory}",
        ),
    ),
    "fact": (
        ("{The_key}? {Value}. Happy?", "{Value}. You told me yourself.", "It's {value}. Keep up."),
        (
            "{The_key}? {Value}, you told me.",
            "You said {the_key} is {value}.",
            "{Value}! I remember.",
        ),
        (
            "You told me {the_key} is {value}.",
            "{The_key} is {value}, as you told me.",
            "{Value}, if memory serves.",
        ),
    ),
    "no_fact": (
        ("You never told me {the_key}.", "{The_key}? No clue.", "Did you ever tell me? No."),
        ("I don't think you ever told me {the_key}.", "Hm, {the_key}? You never said."),
        ("I do not recall being told {the_key}.", "I was never told {the_key}, I believe."),
    ),
    "noted": (
        ("{Value}. Got it.", "Yeah, yeah. {Value}.", "Fine. {The_key} is {value}. Whatever."),
        (
            "{Value}, got it. I'll remember.",
            "Noted: {the_key} is {value}.",
            "I'll remember: {value}.",
        ),
        (
            "Understood: {the_key} is {value}.",
            "Noted. {The_key} is {value}.",
            "I shall remember that: {value}.",
        ),
    ),
    "knows_you": (
        ("Course I remember you. {memory}", "You? Yeah. {memory}", "How could I forget? {memory}"),
        ("Of course I remember you! {memory}", "Sure I do. {memory}", "You? Definitely. {memory}"),
        ("Indeed I remember you. {memory}", "I do remember you. {memory}", "Certainly. {memory}"),
    ),
    "stranger": (
        ("Never seen you before.", "Should I? No.", "Nope. Who are you?"),
        ("Sorry, I don't think we've met.", "Can't say I do.", "Hm, no. Have we met?"),
        ("I do not believe we have met.", "I am afraid I do not recall you.", "I think not."),
    ),
    "opinion_bad": (
        ("{who}? Scum. {memory}", "Don't get me started on {who}. {memory}", "Ugh. {memory}"),
        ("{who}? Trouble, if you ask me. {memory}", "I don't trust {who}. {memory}"),
        ("I have reservations about {who}. {memory}", "{who} is not to be trusted. {memory}"),
    ),
    "opinion_good": (
        ("{who}'s alright. {memory}", "{who}? Could be worse. {memory}"),
        (
            "{who}? Good sort. {memory}",
            "I like {who}. {memory}",
            "No complaints about {who}. {memory}",
        ),
        ("I think well of {who}. {memory}", "{who} has my respect. {memory}"),
    ),
    "opinion_mixed": (
        ("{who}? Eh. {memory}", "What about {who}? {memory}"),
        ("{who}? Hard to say. {memory}", "I know {who} a little. {memory}"),
        ("My impression of {who} is mixed. {memory}", "I know of {who}. {memory}"),
    ),
    "never_heard": (
        ("Never heard of {who}.", "{who}? Who's that?", "No idea who {who} is."),
        ("{who}? Doesn't ring a bell.", "I don't know any {who}.", "Never met {who}, sorry."),
        ("I am not acquainted with {who}.", "The name {who} means nothing to me."),
    ),
    "not_captain": (
        ("You're not my captain.", "Give orders to your own crew.", "Who made you captain?"),
        ("Sorry, I take orders from my captain.", "Nice try. You're not my captain."),
        ("I take orders only from my captain.", "With respect, you do not command this crew."),
    ),
    "threat_brave": (
        ("Come say that to my beams.", "Try it and see.", "Big words. Come closer."),
        ("I'd think twice about that.", "Easy. I shoot back, you know.", "Don't try me."),
        ("I would advise against hostility.", "Threats are unwise. I will defend myself."),
    ),
    "threat_timid": (
        ("Alright, alright, no need for that!", "Whoa, back off!", "Leave me be!"),
        ("Whoa, easy! No need for threats.", "Please, we don't want trouble.", "Hey, calm down!"),
        ("There is no need for violence.", "Please, let us be reasonable.", "Let us not fight."),
    ),
    "request_yes": (
        ("Fine. What d'you need?", "Ugh, alright.", "Depends. What's in it for me?"),
        ("Sure, what do you need?", "Happy to help if I can.", "I'll see what I can do."),
        ("I will help if I can.", "Of course. How can I assist?", "I shall do what I can."),
    ),
    "request_no": (
        ("Not a chance.", "Do it yourself.", "Why would I?"),
        ("Sorry, I can't do that.", "I'd rather not, sorry.", "Not this time."),
        ("I must decline.", "I am afraid I cannot oblige.", "Regrettably, no."),
    ),
    "small_talk": (
        ("Yeah, whatever.", "Uh-huh.", "And?", "So?", "Riveting."),
        ("Quiet out here, isn't it?", "Ha, true enough.", "Mm, I hear you.", "Can't argue there."),
        ("Indeed.", "I see.", "Quite so.", "An interesting thought.", "Just so."),
    ),
    "agree": (
        ("Fine, whatever.", "Yeah, yeah. On it.", "If I must.", "Fine."),
        ("Sure thing!", "On it.", "You got it.", "Will do."),
        ("Understood. Carrying out the order.", "Aye, Captain.", "As you command."),
    ),
    "refuse": (
        ("Not a chance.", "Forget it.", "No way."),
        ("Sorry, I can't do that.", "No, not this one.", "I won't."),
        ("I must respectfully decline.", "I cannot comply.", "I decline."),
    ),
    "destroyed": (
        ("Ha. {who} got scrapped.", "{who}'s slag.", "Scratch one {who}."),
        ("Oh no, {who} just blew apart!", "Did you see that? {who} is gone!", "{who}'s gone."),
        ("{who} has been destroyed.", "We have lost sight of {who}. Destroyed.", "{who} is lost."),
    ),
    "under_fire": (
        ("{who}, you'll pay for that!", "{who}'s shooting at us!", "Taking fire from {who}!"),
        ("Hey! {who} is shooting at us!", "We're hit! It's {who}!", "Taking fire. {who}."),
        ("We are under fire from {who}.", "{who} has opened fire on us.", "Hostile fire: {who}."),
    ),
}
ADDRESS: Final = (
    ("pal", "buddy", "spacer", "chum", "rockhead", "flyboy"),
    ("friend", "pilot", "mate", "traveller", "stranger", "spacer"),
    ("pilot", "citizen", "traveller", "Captain", "my friend", "sir"),
)
FILLERS: Final = (
    ("Look,", "Listen,", "Ugh,", "Eh,", "Pfft,"),
    ("Well,", "Hm,", "Right,", "So,", "Oh,"),
    ("Indeed,", "Well,", "Ah,", "Now,", "Hm,"),
)
AFTERTHOUGHTS: Final = (
    ("Don't push your luck.", "Don't push it.", "Now shove off."),
    ("Anyway.", "You know how it is.", "Such is life out here."),
    ("As it were.", "If you take my meaning.", "That is all."),
)
# Slots whose line may open with the voice's filler ("Well, ...").
LED: Final = frozenset(BANK) - {
    "agree", "refuse", "greet", "farewell", "destroyed", "under_fire", "small_talk"
}  # fmt: skip
# Slots a terse voice says as the bare memory ("Korr shot at us.").
PLAIN_FACTS: Final = frozenset({"recall", "knows_you"})
_SENTENCE_START: Final = re.compile(r"(?<=[.!?] )[a-z]")
# Slots whose line may carry a way of addressing the listener.
ADDRESSED: Final = frozenset(
    {"greet", "farewell", "unknown", "stranger", "request_yes", "request_no", "not_captain",
     "threat_brave", "small_talk", "noted"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Voice:
    """How one person talks: a register, a length, and a phrasing chosen for every slot."""

    register: int  # CRUDE, PLAIN or FORMAL
    verbosity: float  # 0 terse .. 1 chatty (extraversion)
    phrasings: dict[str, str]
    address: str  # how they call a listener whose name they do not use ("" for none)
    filler: str
    afterthought: str
    tic: str  # the genome's catchphrase, possibly empty
    tic_every: int  # say the catchphrase on one line in this many

    @property
    def terse(self) -> bool:
        return self.verbosity < 0.3

    @property
    def chatty(self) -> bool:
        return self.verbosity > 0.65

    def line(self, slot: str, seed: int = 0, **fill: str) -> str:
        """Say `slot` in this voice, filled with `fill` ({memory}, {who}, {to}...)."""
        text = self.core(slot, **fill)
        if slot in ADDRESSED and self.address and not fill.get("to") and not self.terse:
            text = _address(text, self.address)
        if self.chatty and seed % 3 == 0 and slot in LED and self.phrasings[slot][0] != "{":
            text = f"{self.filler} {_lower_first(text)}"
        if self.chatty and seed % 4 == 1:
            text = f"{text} {self.afterthought}"
        if self.tic and seed % self.tic_every == 0:
            text = f"{text} {self.tic}"
        return clip(text)

    def core(self, slot: str, **fill: str) -> str:
        """The bare phrasing for `slot`, filled; a terse voice keeps only what carries meaning."""
        template = self.phrasings[slot]
        if self.terse and slot in PLAIN_FACTS and not template.startswith("{"):
            template = "{memory}"
        values = dict(fill)
        for key in ("the_key", "value", "mood"):
            if key in values:
                values[key[0].upper() + key[1:]] = capital(values[key])
        if "mood" in values:
            values["mood_lc"] = values["mood"][:1].lower() + values["mood"][1:]
        said = template.format_map(_Blank(values)).strip()
        return capital(_SENTENCE_START.sub(lambda m: m.group(0).upper(), said))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def voice_of(persona: Persona) -> Voice:
    """The voice this persona's genes give it (the same persona, the same voice)."""
    return _voice(persona)


@lru_cache(maxsize=4096)
def _voice(persona: Persona) -> Voice:
    t = persona.traits
    style = persona.speech.style
    formality = 0.55 * t.conscientiousness + 0.45 * t.agreeableness
    formality += {"formal": 0.25, "crude": -0.3}.get(style, 0.0)
    register = CRUDE if formality < 0.38 else FORMAL if formality > 0.68 else PLAIN
    verbosity = t.extraversion + {"terse": -0.25, "chatty": 0.25}.get(style, 0.0)
    verbosity = min(1.0, max(0.0, verbosity))
    seed = zlib.crc32(f"{persona.name}|{t.openness}|{t.neuroticism}".encode())
    phrasings = {
        slot: bank[register][_mix(seed, slot) % len(bank[register])] for slot, bank in BANK.items()
    }
    warm = t.agreeableness > 0.35 or register == CRUDE
    address = ADDRESS[register][_mix(seed, "address") % 6] if warm else ""
    return Voice(
        register=register,
        verbosity=verbosity,
        phrasings=phrasings,
        address=address,
        filler=FILLERS[register][_mix(seed, "filler") % len(FILLERS[register])],
        afterthought=AFTERTHOUGHTS[register][_mix(seed, "after") % 3],
        tic=persona.speech.tic,
        tic_every=2 + _mix(seed, "tic") % 3,
    )


def _mix(seed: int, salt: str) -> int:
    return zlib.crc32(salt.encode(), seed)


def _address(text: str, term: str) -> str:
    """Add the term of address to the first sentence: "See you around, pal."."""
    for k, char in enumerate(text):
        if char in ".!?":
            return f"{text[:k]}, {term}{text[k:]}"
    return f"{text}, {term}"


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def _lower_first(text: str) -> str:
    """Lower the first letter after a filler ("Well, sure thing!"), but never "I"."""
    if text[:2] in ("I ", "I'"):
        return text
    return text[:1].lower() + text[1:]


def clip(text: str) -> str:
    """A line fits in one chat message; cut at a word, never mid-word."""
    text = text.strip()
    if len(text) <= MAX_LINE:
        return text
    cut = text[: MAX_LINE - 1].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"
