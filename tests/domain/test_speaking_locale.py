"""messaging.language decides "already speaking it" without babel's str(): the same answer as
str(locale) == code for every locale and code."""
from babel import Locale

from portal.messaging.language import _is

LOCALES = [Locale("en"), Locale("de"), Locale("es"), Locale("en", "US"), Locale("de", "AT"),
           Locale.parse("zh_Hant_TW"), Locale.parse("sr_Latn"), Locale("pt", "BR"),
           Locale.parse("de@euro") if hasattr(Locale("de"), "modifier") else Locale("fr")]
CODES = ["en", "de", "es", "en_US", "de_AT", "pt_BR", "zh_Hant_TW", "sr_Latn", "de@euro", "fr"]


def test_the_same_answer_as_str():
    for locale in LOCALES:
        for code in CODES:
            assert _is(locale, code) == (str(locale) == code), (locale, code)


def test_language_of_keeps_the_answers_it_works_out():
    """language_of's kept answers (messaging/language._CHOSEN) are the fallback worked out
    afresh, for every pair of chosen code and business default, asked twice."""
    from types import SimpleNamespace

    from portal.messaging import language
    codes = ["", None, "en", "de", "DE", "de-AT", "es_MX", "fr", " es ", "xx-YY"]
    for _ in range(2):
        for default in codes:
            settings = SimpleNamespace(default_language=default)
            for code in codes:
                assert language.language_of(code, settings) == language._choose(code, default)
    assert language.language_of("fr", None) == "en"
    assert language.language_of(["de"], None) == language._choose(["de"], "")  # unhashable
