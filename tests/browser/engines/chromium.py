"""Chromium through Playwright: the suite's own browser fixture, behind the engine-neutral ``Tab``."""

import io
from typing import Any

from PIL import Image
from playwright.sync_api import Error as PlaywrightError

from tests.browser.engines import decode_result, encode_arguments, json_call


class ChromiumTab:
    """A fresh browser context (no shared cookies or cache) holding one page."""

    def __init__(self, browser: Any, width: int, height: int, color_scheme: str) -> None:
        self.context = browser.new_context(
            viewport={"width": width, "height": height},
            device_scale_factor=1,
            color_scheme=color_scheme,
            reduced_motion="reduce",
        )
        self.page = self.context.new_page()
        self.page.set_default_timeout(30_000)
        self.cdp = self.context.new_cdp_session(self.page)
        self.seen_requests: list[str] = []
        self.errors: list[str] = []
        self.page.on("request", lambda request: self.seen_requests.append(request.url))
        self.page.on("console", self.heard)
        self.page.on("pageerror", lambda error: self.errors.append(f"uncaught: {error}"))

    def heard(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    def open(self, url: str) -> None:
        self.seen_requests.clear()
        self.errors.clear()
        self.page.goto(url)

    def evaluate(self, function: str, *arguments: Any) -> Any:
        try:
            return decode_result(self.page.evaluate(json_call(function), encode_arguments(arguments)))
        except PlaywrightError as error:
            raise AssertionError(f"the page threw: {error.message}") from None

    def in_shadow_roots(self, host_selector: str, function: str) -> list[Any]:
        """Through the DevTools protocol, which lists closed shadow roots and runs functions on them."""
        document = self.cdp.send("DOM.getDocument", {"depth": 0})
        hosts = self.cdp.send("DOM.querySelectorAll", {"nodeId": document["root"]["nodeId"], "selector": host_selector})
        results = []
        for node_id in hosts["nodeIds"]:
            described = self.cdp.send("DOM.describeNode", {"nodeId": node_id, "depth": 1, "pierce": True})["node"]
            for root in described.get("shadowRoots", []):
                object_id = self.cdp.send("DOM.resolveNode", {"backendNodeId": root["backendNodeId"]})["object"]
                called = self.cdp.send(
                    "Runtime.callFunctionOn",
                    {
                        "objectId": object_id["objectId"],
                        "functionDeclaration": json_call(function),
                        "arguments": [{"value": encode_arguments(())}],
                        "returnByValue": True,
                        "awaitPromise": True,
                    },
                )
                if "exceptionDetails" in called:
                    raise AssertionError(f"in a shadow root of {host_selector}: {called['exceptionDetails']}")
                results.append(decode_result(called["result"].get("value")))
        return results

    def screenshot(self) -> Image.Image:
        return Image.open(io.BytesIO(self.page.screenshot())).convert("RGB")

    def requests(self) -> list[str]:
        self.page.evaluate("0")  # a round trip, so that Playwright hands over the request events still queued
        return list(self.seen_requests)

    def console_errors(self) -> list[str]:
        self.page.evaluate("0")
        return list(self.errors)

    def close(self) -> None:
        self.context.close()


class ChromiumEngine:
    """Debian's Chromium, launched once per session by ``tests/conftest.py``'s ``browser`` fixture."""

    name = "chromium"
    reads_closed_shadow_roots = True
    hears_console = True

    def __init__(self, browser: Any, color_scheme: str = "light") -> None:
        self.browser = browser
        self.color_scheme = color_scheme
        self.version = f"Chromium {browser.version}"

    def new_tab(self, width: int, height: int) -> ChromiumTab:
        return ChromiumTab(self.browser, width, height, self.color_scheme)

    def close(self) -> None:
        """The ``browser`` fixture owns the process and closes it."""
