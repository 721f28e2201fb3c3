"""The junk flood: can anyone fill the service's caches so that real visitors pay for it?

Anybody can send URLs that no page links to. A fresh service is flooded with junk of every kind
the service should absorb without keeping a new entry per request (``JUNK_KINDS``), beside a
second fresh service that sees none. Then, in alternating pairs:

- a valid variant that neither has been asked before is loaded on both: the flooded service must
  serve it at ``targets.NEW_VARIANT_AFTER_FLOOD`` times the clean one's rate;
- distinct invalid ``lang`` values, each asked once, are loaded beside a cached badge on the
  flooded service: at least ``targets.INVALID_OVER_CACHED`` times its rate;

and each worker's memory is read after start, after the flood and at the end.
"""

import http.client
import random
import statistics
import string
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.profiles import Profile
from bench.servers import HOST, Server, get, rss_mb, running, spawn_service, wait_ready, wait_workers
from bench.targets import INVALID_OVER_CACHED, NEW_VARIANT_AFTER_FLOOD, Judgement, Target
from bench.wrk import STATUS_COUNTER, Load, Pairs, count_statuses, run_pair
from widget.cli import gunicorn_options
from widget.text.catalog import available_languages

SEED = 20_000
"""The junk is random but the same in every run."""
CONNECTIONS = 8
"""Keep-alive connections the flood is sent over, each from its own thread."""
UNTOUCHED_LANG = "zgh"
"""No junk normalises to a variant in this language, so its variants are new after the flood."""
NEW_VARIANTS = (
    f"/?lang={UNTOUCHED_LANG}",
    f"/badge.svg?lang={UNTOUCHED_LANG}&style=for-the-badge&theme=dark",
    f"/badge.png?lang={UNTOUCHED_LANG}&style=plastic&theme=dark&scale=3",
)
"""Valid variants first asked after the flood."""
CACHED_BADGE = {"/badge.png": "/badge.png?lang=fr", "/badge.svg": "/badge.svg?lang=fr"}
"""The cached badge each invalid-value load is compared with."""


@dataclass(frozen=True)
class Junk:
    """One junk request."""

    kind: str
    path: str
    headers: Mapping[str, str] = field(default_factory=dict)


def _random_case(text: str, chooser: random.Random) -> str:
    return "".join(character.upper() if chooser.random() < 0.5 else character for character in text)


def _tracking(number: int, chooser: random.Random) -> Junk:
    name = chooser.choice(("utm", "utm_source", "utm_campaign", "fbclid", "v"))
    return Junk("page + tracking parameter", f"/?{name}={number}")


def _card_buster(number: int, chooser: random.Random) -> Junk:
    return Junk("card.png?v=N", f"/card.png?v={number}")


def _case_variant(number: int, chooser: random.Random) -> Junk:
    """A valid URL with its names and values in random case and padded with spaces."""
    lang = chooser.choice([code for code in available_languages() if code != UNTOUCHED_LANG])
    parameters = chooser.choice(
        (
            ("/badge.svg", {"lang": lang, "style": "flat-square", "theme": "light"}),
            ("/badge.png", {"lang": lang, "style": "for-the-badge", "scale": "2"}),
            ("/api/counter.json", {"lang": lang}),
            ("/", {"lang": lang}),
        )
    )
    path, query = parameters
    padding = ("", "%20", "+")
    written = "&".join(
        _random_case(name, chooser)
        + "="
        + chooser.choice(padding)
        + _random_case(value, chooser)
        + chooser.choice(padding)
        for name, value in query.items()
    )
    return Junk("case and space variants", f"{path}?{written}")


def _random_host(number: int, chooser: random.Random) -> Junk:
    path = chooser.choice(("/", "/badge.svg?lang=fr", "/api/counter.json", "/embed.js"))
    return Junk("random Host", path, {"Host": f"junk-{number}-{chooser.randrange(10**6)}.example"})


def _invalid_lang(endpoint: str) -> Callable[[int, random.Random], Junk]:
    def junk(number: int, chooser: random.Random) -> Junk:
        value = "".join(chooser.choice(string.ascii_lowercase) for _ in range(8)) + str(number)
        return Junk(f"{endpoint}?lang=<invalid>", f"{endpoint}?lang={value}")

    return junk


JUNK_KINDS: tuple[Callable[[int, random.Random], Junk], ...] = (
    _tracking,
    _card_buster,
    _case_variant,
    _random_host,
    _invalid_lang("/badge.png"),
    _invalid_lang("/badge.svg"),
)


def junk_requests(count: int) -> list[Junk]:
    """``count`` junk requests, the kinds taken in turn."""
    chooser = random.Random(SEED)
    return [JUNK_KINDS[number % len(JUNK_KINDS)](number, chooser) for number in range(count)]


@dataclass
class Flood:
    """What the flood sent and what it did."""

    sent: int = 0
    seconds: float = 0.0
    statuses: dict[str, dict[int, int]] = field(default_factory=dict)
    """Answers by junk kind and status."""
    failures: int = 0
    """Requests that got no answer."""


def _send(requests: list[Junk], port: int, flood: Flood, lock: threading.Lock) -> None:
    """Send ``requests`` in order over one keep-alive connection, re-made when the server closes it."""
    connection: http.client.HTTPConnection | None = None
    counted: dict[str, dict[int, int]] = {}
    failures = 0
    for junk in requests:
        for _ in range(2):
            connection = connection or http.client.HTTPConnection(HOST, port, timeout=30)
            try:
                connection.request("GET", junk.path, headers=dict(junk.headers))
                response = connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                connection = None
                continue
            by_status = counted.setdefault(junk.kind, {})
            by_status[response.status] = by_status.get(response.status, 0) + 1
            if response.will_close:
                connection.close()
                connection = None
            break
        else:
            failures += 1
    if connection is not None:
        connection.close()
    with lock:
        flood.failures += failures
        for kind, by_status in counted.items():
            totals = flood.statuses.setdefault(kind, {})
            for status, count in by_status.items():
                totals[status] = totals.get(status, 0) + count


def send_flood(server: Server, count: int) -> Flood:
    """``count`` junk requests spread over ``CONNECTIONS`` connections."""
    requests = junk_requests(count)
    flood, lock = Flood(sent=count), threading.Lock()
    threads = [
        threading.Thread(target=_send, args=(requests[index::CONNECTIONS], server.port, flood, lock))
        for index in range(CONNECTIONS)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    flood.seconds = time.perf_counter() - started
    return flood


def wrk_script(path: str, distinct_lang: bool) -> str:
    """A wrk script asking ``path`` (with a new invalid ``lang`` each time, if ``distinct_lang``), counting statuses.

    Both sides of a pair run it, so wrk spends the same on each: only the URL differs.
    """
    suffix = ' .. "?lang=zz" .. id .. "n" .. counter' if distinct_lang else ""
    request = f"""
local counter = 0
function request()
  counter = counter + 1
  return wrk.format("GET", "{path}"{suffix})
end
"""
    return STATUS_COUNTER + request


@dataclass
class Comparison:
    """A row of pairs: what each side loads, and the target of their ratio."""

    label: str
    target: Target
    measured: Load
    reference: Load
    pairs: Pairs = field(default_factory=Pairs)

    def judgement(self) -> Judgement:
        return Judgement(self.label, self.ratio, self.target, self.pairs.failure)

    @property
    def ratio(self) -> float | None:
        """Median of the per-pair ratios."""
        return statistics.median(self.pairs.ratios) if self.pairs.ratios else None

    @property
    def measured_statuses(self) -> dict[int, int]:
        """Answers to the measured side, by status, over every round."""
        return count_statuses(self.pairs.measured)


@dataclass
class FloodResults:
    """Everything the flood measure found."""

    flood: Flood = field(default_factory=Flood)
    new_variants: list[Comparison] = field(default_factory=list)
    invalid_values: list[Comparison] = field(default_factory=list)
    workers: dict[str, list[int]] = field(default_factory=dict)
    """Worker pids of the ``flooded`` and ``clean`` services."""
    rss: dict[str, dict[int, float | None]] = field(default_factory=dict)
    """Worker RSS of both services by moment: after start, after the flood, at the end."""

    def judgements(self) -> list[Judgement]:
        return [comparison.judgement() for comparison in [*self.new_variants, *self.invalid_values]]


def measure_flood(profile: Profile, log_dir: Path, log: Callable[[str], None]) -> FloodResults:
    """Flood one of two fresh services; load new variants on both, invalid values beside a cached badge."""
    results = FloodResults()
    worker_count = int(gunicorn_options(HOST, 0)["workers"])
    with running(spawn_service(log_dir, "flooded")) as flooded, running(spawn_service(log_dir, "clean")) as clean:
        for server in (flooded, clean):
            wait_ready(server)
            results.workers[server.name] = wait_workers(server, worker_count)
        every_worker = [*results.workers["flooded"], *results.workers["clean"]]
        results.rss["after start"] = {pid: rss_mb(pid) for pid in every_worker}
        log(f"junk flood: {profile.junk_requests:,} requests to the flooded service")
        results.flood = send_flood(flooded, profile.junk_requests)
        results.rss["after the flood"] = {pid: rss_mb(pid) for pid in every_worker}
        log(f"junk flood sent in {results.flood.seconds:.1f} s: {results.flood.statuses}")
        # Each valid URL is asked once before it is loaded, so that no run starts with every connection building
        # the same answer at once: the rounds measure whether the answer was kept. Statuses show in the loads.
        for path in NEW_VARIANTS:
            get(flooded.port, path)
            get(clean.port, path)
        for path in CACHED_BADGE.values():
            get(flooded.port, path)
        results.new_variants = [
            Comparison(
                f"new variant after the flood `{path}` / same on a clean service",
                NEW_VARIANT_AFTER_FLOOD,
                Load(flooded, path, script=wrk_script(path, distinct_lang=False)),
                Load(clean, path, script=wrk_script(path, distinct_lang=False)),
            )
            for path in NEW_VARIANTS
        ]
        results.invalid_values = [
            Comparison(
                f"distinct invalid `{endpoint}?lang=` / cached `{cached}`",
                INVALID_OVER_CACHED,
                Load(flooded, endpoint, script=wrk_script(endpoint, distinct_lang=True)),
                Load(flooded, cached, script=wrk_script(cached, distinct_lang=False)),
            )
            for endpoint, cached in CACHED_BADGE.items()
        ]
        for round_index in range(profile.rounds):
            for comparison in [*results.new_variants, *results.invalid_values]:
                run_pair(comparison.pairs, comparison.measured, comparison.reference, round_index, profile)
            for comparison in [*results.new_variants, *results.invalid_values]:
                if comparison.pairs.ratios:
                    log(f"round {round_index + 1} {comparison.label}: {comparison.pairs.ratios[-1]:.2f}")
        results.rss["at the end"] = {pid: rss_mb(pid) for pid in every_worker}
    return results
