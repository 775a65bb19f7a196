"""A save the database refuses shows the form again with what the user typed.

FAB's add and edit pages redirect after any failed save, losing the form; the message
(models/interface.SAVE_REFUSED) is flashed on top of the form shown again instead.
"""
from flask import request

from ..models.request_local import save_refused


class KeepsTypedValues:
    """Mixin for a ModelView: after a refused save, the posted form comes back filled."""

    def _add(self):
        widgets = super()._add()
        if widgets is None and save_refused():
            form = self.add_form.refresh()  # from the posted values
            form.validate()
            widgets = self._get_add_widget(form=form,
                                           exclude_cols=self._filters.get_relation_cols())
        return widgets

    def _edit(self, pk):
        widgets = super()._edit(pk)
        if widgets is None and save_refused():
            form = self.edit_form.refresh(request.form)
            form._id = pk  # as FAB does, for its unique validators
            form.validate()
            widgets = self._get_edit_widget(form=form,
                                            exclude_cols=self._filters.get_relation_cols())
        return widgets
