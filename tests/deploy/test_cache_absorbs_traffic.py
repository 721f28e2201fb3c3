"""20,000 requests over every variant through nginx reach the service at most once per variant.

Readers' browsers ask for every badge, picture, page, script and JSON answer in many ways: in its
query form and its path form, with the Accept-Encoding of each browser and the Accept-Language of
each reader, reloads that say ``Cache-Control: no-cache``, ``HEAD``, links carrying tracking
parameters, cache-busting queries on the script and any query on a path form, the page without a
language in each reader's Accept-Language. Four keep-alive clients send them in a shuffled order, so the
first requests for a variant arrive together (the rush after midnight). The service's own request
log says what reached it.
"""

import random
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.deploy.servers import Answer, Client, Origin, OriginRequest, running_nginx
from tests.deploy.variants import ACCEPT_ENCODING_SPELLINGS, READER_LANGUAGES, Variant, every_variant, spellings

REQUESTS = 20_000
CLIENTS = 4
ANY_ACCEPT_ENCODING = [spelling for group in ACCEPT_ENCODING_SPELLINGS.values() for spelling in group]


@dataclass(frozen=True)
class Planned:
    """One request of the flood, and the variant it must get."""

    method: str
    target: str
    headers: list[tuple[str, str]]
    variant: Variant


@dataclass(frozen=True)
class Received:
    planned: Planned
    answer: Answer


def planned_requests(variants: list[Variant]) -> list[Planned]:
    """``REQUESTS`` requests covering every variant, each spelled one of the ways clients spell it."""
    chooser = random.Random(20261203)
    plan = []
    for number in range(REQUESTS):
        variant = variants[number % len(variants)]
        target = chooser.choice([variant.target, *spellings(variant.target, number)])
        spelled = ACCEPT_ENCODING_SPELLINGS[variant.encoding] if variant.compressible else ANY_ACCEPT_ENCODING
        accept_encoding = chooser.choice(spelled)
        headers = [("Accept-Encoding", accept_encoding)] if accept_encoding is not None else []
        # Browsers send their Accept-Language with every request; only the page at `/` without a
        # language may be another variant for it (``variant.accept_language``).
        accept_language = variant.accept_language or chooser.choice([None, *READER_LANGUAGES])
        if accept_language is not None:
            headers.append(("Accept-Language", accept_language))
        if chooser.random() < 0.1:
            headers += [("Cache-Control", "no-cache"), ("Pragma", "no-cache")]
        method = "HEAD" if chooser.random() < 0.05 else "GET"
        plan.append(Planned(method, target, headers, variant))
    chooser.shuffle(plan)
    return plan


def send_all(port: int, plan: list[Planned]) -> list[Received]:
    """``plan`` sent by ``CLIENTS`` keep-alive clients at once, each taking every ``CLIENTS``-th request."""
    received: list[Received] = []
    lock = threading.Lock()

    def run(share: list[Planned]) -> None:
        client = Client(port)
        answered = [
            Received(planned, client.request(planned.method, planned.target, planned.headers)) for planned in share
        ]
        client.close()
        with lock:
            received.extend(answered)

    threads = [threading.Thread(target=run, args=(plan[index::CLIENTS],)) for index in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return received


@dataclass(frozen=True)
class Flood:
    variants: list[Variant]
    received: list[Received]
    reached: list[OriginRequest]
    error_log: str
    """What nginx logged at ``warn`` and above while it served the flood."""


@pytest.fixture(scope="module")
def flood(origin: Origin, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flood]:
    """The 20,000 requests, once, through a fresh nginx; what the clients got and what reached the service."""
    variants = every_variant()
    with running_nginx(tmp_path_factory.mktemp("nginx"), origin.port) as nginx:
        mark = len(origin.requests())
        received = send_all(nginx.port, planned_requests(variants))
        yield Flood(variants, received, origin.requests(mark), nginx.error_log())


def test_twenty_thousand_requests_reach_the_service_at_most_once_per_variant(flood: Flood) -> None:
    assert len(flood.received) == REQUESTS
    assert Counter(received.answer.status for received in flood.received) == Counter({200: REQUESTS})
    reached = Counter(
        Variant(request.target, request.headers.get("accept-encoding", ""), request.headers.get("accept-language", ""))
        for request in flood.reached
    )
    assert {variant: count for variant, count in reached.items() if count > 1} == {}, "variants fetched more than once"
    assert reached == Counter(flood.variants)


def test_every_client_gets_the_services_own_answer_for_its_variant(flood: Flood, origin: Origin) -> None:
    direct = Client(origin.port)
    expected: dict[Variant, Answer] = {}
    for variant in flood.variants:
        headers = {"Accept-Encoding": variant.encoding} if variant.encoding else {}
        if variant.accept_language:
            headers["Accept-Language"] = variant.accept_language
        expected[variant] = direct.request("GET", variant.target, headers)
    direct.close()
    for received in flood.received:
        answer, planned = received.answer, received.planned
        service = expected[planned.variant]
        assert answer.headers.get("content-encoding") == service.headers.get("content-encoding"), planned
        assert answer.headers["etag"] == service.headers["etag"], planned
        assert answer.body == (b"" if planned.method == "HEAD" else service.body), planned


def test_nginx_logs_nothing_while_it_serves_them(flood: Flood) -> None:
    """No warning per request (an unset variable, a refused header): a log that fills with noise hides a real fault."""
    assert flood.error_log == ""
