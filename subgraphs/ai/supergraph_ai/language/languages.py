"""Languages by ISO 639-1 code, the form the API speaks: the set lingua knows (75 languages)."""

from __future__ import annotations

from lingua import Language

from ..errors import BadUserInput

_BY_CODE = {language.iso_code_639_1.name.lower(): language for language in Language.all()}


def parse_language(code: str, argument: str) -> Language:
    language = _BY_CODE.get(code.strip().lower())
    if language is None:
        raise BadUserInput(f"{code!r} is not an ISO 639-1 code of a supported language", argument)
    return language


def code_of(language: Language) -> str:
    return language.iso_code_639_1.name.lower()


def name_of(language: Language) -> str:
    return language.name.capitalize()


def supported_codes() -> list[str]:
    return sorted(_BY_CODE)
