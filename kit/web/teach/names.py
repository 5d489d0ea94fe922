"""Translated names of avatars, colours and pictures, for teachers' pages and screen readers."""

from flask_babel import gettext as _


def picture_names():
    """Return {name: translated label} for every avatar and picture-password picture."""
    return {
        "cat": _("Cat"),
        "dog": _("Dog"),
        "bird": _("Bird"),
        "fish": _("Fish"),
        "lion": _("Lion"),
        "elephant": _("Elephant"),
        "frog": _("Frog"),
        "turtle": _("Turtle"),
        "rabbit": _("Rabbit"),
        "owl": _("Owl"),
        "goat": _("Goat"),
        "bee": _("Bee"),
        "sun": _("Sun"),
        "moon": _("Moon"),
        "star": _("Star"),
        "tree": _("Tree"),
        "flower": _("Flower"),
        "house": _("House"),
        "ball": _("Ball"),
        "car": _("Car"),
        "boat": _("Boat"),
    }


def colour_names():
    """Return {colour: translated label}."""
    return {
        "red": _("Red"),
        "orange": _("Orange"),
        "yellow": _("Yellow"),
        "green": _("Green"),
        "teal": _("Teal"),
        "blue": _("Blue"),
        "purple": _("Purple"),
        "pink": _("Pink"),
        "brown": _("Brown"),
        "grey": _("Grey"),
    }
