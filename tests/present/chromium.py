"""Headless Chromium driven over the DevTools protocol (Debian's ``chromium``; no downloads).

``Browser.open(url)`` loads a page and returns what a test needs: the DOM after load, every
request the page made, console errors and uncaught exceptions, and a PNG screenshot.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from websockets.sync.client import connect

CHROMIUM_NAMES = ("chromium", "chromium-browser")


def chromium_path() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    url: str
    dom: str = ""
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    screenshot: bytes = b""


class Browser:
    def __init__(self) -> None:
        executable = chromium_path()
        if executable is None:
            raise RuntimeError("chromium is not installed (apt-get install chromium)")
        self._profile = tempfile.mkdtemp(prefix="asc-chromium-")
        self._process = subprocess.Popen(
            [executable, "--headless=new", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--no-default-browser-check", "--disable-extensions",
             "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--metrics-recording-only", "--window-size=1280,1600",
             "--remote-debugging-port=0", f"--user-data-dir={self._profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        port_file = Path(self._profile) / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            if time.monotonic() > deadline or self._process.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.1)
        self._port = int(port_file.read_text().splitlines()[0])
        self._next_id = 0

    def _page_socket(self) -> str:
        request = urllib.request.Request(
            f"http://127.0.0.1:{self._port}/json/new?about:blank", method="PUT")
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())["webSocketDebuggerUrl"]

    def open(self, url: str, timeout: float = 30) -> PageVisit:
        visit = PageVisit(url)
        with connect(self._page_socket(), max_size=None, open_timeout=10) as socket:
            pending: dict[int, Any] = {}

            def send(method: str, **params: Any) -> int:
                self._next_id += 1
                socket.send(json.dumps({"id": self._next_id, "method": method,
                                        "params": params}))
                return self._next_id

            def handle(message: dict[str, Any]) -> None:
                method, params = message.get("method"), message.get("params", {})
                if method == "Network.requestWillBeSent":
                    visit.requests.append(params["request"]["url"])
                elif method == "Runtime.exceptionThrown":
                    details = params["exceptionDetails"]
                    exception = details.get("exception", {})
                    visit.errors.append(exception.get("description") or details.get("text", ""))
                elif method == "Runtime.consoleAPICalled" and params.get("type") == "error":
                    visit.errors.append(json.dumps(params.get("args"))[:500])
                elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
                    visit.errors.append(params["entry"].get("text", "")[:500])

            def call(method: str, **params: Any) -> dict[str, Any]:
                sent = send(method, **params)
                deadline = time.monotonic() + timeout
                while sent not in pending:
                    message = json.loads(socket.recv(timeout=max(deadline - time.monotonic(),
                                                                 0.1)))
                    if "id" in message:
                        pending[message["id"]] = message.get("result", {})
                    else:
                        handle(message)
                return pending.pop(sent)

            for domain in ("Page", "Network", "Runtime", "Log"):
                call(f"{domain}.enable")
            call("Page.navigate", url=url)
            deadline = time.monotonic() + timeout
            loaded = False
            while not loaded and time.monotonic() < deadline:
                message = json.loads(socket.recv(timeout=timeout))
                if message.get("method") == "Page.loadEventFired":
                    loaded = True
                elif "id" in message:
                    pending[message["id"]] = message.get("result", {})
                else:
                    handle(message)
            if not loaded:
                raise TimeoutError(f"{url} did not finish loading")
            # Late console errors and requests (scripts run after load) are collected too.
            settle = time.monotonic() + 0.5
            while time.monotonic() < settle:
                try:
                    handle(json.loads(socket.recv(timeout=max(settle - time.monotonic(), 0.01))))
                except TimeoutError:
                    break
            result = call("Runtime.evaluate",
                          expression="document.documentElement.outerHTML", returnByValue=True)
            visit.dom = result["result"]["value"]
            shot = call("Page.captureScreenshot", format="png", captureBeyondViewport=True)
            visit.screenshot = base64.b64decode(shot["data"])
        return visit

    def close(self) -> None:
        if self._process.poll() is None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait(timeout=10)
        shutil.rmtree(self._profile, ignore_errors=True)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
