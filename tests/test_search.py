"""Global search: investors by name or BIN, projects, agreements, sites; scoped."""

from app.extensions import db
from app.models import Investor


def test_search_finds_own_records_only(ui, world):
    html = ui("region.almaty").get("/search/?q=of ALM").text
    assert "investor of ALM" in html and "project of ALM" in html
    assert "agreement of ALM" in html and "site of ALM" in html
    other = ui("region.almaty").get("/search/?q=of TUR").text.rsplit("</form>", 1)[1]
    for kept in ("investor of TUR", "project of TUR", "agreement of TUR"):
        assert kept not in other
    assert "site of TUR" in other  # every office offers every region's sites (p. 10.2 г)


def test_search_by_bin_finds_the_investor_and_its_projects(app, ui, world):
    with app.app_context():
        investor = db.session.get(Investor, world["records"]["investor"]["ALM"])
        investor.bin = "210540099911"
        db.session.commit()
    html = ui("region.almaty").get("/search/?q=2105 4009 9911").text
    assert "investor of ALM" in html
    assert "investor of ALM" not in ui("region.turkestan").get("/search/?q=210540099911").text


def test_search_box_is_in_the_navigation_bar_and_tolerates_odd_input(ui):
    page = ui("region.almaty").get("/")
    assert 'action="/search/"' in page.text
    for query in ("%", "_", "\\", "a", "'; drop table investor; --"):
        assert ui("region.almaty").get("/search/", query_string={"q": query}).status_code == 200
