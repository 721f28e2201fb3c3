"""Adding a language is adding a translation file: a sixth one shows up everywhere without a code change.

The service's translation folder is replaced, for each test, by a temporary copy holding the five
files and one more: Tachelhit written in Tifinagh (a script many systems have no font for, so the
embed script must show it as pictures) or Kabyle written in Latin letters (shown as text). The
texts are test data, not translations. The new language must appear in the JSON (in the list of
languages, with its texts), as badges, on the landing page, and through the embed script in
Chromium, which has never heard of it.
"""

import io
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from babel.numbers import format_decimal
from flask.testing import FlaskClient
from PIL import Image

from tests.browser.embed_support import HostSite, Shadows, host_page, script_tag, serving, wait_until
from tests.conftest import SettableClock, make_settings
from widget.web import create_app

COUNT = 3979
"""The count on the test clock's day (27 November 2026)."""
SVG = "{http://www.w3.org/2000/svg}"


@dataclass(frozen=True)
class NewLanguage:
    """A translation file the service has never seen, and what it must say on the test's day."""

    code: str
    name: str
    locale: str
    label: str
    sentence: str
    """The running sentence's ``other`` form; ``{count}`` becomes the number."""
    message: str
    pictured: bool
    """Whether its script needs pictures (Tifinagh) or is shown as text (Latin)."""

    def file(self) -> str:
        forms = "\n".join(
            f'{kind}.{form} = "{template}"'
            for kind, template in (("message", self.message), ("sentence", self.sentence))
            for form in ("one", "few", "other")
            if form != "few" or self.code == "shi"
        )
        return f"""[language]
name = "{self.name}"
locale = "{self.locale}"
direction = "ltr"
page_fallback = "fr"

[widget]
close = "x"

[running]
label = "{self.label}"
{forms}

[ended]
label = "{self.label}"
{forms}
"""

    def says(self, template: str) -> str:
        return template.replace("{count}", format_decimal(COUNT, locale=self.locale))


TACHELHIT = NewLanguage(
    "shi",
    "ⵜⴰⵛⵍⵃⵉⵜ",
    "shi_Tfng_MA",
    "ⴰⴳⴷⴰⵍ VoIP",
    "{count} ⵡⵓⵙⵙⴰⵏ ⵏ ⵓⴳⴷⴰⵍ",  # noqa: RUF001 (Tifinagh, not Latin)
    "{count} ⵡⵓⵙⵙⴰⵏ",
    pictured=True,
)
KABYLE = NewLanguage(
    "kab", "Taqbaylit", "kab_DZ", "VoIP yettwaḥebsen", "{count} n wussan n uḥbas", "{count} n wussan", pictured=False
)


@pytest.fixture(params=[TACHELHIT, KABYLE], ids=lambda language: language.code)
def new_language(request: pytest.FixtureRequest, translations: Callable[[dict[str, str]], None]) -> NewLanguage:
    """The service's translations plus one file."""
    language: NewLanguage = request.param
    translations({f"{language.code}.toml": language.file()})
    return language


@pytest.fixture
def client_with(new_language: NewLanguage, clock: SettableClock) -> FlaskClient:
    return create_app(make_settings(), clock).test_client()


def test_the_api_lists_the_new_language_and_speaks_it(new_language: NewLanguage, client_with: FlaskClient) -> None:
    assert new_language.code in client_with.get("/api/counter.json").get_json()["languages"]
    document = client_with.get(f"/api/counter.json?lang={new_language.code}").get_json()
    assert (document["lang"], document["language_name"]) == (new_language.code, new_language.name)
    assert document["sentence"] == new_language.says(new_language.sentence)
    assert document["label"] == new_language.label
    expected = new_language.pictured
    assert document["needs_picture"] == {"sentence": expected, "label": expected, "message": expected}
    shields = client_with.get(f"/api/shields.json?lang={new_language.code}").get_json()
    assert shields["message"] == new_language.says(new_language.message)


def test_badges_are_drawn_in_the_new_language(new_language: NewLanguage, client_with: FlaskClient) -> None:
    svg = client_with.get(f"/badge.svg?lang={new_language.code}&style=for-the-badge")
    assert svg.status_code == 200
    root = ET.fromstring(svg.data)
    assert root.attrib["lang"] == new_language.code
    assert root.attrib["aria-label"] == new_language.says(new_language.sentence)
    assert list(root.iter(f"{SVG}path")), "the texts are drawn as outlines"
    png = client_with.get(f"/badge.png?lang={new_language.code}&style=for-the-badge&scale=2")
    assert png.status_code == 200
    assert Image.open(io.BytesIO(png.data)).size == (2 * int(root.attrib["width"]), 2 * int(root.attrib["height"]))
    text = client_with.get(f"/embed/text.svg?lang={new_language.code}&part=label")
    assert text.status_code == 200 and f'aria-label="{new_language.label}"' in text.get_data(as_text=True)


def test_the_page_offers_and_speaks_the_new_language(new_language: NewLanguage, client_with: FlaskClient) -> None:
    page = client_with.get(f"/?lang={new_language.code}").get_data(as_text=True)
    assert f'<html lang="{new_language.code}"' in page
    assert new_language.says(new_language.sentence) in page
    english = client_with.get("/?lang=en").get_data(as_text=True)
    assert f'href="http://localhost/{new_language.code}/"' in english and new_language.name in english
    assert f'<option value="{new_language.code}"' in english
    negotiated = client_with.get("/", headers={"Accept-Language": f"{new_language.code}, en;q=0.5"})
    assert negotiated.headers["Content-Language"] == new_language.code


def test_the_embed_script_shows_the_new_language(new_language: NewLanguage, clock: SettableClock, browser: Any) -> None:
    """In Chromium: one widget asks for it by ``data-lang``, another gets it from the page's ``<html lang>``."""
    blog = HostSite()
    with serving(create_app(make_settings(), clock)) as service, serving(blog) as blog_url:
        blog.url = blog_url
        page = host_page(
            service,
            aside=[script_tag(f"{service}/embed.js", data_lang=new_language.code.upper())],
            footer=[script_tag(f"{service}/embed.js", data_variant="ribbon")],
            lang=f"{new_language.code}-MA",
            direction="ltr",
        )
        url = blog.put(f"/{new_language.code}.html", page)
        context = browser.new_context(viewport={"width": 1280, "height": 800}, reduced_motion="reduce")
        try:
            tab = context.new_page()
            errors: list[str] = []
            tab.on("pageerror", lambda error: errors.append(str(error)))
            shadows = Shadows(tab)
            tab.goto(url)
            footer, ribbon = wait_until(
                lambda: (found := shadows.widgets()) and len(found) == 2 and found, what="two widgets"
            )
            footer_link = shadows.accessible(shadows.roots()[0], "a")
        finally:
            context.close()
    sentence, message = new_language.says(new_language.sentence), new_language.says(new_language.message)
    assert (footer["lang"], ribbon["lang"]) == (new_language.code, new_language.code)
    assert footer_link == {"role": "link", "name": sentence}, "what a screen reader says"
    if new_language.pictured:
        # Drawn from outlines, one picture per word, each line named by its whole text.
        assert [line["label"] for line in footer["pictured"]] == [sentence]
        assert [line["label"] for line in ribbon["pictured"]] == [message, new_language.label]
        assert all(line["words"] >= 1 for line in footer["pictured"] + ribbon["pictured"])
        assert footer["text"].strip() == ""
    else:
        assert footer["images"] == [] and ribbon["images"] == []
        assert footer["text"] == sentence
        assert message in ribbon["text"] and new_language.label in ribbon["text"]
    assert errors == []
