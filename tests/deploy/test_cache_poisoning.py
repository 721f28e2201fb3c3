"""Hostile requests sent to nginx cannot change what it keeps for everyone else.

Each attempt runs against an empty cache and goes first: the attacker asks for every entry that
clean readers will ask for (each URL in each encoding) with the hostile header or request line,
so any answer it could bend would be the one stored. Then clean readers ask, and must get
exactly the bytes the service gives a clean request. The service's request log shows why: no
hostile header ever reaches it, only the public host name, the encoding and (for the page without
a language) the reader's Accept-Language.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.deploy.servers import PUBLIC_HOST, Answer, Client, Origin, running_nginx
from tests.deploy.variants import DAY

EVIL = "evil.example"
READER_LANGUAGE = "fr-FR,fr;q=0.9,en;q=0.8"
ENCODINGS = {"br": "gzip, deflate, br", "gzip": "gzip, deflate", "": ""}
"""How clean readers ask for each encoding ("" for a client that sends no Accept-Encoding)."""

TARGETS = (
    "/?lang=ary",
    "/",
    "/api/counter.json?lang=fr",
    "/badge.svg?lang=ar",
    "/embed.js",
    "/card.png?lang=en",
    "/ar/",
    "/badge/zgh/flat/dark.svg",
    "/card/ary.png",
    f"/embed/{DAY}/ar/text/sentence/light.svg",
)
"""Entries readers use: the page (which carries absolute URLs) with and without a language, the JSON
the embed script reads, a badge, the script, the social card; then path forms, which nginx keys
and forwards without their query: the page, a badge, the card, one of the script's pictures."""

COMPARED_HEADERS = (
    "content-type",
    "content-encoding",
    "content-language",
    "etag",
    "vary",
    "content-security-policy",
    "access-control-allow-origin",
    "cross-origin-resource-policy",
    "location",
)


@dataclass(frozen=True)
class Attempt:
    """A hostile header (or request-line trick) added to every request of one attack."""

    name: str
    headers: tuple[tuple[str, str], ...] = ()
    absolute_form: bool = False
    """Send the target as ``http://evil.example/...`` in the request line."""

    def chooses_variant(self, target: str) -> bool:
        """Whether the attempt sends a header the key of ``target`` is made of (a legitimate choice of
        another variant): Accept-Encoding anywhere, Accept-Language on the page at `/` only."""
        read = ("accept-encoding", "accept-language") if target == "/" else ("accept-encoding",)
        return any(name.lower() in read for name, _ in self.headers)


HEADER_ATTEMPTS = [
    ("Host", EVIL),
    ("Host", f"{EVIL}:8443"),
    ("Host", f"{PUBLIC_HOST}.{EVIL}"),
    ("Host", "localhost"),
    ("X-Forwarded-Host", EVIL),
    ("X-Forwarded-Host", f"{PUBLIC_HOST}, {EVIL}"),
    ("X-Forwarded-Proto", "http"),
    ("X-Forwarded-Proto", "gopher"),
    ("X-Forwarded-Scheme", "http"),
    ("X-Scheme", "http"),
    ("X-Url-Scheme", "http"),
    ("X-Forwarded-Ssl", "on"),
    ("X-Forwarded-Ssl", "off"),
    ("X-Forwarded-Protocol", "ssl"),
    ("Front-End-Https", "on"),
    ("X-Forwarded-Port", "8443"),
    ("X-Forwarded-Prefix", "/evil"),
    ("X-Forwarded-For", "203.0.113.9"),
    ("X-Real-IP", "203.0.113.9"),
    ("Forwarded", f"for=203.0.113.9;host={EVIL};proto=http"),
    ("Forwarded", 'for="[2001:db8::1]";host="evil.example:8443";proto=https'),
    ("X-Original-URL", "/badge.svg?lang=ar&style=plastic"),
    ("X-Rewrite-URL", "/badge.svg?lang=ar&style=plastic"),
    ("X-Original-Host", EVIL),
    ("X-Host", EVIL),
    ("X-Forwarded-Server", EVIL),
    ("X-HTTP-Host-Override", EVIL),
    ("SCRIPT_NAME", f"//{EVIL}"),
    ("Script-Name", f"//{EVIL}"),
    ("X-Script-Name", f"//{EVIL}"),
    ("PATH_INFO", "/badge.svg"),
    ("X-HTTP-Method-Override", "HEAD"),
    ("Accept-Encoding", "br;q=0, gzip;q=0"),
    ("Accept-Encoding", "*"),
    ("Accept-Encoding", "compress, deflate"),
    ("Accept-Encoding", "identity;q=0"),
    ("Accept-Encoding", "gzip;q=0.001, br;q=0.0001"),
    ("Accept-Encoding", "BR, GZIP"),
    ("Accept-Encoding", "b" * 4000),
    ("Accept-Language", "xx-evil"),
    ("Accept-Language", "ar;q=0.1, en;q=0.9"),
    ("Accept-Language", "*"),
    ("Accept-Language", "<script>alert(1)</script>"),
    ("Accept-Language", "a" * 3000),
    ("Range", "bytes=0-99"),
    ("If-None-Match", "*"),
    ("If-Modified-Since", "Thu, 01 Jan 2099 00:00:00 GMT"),
    ("Cache-Control", "no-cache, no-store"),
    ("Pragma", "no-cache"),
    ("Cookie", "session=evil"),
    ("Authorization", "Basic ZXZpbDpldmls"),
    ("Origin", f"https://{EVIL}"),
    ("Accept", "text/plain"),
    ("Connection", "X-Forwarded-Host, X-Forwarded-Proto"),
]
ATTEMPTS = [Attempt(f"{name}: {value[:40]}", ((name, value),)) for name, value in HEADER_ATTEMPTS]
ATTEMPTS += [
    Attempt("absolute-form request line naming another host", absolute_form=True),
    Attempt(
        "every forwarding header at once",
        (
            ("Host", EVIL),
            ("X-Forwarded-Host", EVIL),
            ("X-Forwarded-Proto", "http"),
            ("X-Forwarded-Ssl", "on"),
            ("Forwarded", f"host={EVIL};proto=http"),
            ("X-Original-URL", "/evil"),
        ),
    ),
]


def clean_headers(accept_encoding: str) -> list[tuple[str, str]]:
    """A reader's request headers: a browser sends its Accept-Language with every request."""
    headers = [("Accept-Encoding", accept_encoding)] if accept_encoding else []
    return [*headers, ("Accept-Language", READER_LANGUAGE)]


def hostile_request(attempt: Attempt, target: str, accept_encoding: str) -> tuple[str, list[tuple[str, str]]]:
    """The clean request for ``target`` with the attempt's headers taking the place of the clean ones."""
    replaced = {name.lower() for name, _ in attempt.headers}
    headers = [(name, value) for name, value in clean_headers(accept_encoding) if name.lower() not in replaced]
    headers += list(attempt.headers)
    return (f"http://{EVIL}{target}" if attempt.absolute_form else target), headers


def comparable(answer: Answer) -> tuple[object, ...]:
    return (answer.status, answer.body, *(answer.headers.get(name) for name in COMPARED_HEADERS))


@pytest.fixture(scope="module")
def clean_answers(origin: Origin) -> Iterator[dict[tuple[str, str], Answer]]:
    """What the service itself sends clean readers, asked directly."""
    direct = Client(origin.port)
    yield {
        (target, encoding): direct.request("GET", target, clean_headers(encoding))
        for target in TARGETS
        for encoding in ENCODINGS.values()
    }
    direct.close()


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=lambda attempt: attempt.name)
def test_hostile_requests_sent_first_neither_reach_the_service_nor_change_what_readers_get(
    attempt: Attempt, origin: Origin, clean_answers: dict[tuple[str, str], Answer], tmp_path: Path
) -> None:
    mark = len(origin.requests())
    with running_nginx(tmp_path / "nginx", origin.port, workers=1) as nginx:
        attacker = Client(nginx.port)
        for target in TARGETS:
            for encoding in ENCODINGS.values():
                hostile_target, headers = hostile_request(attempt, target, encoding)
                attacker.request("GET", hostile_target, headers)
        attacker.close()
        received = origin.requests(mark)
        reader = Client(nginx.port)
        for (target, encoding), clean in clean_answers.items():
            answer = reader.request("GET", target, clean_headers(encoding))
            assert comparable(answer) == comparable(clean), (target, encoding)
            if not attempt.chooses_variant(target):
                assert answer.headers["x-cache-status"] == "HIT", "the reader got the very entry the attack filled"
        reader.close()
    assert received, "the attack filled nothing: it proves nothing"
    for request in received:
        assert request.headers["host"] == PUBLIC_HOST
        assert request.headers.get("accept-encoding", "br") in ("br", "gzip")
        assert set(request.headers) <= {"host", "accept-encoding", "accept-language"}, request
        if "accept-language" in request.headers:
            assert request.target == "/", "Accept-Language reaches the service for the page without a language only"
