"""The counter JSON says what changes at the next local midnight, so a copy hours old still turns over on time.

A published site is rebuilt by a daily job that may run late; an embedded widget reading
yesterday's ``counter.json`` switches to ``next`` once ``next_change`` has passed. ``next`` must
be exactly what the service itself answers on the next day, and the service's own answers say
they are live (a copy may be stale, the service never is), in a header scripts on other sites can read.
"""

from datetime import UTC, datetime

import pytest

from tests.conftest import SettableClock, make_settings
from widget.web import create_app

DAY_FIELDS = ("count", "ended", "valid_for", "next_change", "label", "message", "sentence", "needs_picture", "colors")
"""What the README says changes at midnight (the rest, like ``lang`` and ``languages``, stays)."""
NOON = datetime(2026, 11, 27, 12, tzinfo=UTC)
NEXT_NOON = datetime(2026, 11, 28, 12, tzinfo=UTC)


def documents(clock: SettableClock, lang: str, **settings: str) -> tuple[dict, dict]:
    """The counter document at noon on the 27th and at noon on the 28th, from the service itself."""
    app = create_app(make_settings(**settings), clock)
    clock.set(NOON)
    today = app.test_client().get(f"/api/{lang}/counter.json").get_json()
    clock.set(NEXT_NOON)
    tomorrow = app.test_client().get(f"/api/counter.json?lang={lang}").get_json()
    return today, tomorrow


@pytest.mark.parametrize("lang", ["fr", "ar", "zgh", "en", "ary"])
def test_next_is_what_the_service_says_the_next_day(clock: SettableClock, lang: str) -> None:
    today, tomorrow = documents(clock, lang)
    assert (today["count"], today["next"]["count"]) == (3979, 3980)
    assert today["next"] == {field: tomorrow[field] for field in DAY_FIELDS}
    assert today["next"]["valid_for"] == "2026-11-28" and today["next"]["next_change"] == "2026-11-29T00:00:00Z"
    assert today["next"]["sentence"] != today["sentence"]


def test_next_tells_the_day_the_block_ends_in_its_words_and_colours(clock: SettableClock) -> None:
    """With the end date tomorrow, ``next`` already says the block lasted, in the ended colours."""
    today, tomorrow = documents(clock, "en", end_date="2026-11-28")
    assert today["ended"] is False and today["next"]["ended"] is True
    assert today["next"] == {field: tomorrow[field] for field in DAY_FIELDS}
    assert "lasted" in today["next"]["sentence"] and "lasted" not in today["sentence"]
    assert today["next"]["colors"]["accent"] != today["colors"]["accent"]


def test_the_services_own_answers_say_they_are_live_for_scripts_on_other_sites(clock: SettableClock) -> None:
    """The widget never takes the service's answer for a stale copy, even on a visitor's clock running ahead."""
    client = create_app(make_settings(), clock).test_client()
    for url in ("/api/counter.json", "/api/zgh/counter.json", "/api/counter.json?lang=ar"):
        headers = client.get(url).headers
        assert headers["Voipdown-Live"] == "1"
        assert headers["Access-Control-Allow-Origin"] == "*"
        exposed = [name.strip().lower() for name in headers["Access-Control-Expose-Headers"].split(",")]
        assert exposed == ["voipdown-live"]
