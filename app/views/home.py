"""The start page: who the user is, their office, and the registers they work in."""
from flask_appbuilder import IndexView


class HomeView(IndexView):
    """Start page in the user's language."""

    index_template = "irm/index.html"
