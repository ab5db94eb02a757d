"""A small HTTP client for the production stage: standard library only, so that the stage tests
run without Django in the test process (the server under test is a separate gunicorn).

It talks to gunicorn on a loopback port as the reverse proxy would (X-Forwarded-Proto: https),
keeps cookies by hand (they are Secure, which http.cookiejar would not send over plain HTTP),
and reads forms from pages so that requests carry what a browser would send.
"""

from __future__ import annotations

import gzip
import http.client
import os
import re
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Response:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@dataclass
class Form:
    action: str
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)

    def values(self, **changes: str) -> list[tuple[str, str]]:
        kept = [(k, v) for k, v in self.fields if k not in changes]
        return kept + list(changes.items())


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self._select: str | None = None
        self._select_value: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self._text = ""

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form":
            self.forms.append(Form(a.get("action", ""), a.get("method", "get").lower()))
        if not self.forms:
            return
        form = self.forms[-1]
        if tag == "input" and a.get("name") and "disabled" not in a:
            kind = a.get("type", "text").lower()
            if kind in {"checkbox", "radio"}:
                if "checked" in a:
                    form.fields.append((a["name"], a.get("value", "on")))
            elif kind not in {"submit", "button", "image", "file", "reset"}:
                form.fields.append((a["name"], a.get("value", "")))
        elif tag == "select" and a.get("name"):
            self._select, self._select_value, self._first_option = a["name"], None, None
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._first_option is None:
                self._first_option = value
            if "selected" in a:
                self._select_value = value
        elif tag == "textarea" and a.get("name"):
            self._textarea, self._text = a["name"], ""

    def handle_data(self, data):
        if self._textarea is not None:
            self._text += data

    def handle_endtag(self, tag):
        if not self.forms:
            return
        if tag == "select" and self._select is not None:
            value = self._select_value if self._select_value is not None else self._first_option
            self.forms[-1].fields.append((self._select, value or ""))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.forms[-1].fields.append((self._textarea, self._text.lstrip("\n")))
            self._textarea = None


def forms_of(html: str, page_path: str) -> list[Form]:
    """The forms of a page, their actions made absolute (no action: the page itself)."""
    parser = _FormParser()
    parser.feed(html)
    for form in parser.forms:
        form.action = urllib.parse.urljoin(
            page_path, form.action.replace("&amp;", "&") or page_path
        )
    return parser.forms


def form_to(html: str, action_pattern: str, page_path: str) -> Form:
    """The first form of the page whose action matches the regular expression."""
    for form in forms_of(html, page_path):
        if re.search(action_pattern, form.action):
            return form
    raise AssertionError(f"no form with an action matching {action_pattern!r}")


def _multipart(
    data: list[tuple[str, str]], files: dict[str, tuple[str, bytes]]
) -> tuple[bytes, str]:
    boundary = "----stage-" + "".join(f"{b:02x}" for b in os.urandom(12))
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in data
        if name not in files
    ]
    for name, (filename, content) in files.items():
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
            f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n'
        )
        parts.append(head.encode() + content + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode(), (
        f"multipart/form-data; boundary={boundary}"
    )


class StageClient:
    """One visitor: its own cookies, requests as the proxy forwards them."""

    def __init__(self, base_url: str, *, proxy_https: bool = True) -> None:
        parts = urllib.parse.urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self.proxy_https = proxy_https
        self.cookies: dict[str, str] = {}

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def request(
        self,
        method: str,
        path: str,
        *,
        data: list[tuple[str, str]] | None = None,
        files: dict[str, tuple[str, bytes]] | None = None,
        headers: dict[str, str] | None = None,
        timeout: float = 60,
    ) -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        sent = {"Host": f"{self.host}:{self.port}", "Accept-Encoding": "gzip"}
        if self.proxy_https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data).encode()
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if files:  # a form with a file: multipart, as a browser sends it
                body, sent["Content-Type"] = _multipart(data, files)
            sent["Origin"] = self.origin
            sent["Referer"] = self.origin + path
            if "csrftoken" in self.cookies:
                sent["X-CSRFToken"] = self.cookies["csrftoken"]
        sent.update(headers or {})
        path = urllib.parse.quote(path, safe="/?&=%:+,;@-._~")
        try:
            connection.request(method, path, body=body, headers=sent)
            raw = connection.getresponse()
            payload = raw.read()
        finally:
            connection.close()
        for line in raw.headers.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            value = rest.split(";", 1)[0]
            if "max-age=0" in line.lower() or value in {"", '""'}:
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        if raw.headers.get("Content-Encoding") == "gzip":
            payload = gzip.decompress(payload)
        return Response(raw.status, raw.headers, payload)

    def get(self, path: str, **kwargs) -> Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, data: list[tuple[str, str]], **kwargs) -> Response:
        return self.request("POST", path, data=data, **kwargs)

    def submit(
        self, form: Form, files: dict[str, tuple[str, bytes]] | None = None, **changes: str
    ) -> Response:
        return self.request("POST", form.action, data=form.values(**changes), files=files)

    def sign_in(self, username: str, password: str) -> None:
        page = self.get("/login/")
        assert page.status == 200, page.status
        form = form_to(page.text, r"/login/", "/login/")
        answer = self.submit(form, username=username, password=password)
        assert answer.status == 302, (answer.status, answer.text[:500])
        assert "sessionid" in self.cookies
