"""Kazakh and English UI: catalogs app/translations/kk and app/translations/en.

The app's msgids are Russian; FAB's are English. The kk catalog translates both (FAB ships
no Kazakh catalog); the en catalog translates the app's msgids only (FAB's are English
already). The app's msgids are extracted afresh here with babel.cfg, exactly like

    pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ -k gettext -k ngettext:1,2 \
        -o /tmp/app.pot app

so a new app string without a kk/en translation fails this module. FAB's msgids are
extracted from the installed package the same way.

The walk at the end switches a user to kk and en and checks that no text a person sees
(text nodes, title/placeholder/label attributes, strings the page's scripts render) is
still an app or FAB msgid.
"""
import io
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import flask_appbuilder
import flask_babel
import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "app" / "translations"
FAB_PACKAGE = Path(flask_appbuilder.__file__).resolve().parent
LANGUAGES = ("kk", "en")

KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "_", "-k", "gettext",
            "-k", "ngettext:1,2"]
# FAB also marks strings with menu.py's __() and utils.base.lazy_formatter_gettext().
FAB_KEYWORDS = KEYWORDS + ["-k", "__", "-k", "lazy_formatter_gettext"]
FAB_MAPPING = "[python: **.py]\n[jinja2: templates/**.html]\nextensions = jinja2.ext.i18n\n"

# %(name)s, %s, %d, %%, {0}, {name} ...
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}")

# Catalog strings too short or too generic to tell a missing translation from data.
AMBIGUOUS = {"OK", "ID", "KPI", "Email", "№"}

# Allow-list of (page, text): Russian literals of the app that are not wrapped for
# translation yet but read the same as a catalog msgid, so the walk would report them.
# Each entry is to be wrapped with _()/_l() and then removed from here.
TO_BE_WRAPPED: set[tuple[str, str]] = set()  # to be wrapped: none needed so far

MAIN_PAGES = ["/investorview/list/", "/projectview/list/", "/industrialsiteview/list/",
              "/meetingview/list/", "/agreementview/list/", "/inforequestview/list/",
              "/serviceapplicationview/list/", "/problemissueview/list/",
              "/quarterlyreportview/list/", "/mynoticeview/list/", "/kpitargetview/list/",
              "/exports/", "/"]

BROKEN_PAGES: dict[str, str] = {}  # a page that cannot be walked yet, with the reason


def _extract(tmp_path_factory, name, directory, cwd, keywords, mapping=None):
    out = tmp_path_factory.mktemp(f"pot-{name}") / "messages.pot"
    cfg = ROOT / "babel.cfg"
    if mapping is not None:
        cfg = out.with_name("babel.cfg")
        cfg.write_text(mapping)
    result = subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract",
                             "-F", str(cfg), *keywords, "-o", str(out), directory],
                            cwd=cwd, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    with out.open("rb") as f:
        return read_po(f)


@pytest.fixture(scope="module")
def app_pot(tmp_path_factory):
    """The app's msgids (Russian), extracted now from app/ with babel.cfg."""
    pot = _extract(tmp_path_factory, "app", "app", ROOT, KEYWORDS)
    assert len([m for m in pot if m.id]) > 100, "extraction found almost nothing"
    return pot


@pytest.fixture(scope="module")
def fab_pot(tmp_path_factory):
    """FAB's own msgids (English), extracted now from the installed flask_appbuilder."""
    pot = _extract(tmp_path_factory, "fab", FAB_PACKAGE.name, FAB_PACKAGE.parent, FAB_KEYWORDS,
                   FAB_MAPPING)
    assert {"Delete", "Search", "Add Filter", "List Users"} <= {m.id for m in pot}
    return pot


def _catalog(lang):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return read_po(f, locale=lang)


@pytest.fixture(scope="module")
def catalogs():
    return {lang: _catalog(lang) for lang in LANGUAGES}


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _forms(value):
    return list(value) if isinstance(value, tuple) else [value]


def _problems(message, expected, catalog):
    """Why message (from catalog) does not translate the template message expected."""
    if message is None:
        return ["missing"]
    problems = []
    if message.fuzzy:
        problems.append("fuzzy (left out of the .mo)")
    source = _forms(expected.id)
    strings = _forms(message.string)
    if isinstance(expected.id, tuple) and len(strings) != catalog.num_plurals:
        problems.append(f"{len(strings)} plural forms, need {catalog.num_plurals}")
    for index, string in enumerate(strings):
        msgid = source[min(index, len(source) - 1)]
        if not string or not string.strip():
            problems.append("empty msgstr")
            continue
        if sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(msgid)):
            problems.append(f"placeholders differ: {string!r}")
        # Jinja's newstyle gettext always applies "%": a stray % would break the template.
        if string.count("%") != msgid.count("%"):
            problems.append(f"stray %: {string!r}")
        # Templates embed strings in inline JS ('...') and HTML attributes.
        for char in "'\"\\<>":
            if char in string and char not in msgid:
                problems.append(f"unsafe {char!r}: {string!r}")
        if (string[:1].isspace(), string[-1:].isspace()) != (msgid[:1].isspace(),
                                                             msgid[-1:].isspace()):
            problems.append(f"leading/trailing space differs: {string!r}")
    return problems


# --- the catalogs ------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGUAGES)
def test_catalog_header(catalogs, lang):
    catalog = catalogs[lang]
    assert str(catalog.locale) == lang
    assert catalog.num_plurals == 2
    assert catalog.plural_expr.replace(" ", "") == "(n!=1)"
    assert not list(catalog.check()), list(catalog.check())


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_app_msgid_is_translated_with_its_placeholders(app_pot, catalogs, lang):
    catalog = catalogs[lang]
    problems = {}
    for expected in app_pot:
        if not expected.id:
            continue
        found = _problems(catalog.get(expected.id), expected, catalog)
        if found:
            problems[expected.id] = found
    assert not problems, (f"app strings without a proper {lang} translation "
                          f"(app/translations/{lang}/LC_MESSAGES/messages.po): {problems}")


def test_kazakh_catalog_translates_every_fab_msgid(fab_pot, catalogs):
    catalog = catalogs["kk"]
    problems = {}
    for expected in fab_pot:
        if not expected.id:
            continue
        found = _problems(catalog.get(expected.id), expected, catalog)
        if found:
            problems[expected.id] = found
    assert not problems, problems


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_mo_matches_the_po(catalogs, lang):
    compiled = io.BytesIO()
    write_mo(compiled, catalogs[lang])
    compiled.seek(0)
    expected = {_hashable(m.id): _hashable(m.string) for m in read_mo(compiled) if m.id}
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.mo").open("rb") as f:
        committed = {_hashable(m.id): _hashable(m.string) for m in read_mo(f) if m.id}
    assert committed == expected, (f"messages.mo is stale: "
                                   f"pybabel compile -d app/translations -l {lang}")


# --- the running app ---------------------------------------------------------------------------

@pytest.mark.parametrize("lang, expected", [
    ("kk", {"Инвесторы": "Инвесторлар", "Сохранить": "Сақтау", "Delete": "Жою",
            "Search": "Іздеу", "Show": "Қарау", "Edit": "Өңдеу", "Регион": "Аймақ",
            "МРП": "АЕК", "БИН": "БСН", "Услугодатель": "Көрсетілетін қызметті беруші"}),
    ("en", {"Инвесторы": "Investors", "Сохранить": "Save", "Delete": "Delete",
            "Search": "Search", "МРП": "MCI"}),
])
def test_app_translates_in_the_chosen_language(app, lang, expected):
    with app.test_request_context(f"/?_l_={lang}"):
        assert str(flask_babel.get_locale()) == lang
        for msgid, text in expected.items():
            assert flask_babel.gettext(msgid) == text, msgid
        deleted = [flask_babel.ngettext("Удалена %(num)d запись.", "Удалено записей: %(num)d.", n)
                   for n in (1, 2, 5)]
        assert all(str(n) in text for n, text in zip((1, 2, 5), deleted)), deleted
        assert not any("Удал" in text for text in deleted), deleted
        plural = flask_babel.get_translations().plural
        assert [plural(n) for n in (0, 1, 2, 5, 21)] == [1, 0, 1, 1, 1]


class _VisibleText(HTMLParser):
    """Collect what a person sees: text nodes, titles, placeholders, labels, and the strings
    that inline scripts render (FAB's search filters come as JSON, some holding HTML)."""

    ATTRIBUTES = {"title", "placeholder", "data-placeholder", "label", "aria-label", "alt",
                  "data-original-title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts = []
        self.in_script = False
        self.in_style = False

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.in_script = True
        elif tag == "style":
            self.in_style = True
        attrs = dict(attrs)
        for name in self.ATTRIBUTES:
            if attrs.get(name):
                self.texts.append(attrs[name])
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.texts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False
        elif tag == "style":
            self.in_style = False

    def handle_data(self, data):
        if self.in_style:
            return
        if not self.in_script:
            self.texts.append(data)
            return
        for value in json_strings(data):
            if "<" in value:
                nested = _VisibleText()
                nested.feed(value)
                self.texts.extend(nested.texts)
            else:
                self.texts.append(value)
        self.texts.extend(re.findall(r"'((?:[^'\\\n]|\\.)*)'", data))


def json_strings(script: str):
    """Yield the JSON string literals of a script (FAB puts its search filters' HTML there)."""
    for literal in re.findall(r'"(?:[^"\\\n]|\\.)*"', script):
        try:
            yield json.loads(literal)
        except ValueError:
            continue


def _candidates(text):
    """A text node as a person reads it, whole and line by line, without framing punctuation."""
    found = set()
    for piece in [text] + text.splitlines():
        piece = " ".join(piece.split())
        while piece:
            found.add(piece)
            stripped = piece.strip(":()—-•*|").strip()
            if stripped == piece:
                break
            piece = stripped
    return found


def _matcher(msgid):
    """A regex matching the rendered msgid: placeholders stand for any text, %% for %."""
    parts = []
    position = 0
    for match in PLACEHOLDER.finditer(msgid):
        parts.append(re.escape(msgid[position:match.start()]))
        parts.append("%" if match.group() == "%%" else ".+")
        position = match.end()
    parts.append(re.escape(msgid[position:]))
    return re.compile("".join(parts) + r"\Z", re.S)


def _untranslated_strings(app_pot, fab_pot, catalogs, lang):
    """Msgids that must not show in lang: the app's (Russian) and, for kk, FAB's (English),
    less those whose translation in lang is the same text (or that some msgid translates to)."""
    catalog = catalogs[lang]
    msgids = {form for m in app_pot if m.id for form in _forms(m.id)}
    if lang == "kk":
        msgids |= {m.id for m in fab_pot if m.id}
    translations = {form for m in catalog if m.id for form in _forms(m.string)}
    return {msgid for msgid in msgids
            if msgid not in AMBIGUOUS and msgid not in translations
            and any(c.isalpha() for c in msgid)}


def _walk_pages(world):
    records = world["records"]
    return [page for page in MAIN_PAGES if page not in BROKEN_PAGES] + [
        "/pipeline/", "/scorecard/", "/info-request-sla/", "/kpiactualview/list/",
        "/investorview/add", "/projectview/add",
        f"/projectview/show/{records['project']['ALM']}",
        f"/serviceapplicationview/show/{records['service_application']['ALM']}",
        f"/problemissueview/show/{records['problem_issue']['ALM']}",
        f"/inforequestview/show/{records['info_request']['ALM']}",
    ]


def _leaks(client, pages, forbidden):
    plain = {m.replace("%%", "%") for m in forbidden if not PLACEHOLDER.search(m)} | {
        m for m in forbidden if not PLACEHOLDER.search(m)}
    patterns = [(m, _matcher(m)) for m in forbidden if PLACEHOLDER.search(m)]
    leaks = {}
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        parser = _VisibleText()
        parser.feed(response.text)
        seen = set()
        for text in parser.texts:
            seen |= _candidates(text)
        found = sorted(seen & plain)
        found += sorted(m for m, pattern in patterns if any(pattern.match(s) for s in seen))
        found = [text for text in found if (page, text) not in TO_BE_WRAPPED]
        if found:
            leaks[page] = found
    return leaks


def _walk_in_kazakh_and_english(client, pages, app_pot, fab_pot, catalogs):
    try:
        for lang in LANGUAGES:
            assert client.get(f"/lang/{lang}").status_code == 302
            home = client.get("/investorview/list/").text
            assert ("Инвесторлар" if lang == "kk" else "Investors") in home
            leaks = _leaks(client, pages, _untranslated_strings(app_pot, fab_pot, catalogs,
                                                                lang))
            assert not leaks, f"untranslated strings on {lang} pages: {leaks}"
    finally:
        assert client.get("/lang/ru").status_code == 302
    # Back in Russian for the module's other tests.
    assert "Инвесторы" in client.get("/investorview/list/").text


def test_pages_show_no_untranslated_string_in_kazakh_and_english(ui, world, app_pot, fab_pot,
                                                                  catalogs):
    _walk_in_kazakh_and_english(ui("region.almaty"), _walk_pages(world), app_pot, fab_pot,
                                catalogs)
