"""Versions of presentation materials (p. 12.6, p. 15-1.10): each upload is a numbered draft."""
from typing import BinaryIO, Optional

from sqlalchemy.orm import Session

from ..models.materials import MaterialVersion, PresentationMaterial
from . import approval, documents


def add_version(session: Session, material: PresentationMaterial, stream: BinaryIO,
                filename: str, note: Optional[str] = None,
                user_id: Optional[int] = None) -> MaterialVersion:
    """Store an uploaded draft as the material's next version; the material becomes a draft."""
    approval.reopen_for_new_version(session, material, user_id)
    document = documents.store(session, material, stream, filename, user_id)
    number = (material.latest_version.number if material.latest_version else 0) + 1
    version = MaterialVersion(number=number, document=document,
                              note=(note or "").strip() or None, uploaded_by_id=user_id)
    material.versions.append(version)
    return version


def version_of(material: PresentationMaterial, number) -> Optional[MaterialVersion]:
    """Return the material's version with that number, None if there is none."""
    return next((v for v in material.versions if str(v.number) == str(number)), None)
