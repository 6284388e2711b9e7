"""Demo data of the companies app: each capability seeds its part from its own module."""

from .visibility.demo import seed as seed_visibility


def seed(command):
    return seed_visibility(command)
