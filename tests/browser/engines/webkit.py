"""WebKit: WebKitGTK's MiniBrowser driven by ``WebKitWebDriver`` through Selenium, on a virtual X display.

MiniBrowser needs a display even when nobody looks (with ``--headless``, or without X, the
session hangs), so the engine starts its own Xvfb and stops it with the browser.
``WebKitWebDriver`` speaks classic WebDriver only: it refuses the ``webSocketUrl`` capability
that would open WebDriver BiDi, has no log endpoint, and answers "no such shadow root" for a
closed shadow root. So WebKit cannot look inside the widgets (``reads_closed_shadow_roots``) nor
hear the console (``hears_console``); requests come from the page's Resource Timing.
"""

import base64
import io
import os
import select
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PIL import Image
from selenium import webdriver
from selenium.common.exceptions import JavascriptException
from selenium.webdriver.webkitgtk.service import Service

from tests.browser.engines import SAME_ORIGIN_REQUESTS, decode_result, encode_arguments, json_call

WEBKIT_DRIVER = "/usr/bin/WebKitWebDriver"
MINIBROWSER = "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
XVFB = "/usr/bin/Xvfb"
GTK_SETTINGS = "[Settings]\ngtk-enable-animations=false\n"
"""The visitor every engine plays asks for reduced motion: WebKitGTK reads it from GTK's settings."""
GTK_THEMES = {"light": "Adwaita", "dark": "Adwaita:dark"}
"""WebKitGTK's ``prefers-color-scheme`` follows GTK's theme."""


def start_xvfb() -> tuple[subprocess.Popen[bytes], str]:
    """An X server on the first free display; Xvfb writes the number it took to ``-displayfd``."""
    if not Path(XVFB).exists():
        raise AssertionError(f"{XVFB} is missing: apt-get install xvfb (see README, 'System packages')")
    reader, writer = os.pipe()
    process = subprocess.Popen(
        [XVFB, "-displayfd", str(writer), "-screen", "0", "1920x1200x24", "-nolisten", "tcp"],
        pass_fds=[writer],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    os.close(writer)
    number = b""
    try:
        while not number.endswith(b"\n"):
            ready, _, _ = select.select([reader], [], [], 20)
            chunk = os.read(reader, 16) if ready else b""
            if not chunk:
                process.kill()
                process.wait()
                raise AssertionError("Xvfb did not start (no display number within 20 s)")
            number += chunk
    finally:
        os.close(reader)
    return process, f":{number.decode().strip()}"


class WebKitTab:
    """MiniBrowser's one window, which tabs take in turn.

    A WebKitWebDriver session holds a single page and profile: unlike the other engines' tabs,
    WebKit's share the session's cache and cookies (these tests set none).
    """

    def __init__(self, engine: "WebKitEngine", width: int, height: int) -> None:
        self.driver = engine.driver
        self.driver.get("about:blank")
        self.size_viewport(width, height)

    def size_viewport(self, width: int, height: int) -> None:
        """Size the window so that the page gets ``width`` x ``height``: the window also holds a title bar.

        Without a window manager the X server applies a new size a moment later, so each size is
        awaited before the next step.
        """
        self.driver.set_window_size(width, height)
        inner = self.settled_viewport(lambda viewport: True)
        window = self.driver.get_window_size()
        self.driver.set_window_size(window["width"] + width - inner[0], window["height"] + height - inner[1])
        self.settled_viewport(lambda viewport: viewport == [width, height])

    def settled_viewport(self, wanted: Callable[[list[int]], bool]) -> list[int]:
        """The page's viewport once it is ``wanted`` and has stopped changing."""
        deadline = time.monotonic() + 10
        last = None
        while True:
            viewport: list[int] = self.evaluate("() => [innerWidth, innerHeight]")
            if viewport == last and wanted(viewport):
                return viewport
            if time.monotonic() > deadline:
                raise AssertionError(f"MiniBrowser's viewport stays {viewport}")
            last = viewport
            time.sleep(0.05)

    def open(self, url: str) -> None:
        self.driver.get(url)

    def evaluate(self, function: str, *arguments: Any) -> Any:
        try:
            encoded = self.driver.execute_script(
                f"return ({json_call(function)})(arguments[0]);", encode_arguments(arguments)
            )
        except JavascriptException as error:
            raise AssertionError(f"the page threw: {error.msg}") from None
        return decode_result(encoded)

    def in_shadow_roots(self, host_selector: str, function: str) -> list[Any]:
        raise NotImplementedError("WebKitWebDriver answers 'no such shadow root' for closed shadow roots")

    def screenshot(self) -> Image.Image:
        png = base64.b64decode(self.driver.get_screenshot_as_base64())
        return Image.open(io.BytesIO(png)).convert("RGB")

    def requests(self) -> list[str]:
        found: list[str] = self.evaluate(SAME_ORIGIN_REQUESTS)
        return found

    def console_errors(self) -> list[str]:
        raise NotImplementedError("WebKitWebDriver has no log endpoint and refuses WebDriver BiDi")

    def close(self) -> None:
        self.driver.get("about:blank")


class WebKitEngine:
    """WebKitGTK's MiniBrowser in automation mode, with its own Xvfb and GTK settings."""

    name = "webkit"
    reads_closed_shadow_roots = False
    hears_console = False

    def __init__(self, color_scheme: str = "light") -> None:
        self.color_scheme = color_scheme
        for program in (WEBKIT_DRIVER, MINIBROWSER):
            if not Path(program).exists():
                raise AssertionError(f"{program} is missing: apt-get install webkit2gtk-driver (see README)")
        self.home = Path(tempfile.mkdtemp(prefix="voipdown-webkit-"))
        (self.home / "gtk-3.0").mkdir()
        (self.home / "gtk-3.0" / "settings.ini").write_text(GTK_SETTINGS)
        self.xvfb, display = start_xvfb()
        try:
            options = webdriver.WebKitGTKOptions()
            options.binary_location = MINIBROWSER
            options.add_argument("--automation")
            environment = {
                **os.environ,
                "DISPLAY": display,
                "XDG_CONFIG_HOME": str(self.home),
                "GTK_THEME": GTK_THEMES[color_scheme],
            }
            service = Service(
                executable_path=WEBKIT_DRIVER, env=environment, log_output=str(self.home / "webkitwebdriver.log")
            )
            with warnings.catch_warnings():
                # Selenium's WebKitGTK class trips over its own deprecation of ``remote_server_addr``.
                warnings.simplefilter("ignore", DeprecationWarning)
                self.driver = webdriver.WebKitGTK(options=options, service=service)
            self.driver.set_page_load_timeout(30)
            self.driver.set_script_timeout(30)
        except BaseException:
            self.stop_xvfb()
            raise
        self.version = f"WebKitGTK {self.driver.capabilities['browserVersion']}"

    def new_tab(self, width: int, height: int) -> WebKitTab:
        return WebKitTab(self, width, height)

    def stop_xvfb(self) -> None:
        self.xvfb.terminate()
        self.xvfb.wait()
        shutil.rmtree(self.home, ignore_errors=True)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.stop_xvfb()
