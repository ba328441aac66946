"""A bounded crawler over the web pages, for the demo crawl test (issue 16).

It follows every same-origin link and every GET form of each page it reaches, with the signed-in
client it is given, and records each request that answers 5xx or raises, and each link or GET form
shown to it that answers 403 (a page must not offer what the role cannot use). URLs are grouped by
pattern (digit runs collapsed, query values dropped unless they are words), so it visits a few
instances of each route rather than every claim. It never sends anything but GET.
"""
import re
import traceback
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

# Never followed: signing out ends the crawl's session, /i18n/ and /static/ are not pages,
# the Django admin is Django's own (its links multiply without testing our code).
SKIP_PREFIXES = ("/logout/", "/i18n/", "/static/", "/admin/")
# Values the mangled pass puts into every query parameter: a superscript digit
# (str.isdigit() is True for both, int() refuses them), numbers past 64 bits and past a float,
# and a word.
MANGLED_VALUES = ("²", "9" * 30, "9" * 400, "x")


@dataclass
class Failure:
    url: str
    referrer: str
    status: int
    detail: str

    def __str__(self) -> str:
        return f"{self.status} {self.url} (linked from {self.referrer or 'the start'})\n{self.detail}"


@dataclass
class _Form:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)


class _PageParser(HTMLParser):
    """Collects link targets and GET forms (with each field's shown value) of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[_Form] = []
        self._form: _Form | None = None
        self._select: str | None = None
        self._select_value: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "form":
            method = (attrs.get("method") or "get").lower()
            self._form = _Form(attrs.get("action") or "") if method == "get" else None
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "image", "reset", "file"):
                self._form.fields.append((attrs["name"], attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name"):
            self._select, self._select_value = attrs["name"], None
        elif tag == "option" and self._select is not None:
            value = attrs.get("value", "")
            if self._select_value is None or "selected" in attrs:
                self._select_value = value
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]

    def handle_endtag(self, tag):
        if tag == "select" and self._form is not None and self._select is not None:
            self._form.fields.append((self._select, self._select_value or ""))
            self._select = None
        elif tag == "textarea" and self._form is not None and self._textarea is not None:
            self._form.fields.append((self._textarea, ""))
            self._textarea = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None


def pattern_of(url: str) -> str:
    """The route a URL stands for: digit runs collapsed, query values dropped (names kept)."""
    parts = urlsplit(url)
    names = sorted({name for name, _value in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(names) if names else "")


def _is_sampled(key: str) -> bool:
    """Detail routes (an id in the path) and PDFs are sampled across roles; list pages are not."""
    path = key.split("?", 1)[0]
    return "N" in path or path.endswith(".pdf")


def _same_origin_path(href: str, base: str) -> str | None:
    href = href.strip()
    if not href or href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    target = urlsplit(urljoin("http://testserver" + base, href))
    if target.scheme not in ("http", "https") or target.netloc != "testserver":
        return None
    if target.path.startswith(SKIP_PREFIXES):
        return None
    return target.path + (f"?{target.query}" if target.query else "")


def links_of(html: str, base: str) -> list[str]:
    """The same-origin link targets of a page (for a page reached by POST, e.g. a lookup's answer)."""
    parser = _PageParser()
    parser.feed(html)
    return [target for href in parser.links if (target := _same_origin_path(href, base))]


@dataclass
class Budget:
    """What all roles' crawls share, so the suite stays fast: each sampled route is visited at most
    `per_route` times in all (a PDF once), and each route's parameters are mangled once."""

    per_route: int = 3
    visits: Counter = field(default_factory=Counter)
    mangled: set = field(default_factory=set)

    def take(self, key: str) -> bool:
        """Whether a crawl may visit the route now (and count it if so)."""
        path = key.split("?", 1)[0]
        if path.endswith(".pdf"):  # rendering a PDF takes seconds: each PDF route once, whatever its filters
            key, limit = path, 1
        elif _is_sampled(key):
            limit = self.per_route
        else:
            return True
        if self.visits[key] >= limit:
            return False
        self.visits[key] += 1
        return True


class Crawler:
    """Visit what a signed-in client can reach from the start URLs; collect the failures.

    Each route (pattern_of) once per role; list pages for every role (their links depend on the
    role's scope), detail pages and PDFs within the shared Budget.
    """

    def __init__(self, client, *, budget: Budget | None = None, max_pages: int = 150, mangle: bool = True):
        self.client = client
        self.budget = budget or Budget()
        self.max_pages = max_pages
        self.mangle = mangle
        self.visited: list[str] = []
        self.failures: list[Failure] = []
        self.forbidden: list[Failure] = []  # links and GET forms a page showed that answer 403
        self._patterns: set[str] = set()

    def _get(self, url: str, referrer: str):
        """One GET; a raised exception or a 5xx becomes a Failure. Returns the response and its body."""
        try:
            response = self.client.get(url)
            body = b"".join(response.streaming_content) if response.streaming else response.content
        except Exception as error:  # noqa: BLE001 — every exception a page raises is what we look for
            self.failures.append(Failure(url, referrer, 500, "".join(
                traceback.format_exception(error, limit=-8))))
            return None, b""
        if response.status_code >= 500:
            self.failures.append(Failure(url, referrer, response.status_code, body[:500].decode(errors="replace")))
        return response, body

    def _enqueue(self, queue: deque, url: str, referrer: str) -> None:
        key = pattern_of(url)
        if key in self._patterns or not self.budget.take(key):
            return
        self._patterns.add(key)
        queue.append((url, referrer))

    def _try_mangled(self, url: str) -> None:
        """Send each query parameter of a route, once in all, with each mangled value (PDFs excepted:
        they read their filters as their page does). Parameters e0_start, e1_start… count as one."""
        parts = urlsplit(url)
        if parts.path.endswith(".pdf"):
            return
        params = parse_qsl(parts.query, keep_blank_values=True)
        route = re.sub(r"\d+", "N", parts.path)
        for index, (name, _value) in enumerate(params):
            key = (route, re.sub(r"\d+", "N", name))
            if key in self.budget.mangled:
                continue
            self.budget.mangled.add(key)
            for bad in MANGLED_VALUES:
                mangled = [(n, bad if i == index else v) for i, (n, v) in enumerate(params)]
                self._get(f"{parts.path}?{urlencode(mangled)}", url)

    def run(self, *starts: str) -> "Crawler":
        queue: deque = deque()
        for start in starts:
            self._enqueue(queue, start, "")
        while queue and len(self.visited) < self.max_pages:
            url, referrer = queue.popleft()
            self.visited.append(url)
            response, body = self._get(url, referrer)
            if response is not None and response.status_code == 403 and referrer:
                self.forbidden.append(Failure(url, referrer, 403, ""))
            if self.mangle:
                self._try_mangled(url)
            if response is None:
                continue
            if response.status_code in (301, 302, 303, 307, 308):
                target = _same_origin_path(response["Location"], url)
                if target:
                    self._enqueue(queue, target, url)
                continue
            if "text/html" not in response.get("Content-Type", ""):
                continue
            parser = _PageParser()
            parser.feed(body.decode(response.charset or "utf-8", errors="replace"))
            for href in parser.links:
                target = _same_origin_path(href, url)
                if target:
                    self._enqueue(queue, target, url)
            for form in parser.forms:
                action = _same_origin_path(form.action or urlsplit(url).path, url)
                if action:
                    query = urlencode(form.fields)
                    self._enqueue(queue, f"{urlsplit(action).path}?{query}" if query else action, url)
        return self

    def report(self) -> str:
        return "\n\n".join(str(failure) for failure in self.failures)
