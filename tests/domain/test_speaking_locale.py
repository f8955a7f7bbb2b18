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
