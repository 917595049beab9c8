"""The Jinja environment the pages render in, one per language."""

from functools import cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from app.web import assets, formatting, i18n

APP = Path(__file__).resolve().parents[1]


def _template_dirs() -> list[str]:
    return sorted(str(path) for path in APP.glob("*/templates"))


@cache
def environment(language: str) -> Environment:
    env = Environment(
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
