"""The file storage folders: documents, imports and exports.

With several app nodes these must be one shared folder (NFS or similar) that every node
and the scheduler mount at the same path: IRM_STORAGE_DIR, holding documents/, imports/
and exports/. IRM_DOCUMENT_DIR, IRM_IMPORT_DIR and IRM_EXPORT_DIR still override one
folder each; without any of them the folders live in the instance folder (one machine).
"""
from pathlib import Path

from flask import current_app

OVERRIDES = {"documents": "IRM_DOCUMENT_DIR", "imports": "IRM_IMPORT_DIR",
             "exports": "IRM_EXPORT_DIR"}


def folder(name: str) -> Path:
    """Return the storage folder called name ("documents", "imports" or "exports")."""
    config = current_app.config
    configured = config.get(OVERRIDES[name])
    if configured:
        return Path(configured)
    return Path(config.get("IRM_STORAGE_DIR") or current_app.instance_path) / name
