"""The Jinja environment the pages render in, one per language."""

import re
from collections.abc import Callable, Iterator, Mapping
from enum import Enum
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from jinja2.ext import Extension
from jinja2.lexer import (
    TOKEN_DOT,
    TOKEN_LPAREN,
    TOKEN_NAME,
    TOKEN_RPAREN,
    TOKEN_STRING,
    Token,
    TokenStream,
)
from markupsafe import Markup, escape

from app.core.bilingual import in_language
from app.web import assets, formatting, i18n

APP = Path(__file__).resolve().parents[1]
# A stored value that is a word of ours ("under_way", "coordinator"), not data typed by people.
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


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
    translations = i18n.translations(language)
    _install_escaping_gettext(env, translations)
    env.add_extension(_translated_when_compiled(translations))

    def word(value: object) -> str:
        """A stored value (an enum's, or one kept in the audit trail) as a word of the page's
        language: "under_way" → "unterwegs", None → "–", True → "yes". The one helper every
        template shows a status, kind, role or reason with."""
        if value is None:
            return "–"
        if isinstance(value, bool):
            return translations.gettext("yes") if value else translations.gettext("no")
        if isinstance(value, Enum):
            value = value.value
        if isinstance(value, str) and _IDENTIFIER.match(value):
            return translations.gettext(value.replace("_", " "))
        return str(value)

    def changed(changes: Mapping[str, Mapping[str, object]]) -> Markup:
        """An audit entry's changes, a line each: the field, its value before and after in
        words. One call for an entry, not three for each field (a board shows 30 entries)."""
        return Markup(  # noqa: S704 (every value escaped here)
            "".join(
                f"<div><code>{escape(field)}</code>: {escape(word(change.get('before')))}"
                f" → {escape(word(change.get('after')))}</div>"
                for field, change in changes.items()
            )
        )

    env.globals.update(
        language=language,
        languages=i18n.NAMES,
        vendor_url=assets.vendor_url,
        own_url=assets.own_url,
        local_time=lambda instant, zone, year=True: formatting.local_time(
            instant, zone, language, year=year
        ),
        day=lambda value: formatting.day(value, language),
        money=lambda cents: formatting.money(cents, language),
        word=word,
        changed=changed,
        money_input=lambda cents: formatting.money_input(cents, language),
        weight=lambda kg: formatting.weight(kg, language),
    )
    env.globals["said"] = _said(language)
    return env


def _said(language: str) -> Callable[[str | None, str | None], Markup]:
    """``said(item.name, item.name_uk)``: the reader's text of a value users typed in two
    languages; on a Ukrainian page without its Ukrainian text, the original marked as not
    translated. Both pieces are escaped by ``Markup.format``."""
    label = i18n.translations(language).gettext(i18n.N_("not translated"))

    def said(original: str | None, ukrainian: str | None) -> Markup:
        shown = in_language(original, ukrainian, language)
        if shown.translated:
            return escape(shown.text)
        return Markup('<span class="untranslated">{0} <small>({1})</small></span>').format(
            shown.text, label
        )

    return said


def _install_escaping_gettext(env: Environment, translations: NullTranslations) -> None:
    """``_()`` and its kin for the pages, returning the translation escaped.

    Jinja's newstyle gettext marks whatever the catalog returns as safe markup when autoescape
    is on, then formats it (pallets/jinja#896), so ``_(value)`` would print a value from the
    data as HTML. Escaped here, a message (ours or, by mistake, a donor's name) is always text;
    the ``%(name)s`` values a message takes are escaped by the same rule.
    """

    def gettext(message: str) -> Markup:
        return escape(translations.gettext(message))

    def ngettext(singular: str, plural: str, n: int) -> Markup:
        return escape(translations.ngettext(singular, plural, n))

    def pgettext(context: str, message: str) -> Markup:
        return escape(translations.pgettext(context, message))

    def npgettext(context: str, singular: str, plural: str, n: int) -> Markup:
        return escape(translations.npgettext(context, singular, plural, n))

    env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext, ngettext, newstyle=True, pgettext=pgettext, npgettext=npgettext
    )

    def say(message: str, **values: object) -> Markup:
        """``_()``, the templates' most frequent call (a board says hundreds of messages):
        what the extension's newstyle ``_`` does (escape, then ``%`` with the values escaped)
        in one call, not three through the template's context."""
        return escape(translations.gettext(message)) % values

    env.globals["_"] = say


def _translated_when_compiled(translations: NullTranslations) -> type[Extension]:
    """``_('Plate')``, a message without values, says the same words on every page of a
    language, and each language has its own environment: its templates are compiled with the
    translation in place of the call, which the autoescape then escapes once as it compiles.
    The driver's phone page said 30 such messages on every load, the board of 60 vehicles
    126 (counted in a profile of each page's render). A message with values
    (``_('on %(vehicle)s', vehicle=...)``) stays a call."""

    class TranslatedWhenCompiled(Extension):
        def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
            # `_` `(` 'message' `)`, not an attribute named `_` (after a dot)
            pending: list[Token] = []
            before = ""
            for token in stream:
                if not pending:
                    if token.type == TOKEN_NAME and token.value == "_" and before != TOKEN_DOT:
                        pending.append(token)
                    else:
                        yield token
                    before = token.type
                    continue
                pending.append(token)
                step = len(pending)
                if step == 2 and token.type == TOKEN_LPAREN:
                    continue
                if step == 3 and token.type == TOKEN_STRING:
                    continue
                if step == 4 and token.type == TOKEN_RPAREN:
                    said = _said_alone(translations, pending[2].value)
                    if said is not None:
                        yield Token(pending[0].lineno, TOKEN_STRING, said)
                        pending.clear()
                        before = TOKEN_STRING
                        continue
                yield from pending
                pending.clear()
                before = token.type
            yield from pending

    return TranslatedWhenCompiled


def _said_alone(translations: NullTranslations, message: str) -> str | None:
    """What ``_(message)`` prints, as ``say`` does (a message is always %-formatted, so
    "%%" prints "%"); None for a message that needs values, left to fail as a call."""
    try:
        return translations.gettext(message) % {}
    except (KeyError, TypeError, ValueError):
        return None
