"""The receipt («расписка») an office gives the investor for accepted documents (p. 25)."""
from io import BytesIO

from docx import Document
from docx.shared import Pt
from flask import send_file
from flask_babel import gettext as _

from ..clock import local_day
from ..models.accompaniment import ServiceApplication

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def receipt_lines(item: ServiceApplication) -> dict:
    """Return the receipt's content, shared by the print view and the Word document."""
    return {
        "title": _("Расписка № %(number)s о приёме документов", number=item.number),
        "office": item.owner_office.local_name,
        "received": local_day(item.received_at).strftime("%d.%m.%Y"),
        "applicant": item.applicant_name,
        "services": [s.local_name for s in item.services],
        "provider": item.provider.local_name,
        "documents": item.document_list,
        "result_date": item.expected_result_date.strftime("%d.%m.%Y")
        if item.expected_result_date else "—",
    }


def receipt_docx(item: ServiceApplication):
    """Return the receipt as a .docx download."""
    data = receipt_lines(item)
    document = Document()
    document.styles["Normal"].font.name = "Times New Roman"
    document.styles["Normal"].font.size = Pt(12)
    document.add_heading(data["title"], level=1)
    # The same msgid as in irm/receipt.html (which sets the applicant in bold).
    document.add_paragraph(_("%(office)s принял(а) %(received)s от заявителя %(applicant)s "
                             "документы для получения государственной услуги: %(services)s "
                             "(услугодатель: %(provider)s).",
                             office=data["office"], received=data["received"],
                             applicant=data["applicant"], services=", ".join(data["services"]),
                             provider=data["provider"]))
    document.add_paragraph(_("Перечень принятых документов:"))
    for number, name in enumerate(data["documents"], start=1):
        document.add_paragraph(f"{number}. {name}")
    document.add_paragraph(_("Дата выдачи результата:") + f" {data['result_date']}.")
    line = " ______________________"
    document.add_paragraph(_("Документы принял:") + line + "   "
                           + _("Расписку получил:") + line)
    buffer = BytesIO()
    document.save(buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype=DOCX_MIME, as_attachment=True,
                     download_name=f"raspiska-{item.number}.docx")
