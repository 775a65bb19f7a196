"""An uploaded file's name as it may be stored and shown: the browser's name, cleaned.

A file name is whatever the client wrote in the multipart header: a path (Windows
browsers send one), control characters, NUL (which PostgreSQL text cannot hold and no
file system path may contain), or a lone surrogate no UTF-8 encoder can write.
"""
import re
import unicodedata
from pathlib import PurePosixPath

MAX_LENGTH = 255  # the columns keeping file names
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")


def clean_file_name(name: str | None) -> str:
    """Return the last part of an uploaded file's name without control characters, NUL or
    lone surrogates, at most MAX_LENGTH characters keeping its extension; "" if none is left."""
    name = unicodedata.normalize("NFC", UNPRINTABLE.sub("", name or ""))
    name = PurePosixPath(name.replace("\\", "/")).name.strip()
    if len(name) <= MAX_LENGTH:
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or len(extension) > 10:
        return name[:MAX_LENGTH]
    return stem[:MAX_LENGTH - len(extension) - 1] + "." + extension
