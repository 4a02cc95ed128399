"""Writing files so that nothing is lost: all-or-nothing writes and advisory locks.

A corpus document or an index file is either written whole or not at all: the bytes go to a temporary
file in the same folder, are flushed to disk, and only then take the final name. A full disk or a
crash mid-write leaves the old state (and at most a hidden temporary file, removed on failure), never a
document cut mid-character that the next build would index.
"""

from __future__ import annotations

import errno
import fcntl
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from kb.errors import FileWriteError


def _reason(error: OSError) -> str:
    if error.errno == errno.ENOSPC:
        return "磁盘已满 (no space left on device)"
    if error.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return f"不可写 ({error.strerror or error.__class__.__name__})"
    return error.strerror or str(error)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _temporary(path: Path, data: bytes, durable: bool) -> Path:
    """``data`` in a new hidden file beside ``path``; removed again if anything fails."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        try:
            _write_all(fd, data)
            if durable:
                os.fsync(fd)
        finally:
            os.close(fd)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return temporary


def write_new(path: Path, data: bytes, durable: bool = True) -> None:
    """Write a file that must not exist yet, whole or not at all; an existing file is never replaced.

    Raises ``FileExistsError`` when ``path`` exists and ``FileWriteError`` (with the reason) when the
    bytes could not be written; in both cases nothing is left behind.
    """
    try:
        temporary = _temporary(path, data, durable)
    except OSError as error:
        raise FileWriteError(error.errno, f"{path}: 写入失败，{_reason(error)}") from error
    try:
        # A hard link fails when the name is taken, so two writers can never overwrite each other.
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError as error:
        if error.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
            raise FileWriteError(error.errno, f"{path}: 写入失败，{_reason(error)}") from error
        # A file system without hard links: the caller holds the folder's lock, so check, then rename.
        if path.exists():
            raise FileExistsError(errno.EEXIST, f"{path} exists") from error
        os.rename(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def write_replacing(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``path`` whole or not at all, replacing what was there (readers see the old or the new)."""
    try:
        temporary = _temporary(path, data, durable)
        try:
            os.replace(temporary, path)
        finally:
            temporary.unlink(missing_ok=True)
    except OSError as error:
        raise FileWriteError(error.errno, f"{path}: 写入失败，{_reason(error)}") from error


@contextmanager
def folder_lock(folder: Path, name: str, exclusive: bool = True) -> Iterator[bool]:
    """An advisory lock on a folder, through the hidden file ``name`` in it, held for the block.

    Yields True when the lock is held. A shared lock on a folder that cannot hold the lock file (a
    read-only mount) yields False: nobody can write there either, so reading needs no lock. An
    exclusive lock that cannot be taken raises ``FileWriteError`` saying why.
    """
    path = folder / name
    try:
        handle: BinaryIO = open(path, "a+b")  # noqa: SIM115 — held for the block, closed below
    except OSError as error:
        if not exclusive:
            try:
                handle = open(path, "rb")  # noqa: SIM115
            except OSError:
                yield False
                return
        else:
            raise FileWriteError(error.errno, f"{folder}: 无法加锁写入，{_reason(error)}") from error
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH)
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
