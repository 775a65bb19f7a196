"""Our list and record widgets: FAB's, lighter per row and with "—" for an empty value."""
from flask_appbuilder.widgets import ListWidget, ShowWidget


class ScopedListWidget(ListWidget):
    """FAB's list, lighter per row, with edit and delete only where the user may change."""

    template = "irm/widgets/list.html"


class ScopedShowWidget(ShowWidget):
    """FAB's record widget, showing an empty value as a dash."""

    template = "irm/widgets/show.html"
