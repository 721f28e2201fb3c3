"""Worker memory: each gunicorn worker serves every variant of every endpoint, then its RSS is read.

Which worker accepts a connection is up to the kernel, so sending every URL once would leave
each worker with about half of them. Instead each worker is given a keep-alive connection that
``/proc`` shows it holds (``PinnedClient``), and every variant goes through it, in each encoding a
client may accept: the figure is a worker that has built and kept everything it can be asked for.
"""

import contextlib
import http.client
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bench.servers import HOST, Server, get, pss_mb, rss_mb
from bench.targets import WORKER_RSS_MB, Judgement
from widget.render.badge import STYLES
from widget.render.palette import THEMES
from widget.render.png import SCALES
from widget.render.sentence import TEXT_THEMES
from widget.text.catalog import available_languages
from widget.web.embed import embed_script
from widget.web.pictures import TEXT_PARTS

ENCODINGS: tuple[Mapping[str, str], ...] = ({}, {"Accept-Encoding": "gzip"}, {"Accept-Encoding": "br"})
"""Each variant is asked as a client that takes no compression, gzip, or brotli would ask it."""


def variants(port: int) -> dict[str, list[str]]:
    """Every URL whose answer the service builds and keeps, by endpoint: its public parameters, crossed."""
    langs = available_languages()
    badges = [(lang, style, theme) for lang in langs for style in STYLES for theme in THEMES]
    families = {
        "badge.svg": [f"/badge.svg?lang={lang}&style={style}&theme={theme}" for lang, style, theme in badges],
        "badge.png": [
            f"/badge.png?lang={lang}&style={style}&theme={theme}&scale={scale}"
            for lang, style, theme in badges
            for scale in SCALES
        ],
        "counter.json": [f"/api/counter.json?lang={lang}" for lang in langs],
        "shields.json": [f"/api/shields.json?lang={lang}" for lang in langs],
        "/": [f"/?lang={lang}" for lang in langs],
        "/card.png": [f"/card.png?lang={lang}" for lang in langs],
        "/embed.js": ["/embed.js"],
        "embed/<hash>.js": [embed_script().versioned_path],
        "embed/text.svg": [
            f"/embed/text.svg?lang={lang}&theme={theme}&part={part}"
            for lang in langs
            for theme in TEXT_THEMES
            for part in TEXT_PARTS
        ],
        "embed/badge.svg": [
            f"/embed/badge.svg?lang={lang}&style={style}&theme={theme}" for lang, style, theme in badges
        ],
        "assets": page_assets(port),
    }
    return families


def page_assets(port: int) -> list[str]:
    """The versioned assets the landing page links to, and the fonts its stylesheet names."""
    _, _, body = get(port, "/")
    found = set(re.findall(r"/assets/[0-9a-f]+/[\w.-]+", body.decode("utf-8", "replace")))
    for path in [path for path in found if path.endswith(".css")]:
        _, _, css = get(port, path)
        folder = path.rsplit("/", 1)[0]
        for name in re.findall(r"url\(\s*[\"']?([\w.-]+)[\"']?\s*\)", css.decode("utf-8", "replace")):
            found.add(f"{folder}/{name}")  # named by a relative URL
    return sorted(found)


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server side of the loopback connection from ``client_port``."""
    local = f"0100007F:{server_port:04X}"
    remote = f"0100007F:{client_port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if fields[1].endswith(local[-13:]) and fields[2].endswith(remote[-13:]) and fields[9] != "0":
                return fields[9]
    return None


def _owner(inode: str, workers: Sequence[int]) -> int | None:
    """The worker holding the socket ``inode`` open."""
    target = f"socket:[{inode}]"
    for pid in workers:
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return pid
    return None


class PinnedClient:
    """A keep-alive connection held by one given worker, re-made (and re-checked) whenever it drops.

    The client opens connections until ``/proc`` shows one accepted by its worker, and closes the others.
    """

    def __init__(self, server: Server, pid: int, workers: Sequence[int], attempts: int = 60) -> None:
        self.server, self.pid, self.workers, self.attempts = server, pid, workers, attempts
        self.connection: http.client.HTTPConnection | None = None
        self.client_port = 0

    def _pin(self) -> bool:
        self.close()
        for _ in range(self.attempts):
            connection = http.client.HTTPConnection(HOST, self.server.port, timeout=30)
            try:
                connection.request("GET", self.server.ready_path)
                connection.getresponse().read()
                client_port = connection.sock.getsockname()[1]
                inode = _socket_inode(self.server.port, client_port)
                owner = _owner(inode, self.workers) if inode else None
            except (OSError, http.client.HTTPException):
                connection.close()
                continue
            if owner == self.pid:
                self.connection, self.client_port = connection, client_port
                return True
            connection.close()
        return False

    def _still_pinned(self) -> bool:
        connection = self.connection
        return (
            connection is not None
            and connection.sock is not None
            and connection.sock.getsockname()[1] == self.client_port
        )

    def fetch(self, path: str, headers: Mapping[str, str]) -> int:
        """GET ``path`` through this worker: its status, or 0 if the worker could not be reached."""
        for _ in range(3):
            if not self._still_pinned() and not self._pin():
                return 0
            assert self.connection is not None
            try:
                self.connection.request("GET", path, headers=dict(headers))
                response = self.connection.getresponse()
                response.read()
            except (OSError, http.client.HTTPException):
                self.close()
                continue
            if response.will_close:
                self.close()  # answered by our worker all the same
            return response.status
        return 0

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
        self.connection = None


@dataclass
class Memory:
    """Worker memory after start, after every variant, and after the throughput load."""

    workers: list[int]
    master_pid: int
    after_start: dict[int, float | None]
    families: dict[str, list[str]] = field(default_factory=dict)
    after_variants: dict[int, float | None] = field(default_factory=dict)
    pss_after_variants: dict[int, float | None] = field(default_factory=dict)
    after_load: dict[int, float | None] = field(default_factory=dict)
    master: float | None = None
    answers: int = 0
    failures: list[str] = field(default_factory=list)
    """Answers that were not 200, and workers that could not be reached."""

    @property
    def variant_count(self) -> int:
        return sum(len(paths) for paths in self.families.values())

    def worker_judgement(self, pid: int) -> Judgement:
        """The worker's largest RSS, after every variant or after the load, against the target."""
        known = [value for value in (self.after_variants.get(pid), self.after_load.get(pid)) if value is not None]
        reason = "" if known else "the worker was gone"
        return Judgement(f"worker {pid} RSS", max(known) if known else None, WORKER_RSS_MB, reason)

    def judgements(self) -> list[Judgement]:
        found = [self.worker_judgement(pid) for pid in self.workers]
        if self.failures:
            found.append(Judgement("every variant answered 200", None, WORKER_RSS_MB, "; ".join(self.failures[:5])))
        return found


def _serve_through(client: PinnedClient, paths: Sequence[str]) -> tuple[int, list[str]]:
    """Every path in every encoding through ``client``: how many answers, and those that were not 200."""
    answers, failures = 0, list[str]()
    for path in paths:
        for headers in ENCODINGS:
            status = client.fetch(path, headers)
            if status == 0:
                return answers, [*failures, f"worker {client.pid} could not be reached"]
            answers += 1
            if status != 200:
                failures.append(f"{path} {dict(headers)} -> {status}")
    return answers, failures


def serve_every_variant(server: Server, workers: list[int], log: Callable[[str], None]) -> Memory:
    """Each worker answers each variant once in each encoding, through a connection it holds; then RSS."""
    memory = Memory(workers, server.pid, {pid: rss_mb(pid) for pid in workers})
    memory.families = variants(server.port)
    paths = [path for family in memory.families.values() for path in family]
    log(f"serving {len(paths)} variants x {len(ENCODINGS)} encodings through each of {len(workers)} workers")
    for pid in workers:
        client = PinnedClient(server, pid, workers)
        try:
            answers, failures = _serve_through(client, paths)
        finally:
            client.close()
        memory.answers += answers
        memory.failures += failures
    memory.after_variants = {pid: rss_mb(pid) for pid in workers}
    memory.pss_after_variants = {pid: pss_mb(pid) for pid in workers}
    memory.master = rss_mb(server.pid)
    return memory
