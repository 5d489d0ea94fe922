"""Avatars, colours and picture passwords: how learners who cannot type sign in.

A learner is shown by an avatar and a colour; a teacher may also give them a picture
password, two of the nine PICTURES, chosen in any order. The password is stored hashed
(it never leaves the kit). Images live in kit/static/learn/pictures/<name>.svg.
"""

from werkzeug.security import check_password_hash, generate_password_hash

AVATARS = ("cat", "dog", "bird", "fish", "lion", "elephant", "frog", "turtle", "rabbit", "owl", "goat", "bee")
COLOURS = ("red", "orange", "yellow", "green", "teal", "blue", "purple", "pink", "brown", "grey")
PICTURES = ("sun", "moon", "star", "tree", "flower", "house", "ball", "car", "boat")


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
