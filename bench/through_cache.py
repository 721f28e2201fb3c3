"""Throughput through nginx as a shared cache, beside nginx serving the same bytes as static files.

    python3 bench/through_cache.py            # wrk -t2 -c10 -d5s, five rounds per row (about 7 minutes)
    python3 bench/through_cache.py --quick    # -d2s, one round: a check, not a result

One nginx process runs three servers side by side: the shipped ``deploy/nginx.conf`` (filled in
as the deployment tests fill it) in front of ``voipdown serve``; a static server holding, for
each row, the exact body the service sends and the same response headers, as a file, with the
shipped file's own ``open_file_cache`` setting (the same tuning on both sides); and, as a
control, nginx's smallest caching proxy in front of the same service (``proxy_cache_path``,
``proxy_cache``, a key, ``proxy_pass``, and the same ``open_file_cache``): what any nginx cache
costs, so the table shows how much of the gap to static the shipped configuration adds. Each
round loads the service directly, the two caches and the static server with ``wrk`` in turn (the
order rotates every round); ratios to static are taken within each round, and the table shows
medians. Target: the shipped cache at least 0.8 times static. Beside req/s, the CPU time the loaded
server spent per request (nginx's workers serve both sides, one side at a time), which moves less
than req/s when other processes share the cores. Everything runs on loopback.
"""

import argparse
import re
import statistics
import sys
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # this checkout's bench, tests and widget packages

from bench.profiles import QUICK, Profile
from bench.servers import Server, children, cpu_seconds, get, running, spawn_service, wait_ready
from bench.wrk import WrkResult, run_wrk
from tests.deploy.servers import LOOPBACK, SHIPPED_CONFIG, Nginx, free_port, running_nginx

TARGET_RATIO = 0.8
FULL_RUN = replace(QUICK, name="full", rounds=5, duration_s=5, threads=2, connections=10)
QUICK_RUN = replace(QUICK, name="quick", rounds=1, duration_s=2, threads=2, connections=10)
BROWSER_ENCODINGS = "gzip, deflate, br"


@dataclass(frozen=True)
class Row:
    """One URL as a browser asks for it."""

    label: str
    path: str
    accept_encoding: str = BROWSER_ENCODINGS

    @property
    def headers(self) -> tuple[str, ...]:
        return (f"Accept-Encoding: {self.accept_encoding}",)


ROWS = (
    Row("/badge.svg?lang=ar (browser: br)", "/badge.svg?lang=ar"),
    Row("/badge.svg?lang=fr (no Accept-Encoding)", "/badge.svg?lang=fr", accept_encoding="identity"),
    Row("/badge.png?lang=zgh&scale=2", "/badge.png?lang=zgh&scale=2"),
    Row("/api/counter.json?lang=fr (browser: br)", "/api/counter.json?lang=fr"),
)

COPIED_HEADERS = (
    "cache-control",
    "etag",
    "vary",
    "content-encoding",
    "content-security-policy",
    "x-content-type-options",
    "referrer-policy",
    "access-control-allow-origin",
    "cross-origin-resource-policy",
)
"""The service's response headers the static copy sends too, so both answers carry the same bytes
(the cache adds X-Cache-Status; each server writes its own Date, Server and Content-Length)."""


@dataclass
class Measured:
    origin: list[WrkResult] = field(default_factory=list)
    cache: list[WrkResult] = field(default_factory=list)
    minimal: list[WrkResult] = field(default_factory=list)
    static: list[WrkResult] = field(default_factory=list)

    @property
    def ratios(self) -> list[float]:
        """The shipped cache's req/s over static req/s, within each round."""
        return [cache.rps / static.rps for cache, static in zip(self.cache, self.static, strict=True)]

    @property
    def minimal_ratios(self) -> list[float]:
        """The minimal cache's req/s over static req/s, within each round."""
        return [minimal.rps / static.rps for minimal, static in zip(self.minimal, self.static, strict=True)]


def median_cpu(results: list[WrkResult]) -> float:
    """Median CPU time the loaded server spent per request: steadier than req/s on a shared machine."""
    return statistics.median(result.cpu_us_per_request or 0.0 for result in results)


def quoted(value: str) -> str:
    """``value`` inside an nginx double-quoted string."""
    return value.replace("\\", "\\\\").replace('"', '\\"')


def static_server(port: int, root: Path, service: Server) -> str:
    """An nginx server block serving, at ``/<row number>``, what the service sends for that row."""
    locations = []
    for number, row in enumerate(ROWS):
        status, headers, body = get(service.port, row.path, {"Accept-Encoding": row.accept_encoding})
        if status != 200:
            raise RuntimeError(f"{row.path} answered {status}")
        (root / str(number)).write_bytes(body)
        added = "".join(
            f'        add_header {name} "{quoted(headers[name])}";\n'
            for name in COPIED_HEADERS
            if headers[name] is not None
        )
        content_type = headers["content-type"]
        locations.append(f'    location = /{number} {{\n        default_type "{content_type}";\n{added}    }}\n')
    return (
        f"server {{\n    listen {LOOPBACK}:{port};\n    root {root};\n    gzip off;\n    sendfile on;\n"
        f"    tcp_nopush on;\n    {shipped_open_file_cache()}\n    etag off;\n    types {{ }}\n{''.join(locations)}}}\n"
    )


def minimal_cache_server(port: int, origin_port: int, cache_directory: Path) -> str:
    """nginx's smallest caching proxy in front of the service: the control beside the shipped configuration.

    nginx's defaults otherwise: the client's headers go to the service and ``Vary`` is honoured.
    ``X-Cache-Status`` is there for ``check_same_bytes``, as in the shipped file."""
    return (
        f"proxy_cache_path {cache_directory} keys_zone=minimal:1m;\n"
        f"server {{\n    listen {LOOPBACK}:{port};\n    gzip off;\n    sendfile on;\n    tcp_nopush on;\n"
        f"    {shipped_open_file_cache()}\n    add_header X-Cache-Status $upstream_cache_status;\n"
        f"    location / {{\n        proxy_cache minimal;\n        proxy_cache_key $request_uri;\n"
        f"        proxy_pass http://{LOOPBACK}:{origin_port};\n    }}\n}}\n"
    )


def shipped_open_file_cache() -> str:
    """The shipped configuration's ``open_file_cache`` line: the static side gets the same tuning."""
    found = re.search(r"^\s*(open_file_cache\s[^;]*;)", SHIPPED_CONFIG.read_text(encoding="utf-8"), re.MULTILINE)
    if found is None:
        raise RuntimeError("deploy/nginx.conf has no open_file_cache line")
    return found.group(1)


def check_same_bytes(cache_ports: dict[str, int], static_port: int) -> None:
    """Each cache answers HIT with the very bytes the static copy holds, for every row."""
    for number, row in enumerate(ROWS):
        headers = {"Accept-Encoding": row.accept_encoding}
        _, _, static = get(static_port, f"/{number}", headers)
        for side, port in cache_ports.items():
            get(port, row.path, headers)
            _, cached_headers, cached = get(port, row.path, headers)
            if cached_headers["x-cache-status"] != "HIT" or cached != static:
                raise RuntimeError(f"{side} {row.path}: not the static copy's bytes from the cache's store")


def measure(service: Server, nginx: Nginx, minimal_port: int, static_port: int, run: Profile) -> dict[Row, Measured]:
    measured = {row: Measured() for row in ROWS}
    for round_number in range(run.rounds):
        for number, row in enumerate(ROWS):
            loads = [
                ("origin", f"http://{LOOPBACK}:{service.port}{row.path}"),
                ("cache", f"http://{LOOPBACK}:{nginx.port}{row.path}"),
                ("minimal", f"http://{LOOPBACK}:{minimal_port}{row.path}"),
                ("static", f"http://{LOOPBACK}:{static_port}/{number}"),
            ]
            shift = (round_number + number) % len(loads)
            for side, url in loads[shift:] + loads[:shift]:
                processes = [service.pid, *service.workers()] if side == "origin" else children(nginx.process.pid)
                before = cpu_seconds(processes)
                result = run_wrk(url, run, row.headers)
                spent = cpu_seconds(processes) - before
                result = replace(result, cpu_us_per_request=spent * 1e6 / result.requests if result.requests else None)
                if result.bad_status or result.socket_errors:
                    raise RuntimeError(
                        f"{side} {row.path}: {result.bad_status} bad answers, {result.socket_errors} errors"
                    )
                getattr(measured[row], side).append(result)
                print(f"round {round_number + 1} {side:6} {row.path}: {result.rps:,.0f} req/s", file=sys.stderr)
    return measured


def table(measured: dict[Row, Measured], run: Profile, workers: int) -> str:
    lines = [
        f"nginx as a shared cache (deploy/nginx.conf, {workers} workers) vs nginx static, same bytes; "
        f"wrk -t{run.threads} -c{run.connections} -d{run.duration_s}s, {run.rounds} round(s), medians",
        "",
        "| URL | service alone req/s | nginx cache req/s | minimal nginx cache req/s | nginx static req/s "
        "| cache / static | target | minimal cache / static "
        "| CPU µs/request: service, nginx cache, minimal cache, nginx static |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for row, results in measured.items():
        ratio = statistics.median(results.ratios)
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        lines.append(
            f"| `{row.label}` | {statistics.median(r.rps for r in results.origin):,.0f} "
            f"| {statistics.median(r.rps for r in results.cache):,.0f} "
            f"| {statistics.median(r.rps for r in results.minimal):,.0f} "
            f"| {statistics.median(r.rps for r in results.static):,.0f} | {ratio:.2f} | ≥ {TARGET_RATIO} {verdict} "
            f"| {statistics.median(results.minimal_ratios):.2f} "
            f"| {median_cpu(results.origin):.0f}, {median_cpu(results.cache):.1f}, "
            f"{median_cpu(results.minimal):.1f}, {median_cpu(results.static):.1f} |"
        )
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="2-second loads, one round: a check, not a result")
    parser.add_argument("--workers", type=int, default=2, help="nginx worker processes (default 2)")
    arguments = parser.parse_args()
    run = QUICK_RUN if arguments.quick else FULL_RUN
    with tempfile.TemporaryDirectory(prefix="voipdown-through-cache-") as scratch:
        directory = Path(scratch)
        static_root = directory / "static"
        static_root.mkdir()
        with running(spawn_service(directory)) as service:
            wait_ready(service)
            static_port, minimal_port = free_port(), free_port()
            static = static_server(static_port, static_root, service)
            minimal = minimal_cache_server(minimal_port, service.port, directory / "minimal-cache")
            with running_nginx(
                directory / "nginx", service.port, workers=arguments.workers, extra_http=static + minimal
            ) as nginx:
                check_same_bytes({"cache": nginx.port, "minimal": minimal_port}, static_port)
                measured = measure(service, nginx, minimal_port, static_port, run)
    report = table(measured, run, arguments.workers)
    print(report)
    return 0 if all(statistics.median(m.ratios) >= TARGET_RATIO for m in measured.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
