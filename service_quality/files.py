"""Files the project writes for people (uploads, reports): owner-only, never through a link.

The mode is 0600 for files and 0700 for the folders created for them, unless
$DASHBOARD_FILE_MODE names another (e.g. 640: files 0640, folders 0750).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

DEFAULT_FILE_MODE = 0o600
# A customer id used as it is in a file name: letters (any script), digits, - _ and inner dots.
_PLAIN = re.compile(r"^[^\W_][\w.-]{0,63}$")


def file_mode() -> int:
    """The mode of files written for people: $DASHBOARD_FILE_MODE (octal) or 0600."""
    value = os.environ.get("DASHBOARD_FILE_MODE", "").strip()
    if not value:
        return DEFAULT_FILE_MODE
    try:
        mode = int(value, 8)
    except ValueError:
        raise ValueError(f"DASHBOARD_FILE_MODE={value!r} is not an octal mode like 600") from None
    if mode & ~0o666 or not mode & 0o600 == 0o600:
        raise ValueError(f"DASHBOARD_FILE_MODE={value!r}: give read and write for the owner "
                         "and no execute bits, e.g. 600 or 640")
    return mode


def dir_mode() -> int:
    """The mode of folders created for those files: the file mode plus x where there is r."""
    mode = file_mode()
    return mode | (mode & 0o444) >> 2


def make_dirs(folder: Path) -> Path:
    """Create FOLDER and missing parents with dir_mode(); folders already there are left as
    they are (they may be someone's home)."""
    folder = Path(folder)
    missing = []
    for part in (folder, *folder.parents):
        if part.exists():
            break
        missing.append(part)
    for part in reversed(missing):
        try:
            os.mkdir(part, dir_mode())
        except FileExistsError:
            continue
        os.chmod(part, dir_mode())   # the umask may have narrowed it; set it exactly
    if not folder.is_dir():
        raise NotADirectoryError(f"{folder} is not a folder")
    return folder


def write_bytes(path: Path, data) -> Path:
    """Write DATA to PATH with file_mode(), replacing a file but never following a link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, file_mode())
    try:
        os.fchmod(fd, file_mode())
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    return Path(path)


def _tag(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def name_part(text: str) -> str:
    """TEXT as one safe part of a file name: itself when plain, else a cleaned form plus a
    hash of the original (so two different texts never clean to the same part)."""
    text = str(text)
    if _PLAIN.match(text):
        return text
    clean = unicodedata.normalize("NFKC", text)
    clean = re.sub(r"[^\w-]+", "_", clean).strip("_-")[:40]
    return f"{clean}-{_tag(text)}" if clean else _tag(text)


def unique_name_parts(texts) -> dict[str, str]:
    """name_part() of each text, made unique among them even on a case-blind file system."""
    parts = {text: name_part(text) for text in dict.fromkeys(map(str, texts))}
    for rounds in range(3):
        seen: dict[str, list[str]] = {}
        for text, part in parts.items():
            seen.setdefault(part.casefold(), []).append(text)
        clashes = [text for group in seen.values() if len(group) > 1 for text in group]
        if not clashes:
            return parts
        for text in clashes:
            parts[text] = f"{name_part(text)}-{_tag(text + '#' * rounds)}"
    raise ValueError("cannot give these texts distinct file names")   # never seen: 3 hashes
