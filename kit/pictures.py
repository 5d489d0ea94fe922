"""Avatars, colours and picture passwords: how learners who cannot type sign in.

A learner is shown by an avatar and a colour; a teacher may also give them a picture
password, two of the nine PICTURES, chosen in any order. The password is stored hashed
(it never leaves the kit). Images live in kit/static/learn/pictures/<name>.svg.

Each name comes with its English label, marked for both page catalogues (learn and
teach list this file in their babel.cfg) and translated where it is shown
(kit.web.i18n.translated): the learner's picture buttons, the teacher's roster and cards.
"""

from werkzeug.security import check_password_hash, generate_password_hash


def N_(text):
    """Mark a label for extraction (gettext's N_); it is translated where it is shown."""
    return text


AVATAR_LABELS = {
    "cat": N_("Cat"),
    "dog": N_("Dog"),
    "bird": N_("Bird"),
    "fish": N_("Fish"),
    "lion": N_("Lion"),
    "elephant": N_("Elephant"),
    "frog": N_("Frog"),
    "turtle": N_("Turtle"),
    "rabbit": N_("Rabbit"),
    "owl": N_("Owl"),
    "goat": N_("Goat"),
    "bee": N_("Bee"),
}
COLOUR_LABELS = {
    "red": N_("Red"),
    "orange": N_("Orange"),
    "yellow": N_("Yellow"),
    "green": N_("Green"),
    "teal": N_("Teal"),
    "blue": N_("Blue"),
    "purple": N_("Purple"),
    "pink": N_("Pink"),
    "brown": N_("Brown"),
    "grey": N_("Grey"),
}
PICTURE_LABELS = {
    "sun": N_("Sun"),
    "moon": N_("Moon"),
    "star": N_("Star"),
    "tree": N_("Tree"),
    "flower": N_("Flower"),
    "house": N_("House"),
    "ball": N_("Ball"),
    "car": N_("Car"),
    "boat": N_("Boat"),
}
AVATARS = tuple(AVATAR_LABELS)
COLOURS = tuple(COLOUR_LABELS)
PICTURES = tuple(PICTURE_LABELS)


def _canonical(pair):
    """Return the pair as a sorted "a+b" string; raise ValueError unless two distinct pictures."""
    names = sorted(set(pair))
    if len(names) != 2 or any(name not in PICTURES for name in names):
        raise ValueError("a picture password is two different pictures out of the nine")
    return "+".join(names)


# There are only 36 picture pairs: a slow hash cannot protect them, the per-learner rate
# limit on sign-in does. Salted PBKDF2 with few rounds keeps them out of plain sight in a
# backup at ~0.1 ms a check, where werkzeug's default scrypt costs 32 MB and 0.1-0.5 s of
# CPU per sign-in (measured by bench/, docs/performance.md) -- a whole class signing in at
# once would exhaust a 1 GB Pi.
PICTURE_HASH = "pbkdf2:sha256:100"


def hash_picture_password(pair):
    """Hash a two-picture password for storing in Learner.picture_password."""
    return generate_password_hash(_canonical(pair), method=PICTURE_HASH)


def check_picture_password(stored_hash, pair):
    """True when `pair` matches the stored hash; False for any malformed pair."""
    try:
        return check_password_hash(stored_hash, _canonical(pair))
    except ValueError:
        return False
