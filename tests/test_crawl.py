"""A crawler: every role, in every language, walks its menu and the records it can see.

It fails on a 5xx, on "None" shown as a value, on a raw enum code (e.g. "draft") standing
alone where a label belongs, on a name FAB stores for a permission or a view or menu
("can_read", "ProjectView") shown as stored, and, in kk and en, on a msgid left
untranslated (the detection of tests/test_i18n.py). One walk per role and language; the
pages are found once per role. Every record page its lists link to is read in Russian (a
record's own values are what can show "None" or a code); in kk and en the first record of
each list stands for its kind (the labels are the kind's, and reading every record three
times would cost the suite's budget).
"""
import json
import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest

from app import scoping
from app.models.base import LabeledEnum

from . import scenario
from .test_i18n import (  # noqa: F401 - module fixtures reused
    LANGUAGES,
    PLACEHOLDER,
    _candidates,
    _matcher,
    _untranslated_strings,
    _VisibleText,
    catalogs,
    json_strings,
)

pytestmark = pytest.mark.parametrize("app", ["sqlite"], indirect=True)

ROLES = ("admin", "authority", "nc", "taskforce", "embassy.de", "region.almaty")
LIST_PAGE = re.compile(r"^/[a-z]+view/list/$")
SHOW_PAGE = re.compile(r"^/[a-z]+view/show/\d+$")
# Pages a menu links to that are not pages to read (downloads, sign-out, switches).
NOT_PAGES = re.compile(r"^/(logout|lang|static|api|swagger)|/download|\.xlsx$|\.csv$")
# Enum codes that are also ordinary words of the data ("authority" is a scenario username).
AMBIGUOUS_CODES = {"email", "other", "authority"}
# Texts of the scenario's data that read like a msgid: an office named "Уполномоченный
# орган", an agreement's parties "Стороны".
DATA = {name for name, *_ in scenario.OFFICES.values()} | {"Стороны"}
# The audit trail keeps each record's label as it read when written (in the writer's
# language): a recorded fact, like the state service's "%(name)s (%(days)s р.д.)".
# So is a notice, written in its reader's language when it was sent (services/notifications).
RECORDED = {"%(name)s (%(days)s р.д.)", "Проект передан на принятие: %(name)s",
            "Проект «%(name)s» по объёму относится к уровню «%(level)s» (п. 5 Правил). "
            "Примите его или отклоните с указанием причины."}


@pytest.fixture(scope="module")
def stored_names(app, catalogs):  # noqa: F811 - the fixture imported above
    """Per language: FAB's stored permission, view-menu and role names ("can_read",
    "ProjectView", "^Front\\ offices$", "Front offices", "NationalCompany") that are not a
    word of the language, which the administration pages must show in words. A name that is
    a word there ("KPI", and "Investors" in en) may stand."""
    from flask_appbuilder.security.sqla.models import Permission, Role, ViewMenu

    from app.extensions import db

    with app.app_context():
        names = {name for model in (Permission, ViewMenu)
                 for name in db.session.scalars(db.select(model.name))}
        names |= set(db.session.scalars(db.select(Role.name)))
    words = {"ru": {m.id for m in catalogs["en"] if m.id},
             "kk": {m.string for m in catalogs["kk"] if m.id},
             "en": {m.string for m in catalogs["en"] if m.id} | {m.id for m in catalogs["kk"]
                                                                 if m.id}}
    return {lang: names - found for lang, found in words.items()}


def _enum_codes() -> set[str]:
    """Every value of the app's enums, e.g. "draft", "in_work"."""
    import app.models  # noqa: F401 - registers every enum

    codes, pending = set(), list(LabeledEnum.__subclasses__())
    while pending:
        enum = pending.pop()
        pending.extend(enum.__subclasses__())
        codes |= {member.value for member in enum}
    return codes - AMBIGUOUS_CODES


class _Cells(HTMLParser):
    """Text nodes outside scripts and styles: what stands in a cell or a field."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.texts, self.hidden = [], 0

    def handle_starttag(self, tag, attrs):
        self.hidden += tag in ("script", "style")

    def handle_endtag(self, tag):
        self.hidden -= tag in ("script", "style") and self.hidden > 0

    def handle_data(self, data):
        if not self.hidden and data.strip():
            self.texts.append(data.strip())
        elif self.hidden:  # FAB's search filters come as HTML inside a script's JSON
            for value in json_strings(data):
                if "<" in value:
                    nested = _Cells()
                    nested.feed(value)
                    self.texts.extend(nested.texts)


def _links(html: str) -> set[str]:
    """Internal paths linked from a page, without query strings."""
    paths = set()
    for href in re.findall(r'href="([^"#]+)"', html):
        parts = urlsplit(href)
        if not parts.netloc and parts.path.startswith("/"):
            paths.add(parts.path)
    return paths


def _pages_of(client) -> tuple[list[str], set[str]]:
    """The user's menu pages and every record page their lists link to; and of the record
    pages, the first of each list (which stand for their kind in kk and en)."""
    menu = {p for p in _links(client.get("/").text) if not NOT_PAGES.search(p)}
    shows, firsts = set(), set()
    for page in sorted(menu):
        if LIST_PAGE.match(page):
            found = sorted({p for p in _links(client.get(page).text) if SHOW_PAGE.match(p)})
            shows |= set(found)
            firsts |= set(found[:1])
    return sorted(menu | {"/"}) + sorted(shows), firsts


@pytest.fixture(scope="module")
def forbidden(catalogs):  # noqa: F811 - the fixture imported above
    """Per language: plain msgids and patterns of msgids with placeholders.

    The catalogs hold every msgid (tests/test_i18n.py sees to it: the app's in kk and en,
    FAB's in kk), so they stand for the extraction, which costs seconds."""
    out = {}
    for lang in LANGUAGES:
        msgids = _untranslated_strings(catalogs[lang], [], catalogs, lang)
        plain = {m.replace("%%", "%") for m in msgids if not PLACEHOLDER.search(m)} - DATA
        patterns = [(m, _matcher(m)) for m in msgids
                    if PLACEHOLDER.search(m) and m not in RECORDED]
        out[lang] = plain, patterns
    return out


def _problems(html: str, codes: set[str], forbidden, stored=frozenset()) -> list[str]:
    """What a person should not see on the page."""
    cells = _Cells()
    cells.feed(html)
    found = [f"raw {text!r}" for text in cells.texts if text == "None" or text in codes]
    found += [f"stored name {line!r}" for text in cells.texts
              for line in text.splitlines() if line.strip() in stored]
    if forbidden:
        plain, patterns = forbidden
        visible = _VisibleText()
        visible.feed(html)
        seen = set().union(*(_candidates(t) for t in visible.texts))
        found += [f"untranslated {m!r}" for m in sorted(seen & plain)]
        found += [f"untranslated {m!r}" for m, p in patterns if any(p.match(s) for s in seen)]
    return found


def _same_for_everyone(app, page: str) -> bool:
    """Whether a page reads the same whoever opens it: a record's page, shared reference data."""
    if SHOW_PAGE.match(page):
        return True
    try:
        endpoint, _ = app.url_map.bind("localhost").match(page)
    except Exception:  # noqa: BLE001 - not one of the views' routes
        return False
    view = next((v for v in app.appbuilder.baseviews
                 if type(v).__name__ == endpoint.split(".")[0]), None)
    model = getattr(getattr(view, "datamodel", None), "obj", None)
    return model is not None and not scoping.is_scoped(model)


@pytest.fixture(scope="module")
def walked():
    """Pages already walked in the module, by language: shared ones are walked once."""
    return {lang: set() for lang in ("ru",) + LANGUAGES}


@pytest.mark.parametrize("username", ROLES)
def test_every_page_a_role_sees_shows_words_not_codes(app, ui, username, forbidden, walked,
                                                       stored_names):
    client = ui(username)
    pages, firsts = _pages_of(client)
    codes = _enum_codes()
    problems, count = {}, 0
    try:
        for lang in ("ru",) + LANGUAGES:
            assert client.get(f"/lang/{lang}").status_code == 302
            for page in pages:
                if page in walked[lang] or (lang != "ru" and SHOW_PAGE.match(page)
                                            and page not in firsts):
                    continue
                if _same_for_everyone(app, page):
                    walked[lang].add(page)
                response, count = client.get(page), count + 1
                found = [f"status {response.status_code}"] if response.status_code >= 500 else []
                found += _problems(response.text, codes, forbidden.get(lang),
                                   stored_names[lang])
                if found:
                    problems[f"{lang} {page}"] = found
    finally:
        client.get("/lang/ru")
    print(f"{username}: {len(pages)} pages, {count} walked in ru, kk, en (shared ones once)")
    assert len(pages) > 5, pages
    assert not problems, "\n".join(f"{k}: {sorted(set(v))}" for k, v in problems.items())


def test_a_roles_record_and_form_name_its_permissions_in_words(app, ui, forbidden,
                                                              stored_names):
    from flask_appbuilder.security.sqla.models import Role

    from app.extensions import db
    from app.security.roles import AUTHORITY

    with app.app_context():
        role = db.session.query(Role).filter_by(name=AUTHORITY).one()
        role_id, stored = role.id, {p.permission.name for p in role.permissions}
    assert "^can_read$" in stored  # FAB's checks match the stored names: they stay
    client, problems = ui("admin"), {}
    try:
        for lang, read in (("ru", "Чтение"), ("kk", "Оқу"), ("en", "Read")):
            assert client.get(f"/lang/{lang}").status_code == 302
            for page in (f"/roles/show/{role_id}", "/roles/add"):
                response = client.get(page)
                assert response.status_code == 200 and read in response.text, (lang, page)
                found = _problems(response.text, set(), forbidden.get(lang),
                                  stored_names[lang])
                if found:
                    problems[f"{lang} {page}"] = found
    finally:
        client.get("/lang/ru")
    assert not problems, problems


def test_an_enum_filter_offers_labels_and_still_filters(ui):
    client = ui("region.almaty")
    page = client.get("/investorview/list/?_flt_0_status=inactive").get_data(as_text=True)
    assert "investor of ALM" not in page  # the scenario's investors are potential ones
    page = client.get("/investorview/list/?_flt_0_status=potential").get_data(as_text=True)
    assert "investor of ALM" in page
    # The filter's select (HTML in the page's JSON) names the statuses, not their codes.
    assert json.dumps("Неактивный")[1:-1] in page and "\\u003einactive\\u003c" not in page


def test_a_report_snapshot_reads_in_words_in_its_history(app, ui, world):
    from sqlalchemy import select

    from app.extensions import db
    from app.models import QuarterlyReport
    from app.services.reports import create_drafts

    with app.app_context():
        create_drafts(db.session, 2026, 3)
        report = db.session.execute(select(QuarterlyReport).filter_by(
            owner_office_id=world["offices"]["ALM"], year=2026, quarter=3,
            kind="office")).scalar_one()
        report.snapshot = json.dumps({"year": 2026, "quarter": 3,
                                      "totals": {"projects": 4, "volume": "1500000.50"}})
        db.session.commit()
        report.snapshot = json.dumps({"year": 2026, "quarter": 3,
                                      "totals": {"projects": 5, "volume": "1500000.50"}})
        db.session.commit()
        report_id = report.id
    page = ui("region.almaty").get(f"/quarterlyreportview/history/{report_id}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    # (The trail does not load a deferred snapshot before an update: its figures read "—".)
    assert "Снимок отчёта" in text and "Snapshot" not in text
    assert "снимок отчёта обновлён: Проектов в портфеле на конец периода: — → 5" in text
    assert '{"year"' not in text and "&#34;year" not in text and "totals" not in text


def test_users_are_filtered_by_a_role_named_in_words(app, ui):
    from flask_appbuilder.security.sqla.models import Role

    from app.extensions import db
    from app.security.roles import AUTHORITY

    with app.app_context():
        authority = db.session.query(Role).filter_by(name=AUTHORITY).one().id
    page = ui("admin").get(f"/users/list/?_flt_0_roles={authority}").text
    assert "authority@test.irm.kz" in page and "region.almaty@test.irm.kz" not in page
    assert "Уполномоченный орган" in page and ">Authority<" not in page
