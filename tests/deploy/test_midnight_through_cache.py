"""At local midnight nginx stops serving yesterday's answers, and so does every browser it served.

The service and nginx share one clock (libfaketime, set by the test), as on one machine. The
service's ``max-age`` ends at the next Casablanca midnight; nginx must keep its copies until then
and not a second longer, and the copies it hands out must not let a browser keep them longer.
"""

import json
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

from tests.deploy.conftest import TimeTravel
from tests.deploy.servers import Answer, Client
from tests.deploy.variants import DAY, decoded

START = date(2016, 1, 5)
MIDNIGHT = datetime(2026, 12, 4, 0, 0, tzinfo=UTC)
"""The first instant of 4 December 2026 in Casablanca, which is on UTC+0 all that winter."""
TARGETS = (
    "/badge.svg?lang=fr",
    "/badge.png?lang=ar&scale=2",
    "/api/counter.json?lang=en",
    "/?lang=zgh",
    "/embed/text.svg?lang=ary&part=sentence&theme=light",
    "/card.png?lang=fr",
    "/badge/zgh/plastic/dark.svg",
    "/badge/ar/flat/light@2x.png",
    "/api/en/counter.json",
    "/ary/",
    f"/embed/{DAY}/fr/text/message/dark.svg",
    "/card/en.png",
)
"""Query forms, then path forms (which nginx keys without their query): one of each kind of answer."""
BROWSER = {"Accept-Encoding": "gzip, deflate, br", "Accept-Language": "fr-FR,fr;q=0.9"}


def count_on(day: date) -> int:
    """Days since the block began, as of ``day`` (0 on the first day)."""
    return (day - START).days


def count_in(answer: Answer) -> int:
    document = json.loads(decoded(answer.body, answer.headers.get("content-encoding")))
    return int(document["count"])


def fetch_all(client: Client) -> dict[str, Answer]:
    return {target: client.request("GET", target, BROWSER) for target in TARGETS}


def browser_keeps_until(answer: Answer) -> datetime:
    """When a browser's copy of ``answer`` stops being fresh, by RFC 9111's age calculation
    (received now, so the apparent age is now minus ``Date``; plus ``Age`` if a cache sent one)."""
    sent = parsedate_to_datetime(answer.headers["date"])
    max_age = int(answer.headers["cache-control"].partition("max-age=")[2].split(",")[0])
    return sent + timedelta(seconds=max_age - int(answer.headers.get("age", "0")))


def test_the_cache_stops_serving_yesterdays_answers_at_local_midnight(time_travel: TimeTravel) -> None:
    clock, origin, client = time_travel.clock, time_travel.origin, Client(time_travel.nginx.port)
    assert clock.now() < MIDNIGHT - timedelta(minutes=1)
    # Built once beforehand, as nginx will ask (one coding, none for PNG), so each answer's Date and
    # the instant its max-age was counted from are the same second: a cold build can put seconds
    # between them, which no cache can undo.
    direct = Client(origin.port)
    for target in TARGETS:
        direct.request("GET", target, {} if ".png" in target else {"Accept-Encoding": "br"})
    direct.close()
    yesterday = fetch_all(client)
    assert count_in(yesterday["/api/counter.json?lang=en"]) == count_on(date(2026, 12, 3))
    assert count_in(yesterday["/api/en/counter.json"]) == count_on(date(2026, 12, 3))

    clock.set(MIDNIGHT - timedelta(seconds=2))
    late = fetch_all(client)
    for target, answer in late.items():
        assert (answer.headers["x-cache-status"], answer.body) == ("HIT", yesterday[target].body), target
        assert browser_keeps_until(answer) <= MIDNIGHT, (
            target,
            answer.headers["date"],
            answer.headers["cache-control"],
        )

    mark = len(origin.requests())
    clock.set(MIDNIGHT + timedelta(milliseconds=50))
    today = fetch_all(client)
    assert count_in(today["/api/counter.json?lang=en"]) == count_on(date(2026, 12, 4))
    assert count_in(today["/api/en/counter.json"]) == count_on(date(2026, 12, 4))
    for target, answer in today.items():
        assert answer.status == 200
        assert answer.headers["x-cache-status"] == "EXPIRED", target
        assert answer.body != yesterday[target].body, target
    refreshed = {request.target: request for request in origin.requests(mark)}
    assert set(refreshed) == set(TARGETS)
    for target, request in refreshed.items():
        assert request.headers.get("if-none-match") == yesterday[target].headers["etag"], target
        assert request.status == 200
    again = fetch_all(client)
    assert {target: answer.body for target, answer in again.items()} == {t: a.body for t, a in today.items()}
    assert {answer.headers["x-cache-status"] for answer in again.values()} == {"HIT"}
    client.close()


def test_an_expired_entry_that_did_not_change_is_revalidated_with_a_304(time_travel: TimeTravel) -> None:
    clock, origin, client = time_travel.clock, time_travel.origin, Client(time_travel.nginx.port)
    first = client.request("GET", "/embed.js", BROWSER)
    max_age = int(first.headers["cache-control"].partition("max-age=")[2].split(",")[0])
    mark = len(origin.requests())
    clock.set(clock.now() + timedelta(seconds=max_age + 2))
    later = client.request("GET", "/embed.js", BROWSER)
    assert (later.status, later.body, later.headers["etag"]) == (200, first.body, first.headers["etag"])
    assert later.headers["x-cache-status"] == "REVALIDATED"
    revalidation = origin.requests(mark)
    assert [(request.target, request.status) for request in revalidation] == [("/embed.js", 304)]
    assert revalidation[0].headers["if-none-match"] == first.headers["etag"]
    client.close()
