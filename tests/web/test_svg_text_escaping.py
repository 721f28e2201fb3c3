"""Texts with markup characters reach the SVG's ``<title>`` and ``aria-label`` exactly, in a well-formed document.

Today's translations hold no ``<``, ``&`` or ``"``, so a picture that forgot to escape them would
look fine until a translator writes one (a quotation, "AT&T"): then the SVG would no longer
parse, or its accessible name would be cut at the quote. Here the service gets one more
translation file (through the ``translations`` fixture), whose texts are full of them, and each
picture that carries the day's text is parsed with an XML parser: the name a screen reader reads
must be the text, character for character.
"""

import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from babel.numbers import format_decimal
from flask.testing import FlaskClient

from tests.conftest import SettableClock, make_settings
from tests.web.casablanca_calendar import days_on, local_date
from widget.web import create_app

SVG = "{http://www.w3.org/2000/svg}"
CODE, LOCALE = "nl", "nl"
"""A language the service does not ship, written in Latin letters (test data, not a translation)."""
MARKUP_TEXTS = {
    "label": 'VoIP <blocked> & "gone" in Morocco',
    "message": '{count} <days> & "more"',
    "sentence": 'Day {count}: <b>VoIP</b> & "calls" </title><script>x</script> blocked',
}
"""Templates full of what XML must escape, including a closing ``</title>`` and a would-be script."""
INSTANT = datetime(2025, 6, 15, 12, tzinfo=UTC)
"""A day no other test stands on, so no cache anywhere can hand these texts to another test."""
EXPECTED = {
    part: template.replace("{count}", format_decimal(days_on(local_date(INSTANT)), locale=LOCALE))
    for part, template in MARKUP_TEXTS.items()
}
PICTURES = [
    (f"/embed/text.svg?lang={CODE}&part=sentence", "sentence"),
    (f"/embed/text.svg?lang={CODE}&part=label", "label"),
    (f"/embed/text.svg?lang={CODE}&part=message", "message"),
    (f"/embed/text.svg?lang={CODE}&part=sentence&theme=dark", "sentence"),
    (f"/badge.svg?lang={CODE}", "sentence"),
    (f"/embed/badge.svg?lang={CODE}&style=for-the-badge", "sentence"),
]
"""Every SVG URL whose ``<title>`` and ``aria-label`` carry one of the day's texts."""


def translation_file() -> str:
    """A complete translation file whose counter texts are ``MARKUP_TEXTS`` (TOML literal strings keep them raw)."""
    texts = "\n".join(
        [f"label = '{MARKUP_TEXTS['label']}'"]
        + [f"{part}.{form} = '{MARKUP_TEXTS[part]}'" for part in ("message", "sentence") for form in ("one", "other")]
    )
    return f"""[language]
name = "Markup"
locale = "{LOCALE}"
direction = "ltr"
page_fallback = "fr"

[widget]
close = "x"

[running]
{texts}

[ended]
{texts}
"""


@pytest.fixture
def markup_client(translations: Callable[[dict[str, str]], None]) -> FlaskClient:
    """The app with one more language, whose texts are full of markup characters."""
    translations({f"{CODE}.toml": translation_file()})
    return create_app(make_settings(), SettableClock(INSTANT)).test_client()


def test_the_api_carries_the_markup_texts(markup_client: FlaskClient) -> None:
    """The texts really are in force (so the pictures below cannot pass on ordinary texts)."""
    document = markup_client.get(f"/api/counter.json?lang={CODE}").get_json()
    assert {part: document[part] for part in EXPECTED} == EXPECTED


@pytest.mark.parametrize(("url", "part"), PICTURES)
def test_the_pictures_name_is_the_text_exactly(markup_client: FlaskClient, url: str, part: str) -> None:
    response = markup_client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    root = ET.fromstring(response.data)  # raises on a document that is not well-formed
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-label") == EXPECTED[part]
    titles = root.findall(f"{SVG}title")
    assert [title.text for title in titles] == [EXPECTED[part]]
    injected = [element.tag for element in root.iter() if element.tag.removeprefix(SVG) in ("script", "b")]
    assert not injected, injected  # the text's tags stayed text
