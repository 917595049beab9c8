"""The Jinja environment the pages render in, one per language.

Imported when the first page is rendered, not at start: until then, Jinja is not loaded.
"""

import threading
from collections.abc import MutableMapping
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, Template, select_autoescape

from app.web import assets, formatting, i18n

APP = Path(__file__).resolve().parents[1]


def _template_dirs() -> list[str]:
    return sorted(str(path) for path in APP.glob("*/templates"))


class _Environment(Environment):
    """Compiles each template once, however many threads ask for it at the same moment: after
    a start, a burst of requests would otherwise compile the same page in every thread."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._loading = threading.RLock()  # a template's parents load while it loads

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> Template:
        with self._loading:
            return super()._load_template(name, globals)


@cache
def environment(language: str) -> Environment:
    env = _Environment(
        loader=FileSystemLoader(_template_dirs()),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        # Templates ship with the code, as Python modules do: a running server does not look
        # at their files' times again on every page.
        auto_reload=False,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(i18n.translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        language=language,
        languages=i18n.NAMES,
        vendor_url=assets.vendor_url,
        local_time=lambda instant, zone, year=True: formatting.local_time(
            instant, zone, language, year=year
        ),
        day=lambda value: formatting.day(value, language),
        money=lambda cents: formatting.money(cents, language),
    )
    return env
