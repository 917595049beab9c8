"""The demo data set (``konvoi demo``, ``konvoi serve --demo``): the first Water4Ukraine
convoy and two more, declared in ``data`` and loaded through the domain services by
``loader``. The accounts' passwords are random, returned once by ``load_if_empty`` for
``konvoi demo`` to print, and stored nowhere but as argon2 hashes."""

from app.demo.loader import DemoLogin, load, load_if_empty

__all__ = ["DemoLogin", "load", "load_if_empty"]
