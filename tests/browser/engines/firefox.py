"""Firefox over WebDriver BiDi, with a small blocking client: no geckodriver, no Node, nothing downloaded.

Firefox ESR speaks WebDriver BiDi itself once started with ``--remote-debugging-port``: a
WebSocket on which commands and events are JSON. The client below sends one command at a time
and keeps the events that arrive meanwhile (requests, console entries) for the tab they concern.
``websocket-client`` is already here as a dependency of Selenium.
"""

import base64
import io
import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import websocket
from PIL import Image

from tests.browser.engines import decode_result, encode_arguments, json_call

FIREFOX = "/usr/bin/firefox-esr"
STARTUP_TIMEOUT = 60.0
COMMAND_TIMEOUT = 60.0
PREFERENCES = {"ui.prefersReducedMotion": 1, "browser.startup.page": 0}
"""The visitor every engine plays: reduced motion, nothing opened at startup (Firefox's remote
agent already turns off updates, telemetry and other background traffic)."""
SCHEME_PREFERENCE = "layout.css.prefers-color-scheme.content-override"
SCHEME_VALUES = {"dark": 0, "light": 1}


class BidiConnection:
    """One WebSocket to Firefox; ``send`` blocks until its answer, filing events by browsing context."""

    def __init__(self, url: str) -> None:
        self.socket = websocket.create_connection(url, timeout=COMMAND_TIMEOUT, suppress_origin=True)
        self.last_id = 0
        self.events: dict[str, list[dict[str, Any]]] = {}

    def send(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.last_id += 1
        command_id = self.last_id
        self.socket.send(json.dumps({"id": command_id, "method": method, "params": params}))
        while True:
            try:
                message = json.loads(self.socket.recv())
            except websocket.WebSocketTimeoutException:
                raise AssertionError(f"Firefox did not answer {method} within {COMMAND_TIMEOUT} s") from None
            if message.get("type") == "event":
                self.file(message)
            elif message.get("id") == command_id:
                if message.get("type") == "error":
                    raise AssertionError(f"Firefox refused {method}: {message.get('error')}: {message.get('message')}")
                result: dict[str, Any] = message["result"]
                return result

    def file(self, event: dict[str, Any]) -> None:
        params = event["params"]
        context = params.get("context") or params.get("source", {}).get("context")
        if context:
            self.events.setdefault(context, []).append(event)

    def close(self) -> None:
        self.socket.close()


class FirefoxTab:
    """A tab in its own user context (cookies, storage and cache of its own), like a fresh profile."""

    def __init__(self, connection: BidiConnection, width: int, height: int) -> None:
        self.connection = connection
        self.user_context = connection.send("browser.createUserContext", {})["userContext"]
        self.context = connection.send("browsingContext.create", {"type": "tab", "userContext": self.user_context})[
            "context"
        ]
        connection.send(
            "browsingContext.setViewport",
            {"context": self.context, "viewport": {"width": width, "height": height}, "devicePixelRatio": 1},
        )

    def open(self, url: str) -> None:
        self.connection.events.pop(self.context, None)
        self.connection.send("browsingContext.navigate", {"context": self.context, "url": url, "wait": "complete"})

    def evaluate(self, function: str, *arguments: Any) -> Any:
        return self.call(function, arguments)

    def call(self, function: str, arguments: tuple[Any, ...], this: dict[str, str] | None = None) -> Any:
        params: dict[str, Any] = {
            "functionDeclaration": json_call(function),
            "arguments": [{"type": "string", "value": encode_arguments(arguments)}],
            "target": {"context": self.context},
            "awaitPromise": True,
        }
        if this is not None:
            params["this"] = this
        called = self.connection.send("script.callFunction", params)
        if called["type"] == "exception":
            raise AssertionError(f"the page threw: {called['exceptionDetails'].get('text')}")
        return decode_result(called["result"].get("value"))

    def in_shadow_roots(self, host_selector: str, function: str) -> list[Any]:
        """BiDi serialises an element's shadow root, closed ones too, when asked for ``includeShadowTree: all``."""
        hosts = self.connection.send(
            "script.callFunction",
            {
                "functionDeclaration": "(selector) => [...document.querySelectorAll(selector)]",
                "arguments": [{"type": "string", "value": host_selector}],
                "target": {"context": self.context},
                "awaitPromise": False,
                "serializationOptions": {"maxDomDepth": 0, "includeShadowTree": "all"},
            },
        )
        roots = [host["value"].get("shadowRoot") for host in hosts["result"]["value"]]
        return [self.call(function, (), {"sharedId": root["sharedId"]}) for root in roots if root is not None]

    def screenshot(self) -> Image.Image:
        shot = self.connection.send("browsingContext.captureScreenshot", {"context": self.context})
        return Image.open(io.BytesIO(base64.b64decode(shot["data"]))).convert("RGB")

    def events(self, method: str) -> list[dict[str, Any]]:
        """The ``method`` events of this tab's page and of its frames (each frame is a browsing context)."""
        tree = self.connection.send("browsingContext.getTree", {"root": self.context})["contexts"]
        contexts: list[str] = []
        while tree:
            node = tree.pop()
            contexts.append(node["context"])
            tree.extend(node.get("children") or [])
        return [
            event["params"]
            for context in contexts
            for event in self.connection.events.get(context, [])
            if event["method"] == method
        ]

    def requests(self) -> list[str]:
        return [params["request"]["url"] for params in self.events("network.beforeRequestSent")]

    def console_errors(self) -> list[str]:
        return [params.get("text") or "" for params in self.events("log.entryAdded") if params["level"] == "error"]

    def close(self) -> None:
        self.connection.send("browsingContext.close", {"context": self.context})
        self.connection.send("browser.removeUserContext", {"userContext": self.user_context})
        self.connection.events.pop(self.context, None)


class FirefoxEngine:
    """Debian's ``firefox-esr``, headless, on a throwaway profile."""

    name = "firefox"
    reads_closed_shadow_roots = True
    hears_console = True

    def __init__(self, color_scheme: str = "light") -> None:
        self.color_scheme = color_scheme
        if not Path(FIREFOX).exists():
            raise AssertionError(f"{FIREFOX} is missing: apt-get install firefox-esr (see README, 'System packages')")
        self.profile = Path(tempfile.mkdtemp(prefix="voipdown-firefox-"))
        (self.profile / "user.js").write_text(
            "".join(
                f"user_pref({json.dumps(name)}, {json.dumps(value)});\n"
                for name, value in {**PREFERENCES, SCHEME_PREFERENCE: SCHEME_VALUES[color_scheme]}.items()
            )
        )
        self.log = self.profile / "firefox.log"
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                [FIREFOX, "--headless", "--no-remote", "--profile", str(self.profile), "--remote-debugging-port=0"],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        try:
            self.connection = BidiConnection(self.listening_url() + "/session")
            capabilities = self.connection.send("session.new", {"capabilities": {}})["capabilities"]
            self.version = f"Firefox {capabilities['browserVersion']}"
            self.connection.send("session.subscribe", {"events": ["network.beforeRequestSent", "log.entryAdded"]})
        except BaseException:
            self.stop_process()
            raise

    def listening_url(self) -> str:
        """The WebSocket address Firefox prints once its remote agent listens (port 0: any free port)."""
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            found = re.search(r"WebDriver BiDi listening on (ws://\S+)", self.log.read_text(errors="replace"))
            if found:
                return found.group(1)
            if self.process.poll() is not None:
                break
            time.sleep(0.05)
        raise AssertionError(f"Firefox did not start its WebDriver BiDi agent:\n{self.log.read_text(errors='replace')}")

    def new_tab(self, width: int, height: int) -> FirefoxTab:
        return FirefoxTab(self.connection, width, height)

    def stop_process(self) -> None:
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.profile, ignore_errors=True)

    def close(self) -> None:
        try:
            self.connection.send("browser.close", {})
            self.connection.close()
        finally:
            self.stop_process()
