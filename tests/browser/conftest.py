"""The browser tier: pages of a real running federation in a real headless Chromium.

Fixtures for page tests:

- ``federation``: three nodes (mir, mira, mkr), the hub, the broker and the dev issuer as separate
  processes on free ports, with the demo data of ``make run`` loaded. ``federation.gateway_url(org)``
  (the hub's with no org), ``federation.issuer_url``, ``federation.token(user)``.
- ``open_page(form, locale="nb-NO")``: a new page in its own browser context, ``form`` ``"phone"``
  (360x740, device scale 2, touch) or ``"desktop"`` (1280x800); closed after the test. ``phone`` and
  ``desktop`` are one page each in the default locale.
- ``axe(page)``: runs axe-core on the page as it is and returns its violations;
  ``assert_accessible(page)`` fails on serious and critical ones, listing them.
- ``screenshot(page, name)``: writes ``var/screenshots/<name>-<form>-<locale>.png``.
- ``views(base_url, user)`` (module scope): one login per test module. The user logs in once on a phone in
  bokmål (``.page``); ``.check(name)`` checks and photographs that page, and the same page at desktop width
  (and, with ``english=True``, both in English) in contexts that share the login's session cookie.
  ``.requested`` holds every URL any of them asked for.

The federation, Chromium and Playwright live as long as this package's tests (package scope): one of
each per run, stopped before the other tiers go on.
"""
from __future__ import annotations

import pathlib
import threading
import time
from dataclasses import dataclass, field

import pytest

from services.devstack import demo
from services.devstack.stack import ORGANISATIONS, REPO, Layout, Stack
from tests.browser import chromium as chromium_build

SCREENSHOTS = REPO / "var" / "screenshots"
AXE_SCRIPT = chromium_build.TOOLS / "node_modules" / "axe-core" / "axe.min.js"
ORGS = ["mir", "mira", "mkr"]
DEFAULT_LOCALE = "nb-NO"
# Above what pages that show the hub's figures ask in a test run (the default is 30 a minute, 10 at once).
HUB_LIMITS = {"BROBYGGER_HUB_QUERIES_PER_MINUTE": "600", "BROBYGGER_HUB_QUERY_BURST": "60"}
FORMS = {
    "phone": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2, "is_mobile": True,
              "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}, "device_scale_factor": 1},
}
BLOCKING_IMPACTS = ("serious", "critical")

_written: list[pathlib.Path] = []


def pytest_terminal_summary(terminalreporter):
    if _written:
        terminalreporter.write_line(f"browser tier: {len(_written)} screenshots in "
                                    f"{SCREENSHOTS.relative_to(REPO)}/")


# ---------- the federation


@dataclass
class Federation:
    stack: Stack
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    _tokens: dict[str, tuple[float, str]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    orgs = ORGS
    names = ORGANISATIONS

    def gateway_url(self, org: str | None = None) -> str:
        """A node's gateway, or the hub's with no org."""
        return self.stack.gateway_url(org)

    @property
    def hub_url(self) -> str:
        return self.stack.gateway_url()

    @property
    def issuer_url(self) -> str:
        return self.stack.issuer_url

    def token(self, user: str) -> str:
        """A real access token of a demo user (password ``dev``) from the dev issuer; fetched anew well
        before its five minutes run out."""
        with self._lock:
            fetched = self._tokens.get(user)
            if fetched is None or time.monotonic() - fetched[0] > 120:
                fetched = self._tokens[user] = (time.monotonic(), self.stack.token(user))
            return fetched[1]


@pytest.fixture(scope="package")
def federation(tmp_path_factory):
    stack = Stack(tmp_path_factory.mktemp("browser-federation"), ORGS, Layout.free(ORGS), env_overrides=HUB_LIMITS)
    try:
        stack.start(timeout=120)
        fed = Federation(stack)
        fed.counts = demo.load_federation(stack)
        yield fed
    finally:
        stack.close()


# ---------- the browser


@pytest.fixture(scope="session")
def chromium() -> chromium_build.Chromium:
    """The extracted Chromium and its launch flags, resolved once through node and the npm package."""
    try:
        build = chromium_build.resolve()
    except chromium_build.ChromiumUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    message = chromium_build.problem(build.executable)
    if message:
        pytest.fail(message, pytrace=False)
    return build


@pytest.fixture(scope="session")
def chromium_path(chromium) -> pathlib.Path:
    return chromium.executable


@pytest.fixture(scope="package")
def browser(chromium):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        b = playwright.chromium.launch(executable_path=str(chromium.executable), args=list(chromium.args),
                                       headless=True)
        try:
            yield b
        finally:
            b.close()


_forms: dict[object, tuple[str, str]] = {}


def new_context(browser, form: str = "desktop", locale: str = DEFAULT_LOCALE, **options):
    if form not in FORMS:
        raise ValueError(f"form {form!r}: choose one of {', '.join(FORMS)}")
    context = browser.new_context(locale=locale, **FORMS[form], **options)
    _forms[context] = (form, locale)
    return context


@pytest.fixture
def open_page(browser):
    contexts = []

    def open_(form: str = "desktop", locale: str = DEFAULT_LOCALE):
        context = new_context(browser, form, locale)
        contexts.append(context)
        return context.new_page()

    yield open_
    for context in contexts:
        _forms.pop(context, None)
        context.close()


@pytest.fixture
def phone(open_page):
    return open_page("phone")


@pytest.fixture
def desktop(open_page):
    return open_page("desktop")


# ---------- checks and pictures


def run_axe(page, options: dict | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now. The script is evaluated in the page by the
    browser's debugging protocol, which the page's Content-Security-Policy does not govern, so pages are
    checked under their own policy (no bypass)."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"axe-core is not installed ({AXE_SCRIPT.relative_to(REPO)}); {chromium_build.INSTALL_HINT}",
                    pytrace=False)
    if page.evaluate("typeof window.axe") == "undefined":
        page.evaluate(AXE_SCRIPT.read_text())
    result = page.evaluate("options => window.axe.run(document, options)", options or {})
    return result["violations"]


def describe(violations: list[dict], nodes: int = 3) -> str:
    lines = []
    for v in violations:
        targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:nodes])
        more = f" (+{len(v['nodes']) - nodes} more)" if len(v["nodes"]) > nodes else ""
        lines.append(f"- {v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
    return "\n".join(lines)


@pytest.fixture
def axe():
    return run_axe


def check_accessible(page, options: dict | None = None) -> None:
    blocking = [v for v in run_axe(page, options) if v.get("impact") in BLOCKING_IMPACTS]
    assert not blocking, f"{page.url}: {len(blocking)} serious or critical accessibility violations:\n" + \
        describe(blocking)


@pytest.fixture
def assert_accessible():
    return check_accessible


OVERFLOW_SCRIPT = """width => {
  // A phone widens its layout to the widest content, so the screen's width is given, not read.
  if (document.documentElement.scrollWidth <= width) return [];
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !el.closest('.table-wrap') && el.children.length === 0) {
      wide.push(el.tagName.toLowerCase() + (el.className && el.className.baseVal === undefined ? '.' + el.className : '')
                + ' ' + Math.round(box.right) + 'px');
    }
  }
  return wide.slice(0, 5);
}"""


def assert_fits(page) -> None:
    """Nothing wider than the screen: a phone scrolls down, never sideways (wide tables scroll in their box)."""
    wide = page.evaluate(OVERFLOW_SCRIPT, page.viewport_size["width"])
    assert not wide, f"{page.url}: wider than the {page.viewport_size['width']} px screen: {', '.join(wide)}"


def write_screenshot(page, name: str, full_page: bool = True) -> pathlib.Path:
    form, locale = _forms.get(page.context, ("page", "default"))
    if not _written:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for old in SCREENSHOTS.glob("*.png"):
            old.unlink()
    path = SCREENSHOTS / f"{name}-{form}-{locale}.png"
    # One image pixel a CSS pixel: a long page at a phone's device scale would pass the browser's largest
    # texture (16384 px) and come out garbled.
    page.screenshot(path=str(path), full_page=full_page, scale="css")
    _written.append(path)
    return path


@pytest.fixture
def screenshot():
    return write_screenshot


# ---------- logging in


def log_in(page, base_url: str, user: str, password: str = "dev", next_path: str = "/") -> None:
    """Log in through the web app as a person does: the gateway's login button, the identity provider's
    form, and back to the gateway (landing on next_path)."""
    page.goto(base_url + next_path)
    if "/protocol/openid-connect/auth" not in page.url:  # a page that did not send us to the login itself
        page.goto(base_url + "/login?next=" + next_path)
    page.locator("input[name=username]").fill(user)
    page.locator("input[name=password]").fill(password)
    page.locator("form button[type=submit], form input[type=submit]").first.click()
    page.wait_for_url(base_url + "/**")


@pytest.fixture
def login():
    """login(page, base_url, user, next_path='/'): a logged-in page."""
    return log_in


# ---------- one login per module, seen in both forms and both languages

ENGLISH = "en-GB"
LANGUAGE_COOKIE = "brobygger_lang"  # gateway.web.i18n.COOKIE: the language is the user's choice, not the browser's
ELSEWHERE = (("desktop", DEFAULT_LOCALE),)
IN_ENGLISH = (("phone", ENGLISH), ("desktop", ENGLISH))


class Views:
    """A logged-in user's pages: ``page``, a phone in bokmål, where the test walks; and, made when first
    needed, the same session (its cookies copied) at desktop width and in English, where ``check`` shows
    the page the phone is on."""

    def __init__(self, browser, base_url: str, user: str) -> None:
        self.browser, self.base_url, self.user = browser, base_url, user
        self.requested: list[str] = []
        self._contexts = []
        self._twins: dict[tuple[str, str], object] = {}
        self.page = self._open("phone", DEFAULT_LOCALE)
        log_in(self.page, base_url, user)

    def _open(self, form: str, locale: str, **options):
        context = new_context(self.browser, form, locale, **options)
        self._contexts.append(context)
        context.on("request", lambda request: self.requested.append(request.url))
        if locale != DEFAULT_LOCALE:
            context.add_cookies([{"name": LANGUAGE_COOKIE, "value": locale.split("-")[0], "url": self.base_url}])
        return context.new_page()

    def twin(self, form: str, locale: str = DEFAULT_LOCALE):
        """The page of this session in another form or language."""
        if (form, locale) == ("phone", DEFAULT_LOCALE):
            return self.page
        if (form, locale) not in self._twins:
            cookies = [c for c in self.page.context.cookies() if c["name"] != LANGUAGE_COOKIE]
            self._twins[form, locale] = page = self._open(form, locale)
            page.context.add_cookies(cookies)
        return self._twins[form, locale]

    def check(self, name: str, *, english: bool = False, redo=None) -> None:
        """Check the phone's page with axe-core and photograph it; then the same at desktop width (and in
        English): the same address, or, for a page a form post showed, ``redo(page)`` doing that post again."""
        check_accessible(self.page)
        write_screenshot(self.page, name)
        assert_fits(self.page)
        url = self.page.url
        for form, locale in ELSEWHERE + (IN_ENGLISH if english else ()):
            other = self.twin(form, locale)
            if redo is None:
                other.goto(url)
            else:
                redo(other)
            check_accessible(other)
            write_screenshot(other, name)
            assert_fits(other)

    def close(self) -> None:
        for context in self._contexts:
            _forms.pop(context, None)
            context.close()


@pytest.fixture(scope="module")
def views(browser, federation):
    """views(base_url, user): the user's Views, logged in once for the test module."""
    made: dict[tuple[str, str], Views] = {}

    def open_(base_url: str, user: str) -> Views:
        if (base_url, user) not in made:
            made[base_url, user] = Views(browser, base_url, user)
        return made[base_url, user]

    yield open_
    for v in made.values():
        v.close()
