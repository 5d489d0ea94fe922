"""Avatars, colours and picture passwords: how learners who cannot type sign in.

A learner is shown by an avatar and a colour; a teacher may also give them a picture
password, two of the nine PICTURES, chosen in any order. The password is stored hashed
(it never leaves the kit). Images live in kit/static/learn/pictures/<name>.svg.
"""

from werkzeug.security import check_password_hash, generate_password_hash

AVATARS = ("cat", "dog", "bird", "fish", "lion", "elephant", "frog", "turtle",
           "rabbit", "owl", "goat", "bee")
COLOURS = ("red", "orange", "yellow", "green", "teal", "blue", "purple", "pink",
           "brown", "grey")
PICTURES = ("sun", "moon", "star", "tree", "flower", "house", "ball", "car", "boat")


def _canonical(pair):
    """Return the pair as a sorted "a+b" string; raise ValueError unless two distinct pictures."""
    names = sorted(set(pair))
    if len(names) != 2 or any(name not in PICTURES for name in names):
        raise ValueError("a picture password is two different pictures out of the nine")
    return "+".join(names)


def hash_picture_password(pair):
    """Hash a two-picture password for storing in Learner.picture_password."""
    return generate_password_hash(_canonical(pair))


def check_picture_password(stored_hash, pair):
    """True when `pair` matches the stored hash; False for any malformed pair."""
    try:
        return check_password_hash(stored_hash, _canonical(pair))
    except ValueError:
        return False
