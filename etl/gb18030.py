"""GB18030 bytes to UTF-8, through the C library's iconv where it has one."""

from __future__ import annotations

import ctypes

# Python's codec holds the interpreter lock throughout and converts ~150 MB/s here; glibc's
# iconv converts ~500 MB/s and, called through ctypes, lets the other file's thread run
# meanwhile (a million GB18030 tickets: 212 MB, 1.2 s of the load's critical path). Where
# they differ, iconv follows GB18030-2005: 25 two-byte codes (vertical-form punctuation such
# as A6D9 ︐) give the characters the 2005 edition assigned them, not private-use code points.
_ENCODING = b"GB18030"


def _bind():
    """(iconv_open, iconv, iconv_close) of the C library, or None where there is none."""
    try:
        libc = ctypes.CDLL(None)
        open_, conv, close = libc.iconv_open, libc.iconv, libc.iconv_close
    except (OSError, AttributeError):
        return None
    open_.restype, open_.argtypes = ctypes.c_void_p, [ctypes.c_char_p, ctypes.c_char_p]
    conv.restype = ctypes.c_size_t
    conv.argtypes = [ctypes.c_void_p, ctypes.POINTER(ctypes.c_void_p),
                     ctypes.POINTER(ctypes.c_size_t), ctypes.POINTER(ctypes.c_void_p),
                     ctypes.POINTER(ctypes.c_size_t)]
    close.restype, close.argtypes = ctypes.c_int, [ctypes.c_void_p]
    handle = open_(b"UTF-8", _ENCODING)
    if handle in (None, ctypes.c_void_p(-1).value):
        return None  # a C library without the GB18030 tables
    close(handle)
    return open_, conv, close


_ICONV = _bind()


def to_utf8(data: bytes | bytearray | memoryview) -> bytes | bytearray:
    """DATA (GB18030) as UTF-8; UnicodeDecodeError, with offsets in DATA, as Python's codec
    raises it for text that is not GB18030."""
    if _ICONV is None or not data:
        return str(data, "gb18030").encode("utf-8")
    converted = _iconv(data)
    if converted is None:
        # Not GB18030 as iconv reads it: Python's codec says where, or converts what iconv
        # would not (the message and the offset are the same on every machine).
        return str(data, "gb18030").encode("utf-8")
    return converted


def _iconv(data: bytes | bytearray | memoryview) -> bytearray | None:
    """DATA converted by iconv, or None when iconv refuses a byte of it."""
    open_, conv, close = _ICONV
    if isinstance(data, bytes):
        source = ctypes.c_char_p(data)  # points into the bytes object: no copy
        address, size = ctypes.cast(source, ctypes.c_void_p).value, len(data)
    else:
        view = memoryview(data).cast("B")
        if view.readonly:
            return _iconv(bytes(view))
        source = (ctypes.c_char * len(view)).from_buffer(view)
        address, size = ctypes.addressof(source), len(view)
    # A GB18030 character of n bytes is at most n + 1 bytes of UTF-8 (one byte: 1; two: 3;
    # four: 4), so one and a half times the input always fits.
    room = size * 3 // 2 + 4
    out = bytearray(room)
    target = (ctypes.c_char * room).from_buffer(out)
    in_ptr, in_left = ctypes.c_void_p(address), ctypes.c_size_t(size)
    out_ptr, out_left = ctypes.c_void_p(ctypes.addressof(target)), ctypes.c_size_t(room)
    handle = open_(b"UTF-8", _ENCODING)
    try:
        # Errors (EILSEQ, EINVAL: a character cut off at the end) leave input unconverted.
        conv(handle, ctypes.byref(in_ptr), ctypes.byref(in_left), ctypes.byref(out_ptr),
             ctypes.byref(out_left))
    finally:
        close(handle)
    del target, source
    if in_left.value:
        return None
    # Cut to size in place: a copy into bytes would hold the GIL the other reader needs.
    del out[room - out_left.value:]
    return out
