"""Russian UI strings of Flask-AppBuilder: our catalog app/translations/ru fills FAB's gaps.

Flask-Babel reads BABEL_TRANSLATION_DIRECTORIES = "<fab>/translations;translations" in that
order and merges the catalogs with dict.update, so an msgid in our catalog overrides FAB's and
every other msgid keeps FAB's translation. Our catalog may therefore hold only msgids FAB's
Russian catalog lacks (missing or empty) and corrections marked "Corrects FAB: ...".
"""
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import flask_appbuilder
import flask_babel
import pytest
from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

CATALOG_DIR = Path(__file__).resolve().parent.parent / "app" / "translations" / "ru" / "LC_MESSAGES"
FAB_CATALOG_DIR = Path(flask_appbuilder.__file__).parent / "translations" / "ru" / "LC_MESSAGES"

# FAB UI strings that showed in English before our catalog, with the expected Russian.
PREVIOUSLY_MISSING = {
    "Show": "Просмотр",
    "Edit": "Редактировать",
    "Delete": "Удалить",
    "Add": "Добавить",
    "Are you sure you want to delete this item?": "Вы уверены, что хотите удалить эту запись?",
    "Detail": "Сведения",
    "Order by": "Сортировать по",
    "Select Value": "Выберите значение",
    "Database Error": "Ошибка базы данных",
    "Contains (insensitive)": "Содержит (без учета регистра)",
    "List Groups": "Список групп",
}

# %(name)s, %s, %d, %%, {0}, {name} ...
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]|\{[^{}]*\}")


def _read_po(path: Path):
    with path.open("rb") as f:
        return read_po(f, locale="ru")


def _read_mo(path: Path):
    with path.open("rb") as f:
        return read_mo(f)


def _forms(message):
    return list(message.id) if isinstance(message.id, tuple) else [message.id]


def _strings(message):
    return list(message.string) if isinstance(message.string, tuple) else [message.string]


@pytest.fixture(scope="module")
def catalog():
    return _read_po(CATALOG_DIR / "messages.po")


@pytest.fixture(scope="module")
def fab_mo():
    return _read_mo(FAB_CATALOG_DIR / "messages.mo")


def _messages(catalog):
    return [m for m in catalog if m.id]


# --- the catalog itself ------------------------------------------------------------------------

def test_catalog_is_russian_with_three_plural_forms(catalog):
    assert str(catalog.locale) == "ru"
    assert catalog.num_plurals == 3
    assert catalog.plural_expr == ("(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && "
                                   "(n%100<10 || n%100>=20) ? 1 : 2)")
    assert _messages(catalog), "empty catalog"


def test_every_message_is_translated_and_keeps_its_placeholders(catalog):
    problems = []
    for message in _messages(catalog):
        strings = _strings(message)
        if message.fuzzy:
            problems.append((message.id, "fuzzy (left out of the .mo)"))
        if isinstance(message.id, tuple) and len(strings) != catalog.num_plurals:
            problems.append((message.id, f"{len(strings)} plural forms, need 3"))
        source = _forms(message)
        for index, string in enumerate(strings):
            msgid = source[min(index, len(source) - 1)]
            if not string or not string.strip():
                problems.append((message.id, "empty msgstr"))
                continue
            if sorted(PLACEHOLDER.findall(string)) != sorted(PLACEHOLDER.findall(msgid)):
                problems.append((message.id, f"placeholders differ: {string!r}"))
            # Jinja's newstyle gettext always applies "%": a stray % would break the template.
            if string.count("%") != msgid.count("%"):
                problems.append((message.id, f"stray %: {string!r}"))
            # Templates embed some strings in inline JS ('...') and HTML attributes.
            for char in "'\"\\<>":
                if char in string and char not in msgid:
                    problems.append((message.id, f"unsafe {char!r}: {string!r}"))
            if (string[:1].isspace(), string[-1:].isspace()) != (msgid[:1].isspace(),
                                                                 msgid[-1:].isspace()):
                problems.append((message.id, f"leading/trailing space differs: {string!r}"))
    assert not problems, problems
    assert not list(catalog.check()), list(catalog.check())


def test_compiled_mo_matches_the_po(catalog):
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    expected = {m.id: m.string for m in read_mo(compiled) if m.id}
    committed = {m.id: m.string for m in _read_mo(CATALOG_DIR / "messages.mo") if m.id}
    assert committed == expected, "messages.mo is stale: pybabel compile -d app/translations -l ru"
    assert set(committed) == {m.id for m in _messages(catalog)}


def test_catalog_only_adds_or_corrects_fab(catalog, fab_mo):
    """An msgid here must be missing/empty in FAB's catalog, or a marked correction of it."""
    unexplained = []
    for message in _messages(catalog):
        fab = fab_mo.get(message.id)
        fab_lacks = fab is None or not fab.string or fab.string == message.id
        marked = any(c.startswith("Corrects FAB:") for c in message.user_comments)
        if not fab_lacks and not marked:
            unexplained.append(message.id)
        if fab_lacks and marked:
            unexplained.append(message.id)
    assert not unexplained, unexplained


# --- the running app ---------------------------------------------------------------------------

def test_app_reads_fab_then_our_catalog(app):
    directories = app.config["BABEL_TRANSLATION_DIRECTORIES"].split(";")
    assert Path(directories[0]).resolve() == (FAB_CATALOG_DIR.parent.parent).resolve()
    assert directories[-1] == "translations"
    assert (Path(app.root_path) / "translations").resolve() == CATALOG_DIR.parent.parent.resolve()


def test_previously_missing_fab_strings_are_russian(app):
    with app.test_request_context():
        assert str(flask_babel.get_locale()) == "ru"
        for msgid, russian in PREVIOUSLY_MISSING.items():
            assert flask_babel.gettext(msgid) == russian, msgid


def test_merge_keeps_fab_translations_and_applies_ours(app, catalog, fab_mo):
    ours = {m.id: m.string for m in _messages(catalog)}
    with app.test_request_context():
        for message in fab_mo:
            if not message.id or message.id in ours or isinstance(message.id, tuple):
                continue
            assert flask_babel.gettext(message.id) == message.string, message.id
        for msgid, string in ours.items():
            if not isinstance(msgid, tuple):
                assert flask_babel.gettext(msgid) == string, msgid
        # Our header's Plural-Forms is the one in effect after the merge.
        plural = flask_babel.get_translations().plural
        assert [plural(n) for n in (1, 2, 4, 5, 11, 21, 22, 25, 111)] == [0, 1, 1, 2, 2, 0, 1, 2, 2]


class _LinkTexts(HTMLParser):
    """Collect the text of every <a> and <button> (screen-reader text included)."""

    def __init__(self):
        super().__init__()
        self.depth = 0
        self.current = []
        self.texts = []

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "button"):
            if self.depth == 0:
                self.current = []
            self.depth += 1

    def handle_endtag(self, tag):
        if tag in ("a", "button") and self.depth:
            self.depth -= 1
            if self.depth == 0:
                self.texts.append(" ".join("".join(self.current).split()))

    def handle_data(self, data):
        if self.depth:
            self.current.append(data)


def test_list_page_is_russian(ui):
    response = ui("region.almaty").get("/projectview/list/")
    assert response.status_code == 200
    html = response.text
    parser = _LinkTexts()
    parser.feed(html)
    texts = set(parser.texts)
    assert "Просмотр" in texts and "Редактировать" in texts and "Удалить" in texts, texts
    for english in ("Show", "Edit", "Delete", "Add", "Order by", "Actions", "Page size"):
        assert english not in texts, english
    assert "Вы уверены, что хотите удалить эту запись?" in html
    assert "Are you sure you want to delete this item?" not in html


def test_confirm_dialog_buttons_are_russian(ui):
    html = ui("region.almaty").get("/projectview/list/").text
    assert ">Отмена<" in html.replace("{{", "")
    assert 'data-dismiss="modal">Cancel<' not in html
