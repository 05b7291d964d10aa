"""Files in and out, safely: bounded reads, atomic writes, folder swaps and locks.

Every file zopa writes (web saves and their versions, reports, charts, imports,
exports) goes through this module, the lowest layer of the package (it imports
nothing from zopa).

* :func:`read_bounded` reads at most a given number of bytes from any kind of
  file (a regular file, a device such as ``/dev/zero``, a pipe or standard input),
  so that no input can exhaust memory before its size is known.
* :func:`write_atomic` writes a file so that a crash or a kill at any instant
  leaves either the old content or the new one, never a mix: the data goes to a
  temporary file beside the target, which is flushed to disk (``fsync``), renamed
  over the target (``rename`` is atomic on POSIX) and made durable by an
  ``fsync`` of the folder, the sequence Pillai et al. found needed on every
  common file system ("All File Systems Are Not Created Equal", OSDI 2014, §2).
  With ``overwrite=False`` the target is created by ``link``, which fails if it
  appeared meanwhile: no existing file is ever replaced by accident.
* :func:`replace_folder` writes a whole new folder beside the old one and swaps
  the two in one step (Linux ``renameat2(RENAME_EXCHANGE)``; elsewhere a rename
  aside, a rename in and a recovery on the next run).
* Temporary names carry the writer's process id; :func:`clean_stale` removes
  those of processes that no longer run, so a killed writer's leftovers go on
  the next write beside them.
* :func:`locked` serialises writers of one resource across processes with an
  advisory ``flock`` on a lock file.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

TMP_SUFFIX = ".zopa-tmp"
ASIDE_SUFFIX = ".zopa-old"
INCOMPLETE = ".zopa-incomplete"  # marks a folder still being written: never loaded
_CHUNK = 1 << 20


class TooLarge(OSError):
    """A file larger than the limit it was read under."""

    def __init__(self, size: int | None, limit: int) -> None:
        shown = f"{size:,} bytes" if size is not None else f"more than {limit:,} bytes"
        super().__init__(errno.EFBIG, f"the file is {shown}; the limit is {limit:,}")
        self.size = size
        self.limit = limit


# --------------------------------------------------------------------------- reading


def read_bounded(path: str | os.PathLike[str], limit: int) -> bytes:
    """The bytes of ``path``, refusing (:class:`TooLarge`) more than ``limit`` of them.

    A regular file is refused from its size alone; anything else (a device, a
    pipe, standard input) is read in chunks and refused as soon as it passes
    the limit, so at most ``limit + 1`` bytes are ever held.  A folder raises
    :class:`IsADirectoryError`.
    """
    with open(path, "rb") as handle:
        info = os.fstat(handle.fileno())
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(errno.EISDIR, "is a folder", str(path))
        if stat.S_ISREG(info.st_mode) and info.st_size > limit:
            raise TooLarge(info.st_size, limit)
        chunks: list[bytes] = []
        total = 0
        while True:
            chunk = handle.read(min(_CHUNK, limit + 1 - total))
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise TooLarge(info.st_size if stat.S_ISREG(info.st_mode) else None, limit)


# --------------------------------------------------------------------------- writing


def _temporary_name(target: Path) -> Path:
    """A hidden name beside ``target`` that says whose it is: ``.NAME.PID.RANDOM.zopa-tmp``."""
    return target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}{TMP_SUFFIX}")


_OWNED = re.compile(r"^\.(?P<name>.+)\.(?P<pid>[0-9]+)\.[0-9a-f]{8}" + re.escape(TMP_SUFFIX) + "$")


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's live process
        return True
    return True


def clean_stale(folder: Path, name: str | None = None) -> list[Path]:
    """Remove temporary files and folders left in ``folder`` by writers that no longer run.

    With ``name``, only those beside that target.  Returns what was removed.
    """
    removed: list[Path] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return removed
    for entry in entries:
        match = _OWNED.match(entry.name)
        if match is None and entry.name.endswith(ASIDE_SUFFIX):
            match = _OWNED.match(entry.name[: -len(ASIDE_SUFFIX)] + TMP_SUFFIX)
            if match and not _alive(int(match["pid"])):
                _recover_aside(folder / match["name"], entry)
                continue
        if match is None or (name is not None and match["name"] != name):
            continue
        if _alive(int(match["pid"])):
            continue
        with contextlib.suppress(OSError):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed.append(entry)
    return removed


def fsync_folder(folder: Path) -> None:
    """Make a rename inside ``folder`` durable (a no-op where folders cannot be fsynced)."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mode_for(target: Path) -> int:
    """The permissions a new file gets: the old file's, or the usual ones under the umask."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_atomic(
    path: str | os.PathLike[str], data: str | bytes, *, overwrite: bool = True
) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically and durably (module docstring).

    Missing folders on the way are created.  With ``overwrite=False`` an existing ``path`` raises
    :class:`FileExistsError` and is left untouched.  Leftovers of killed writers
    beside ``path`` are removed first.
    """
    target = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    folder = target.parent
    folder.mkdir(parents=True, exist_ok=True)
    clean_stale(folder, target.name)
    tmp = _temporary_name(target)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(raw)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, _mode_for(target))
        if overwrite:
            os.replace(tmp, target)
        else:
            os.link(tmp, target)  # fails with FileExistsError if the target appeared
            tmp.unlink()
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    fsync_folder(folder)


def check_writable(path: str | os.PathLike[str]) -> None:
    """Raise :class:`OSError` unless a file could be written at ``path`` now.

    Missing folders on the way would be created; the nearest existing one must
    be a folder in which a file can be created (a probe file is made and removed,
    so read-only file systems and permissions are tested as they are).
    """
    target = Path(path).absolute()
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder", str(target))
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "is a file, not a folder", str(folder))
    probe = _temporary_name(folder / ".zopa-probe")
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except OSError as err:
        raise OSError(err.errno, err.strerror, str(folder)) from None
    os.close(fd)
    probe.unlink()


# --------------------------------------------------------------------------- folders


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one atomic step (Linux renameat2 with RENAME_EXCHANGE).

    False when the system or the file system cannot (the caller falls back).
    """
    libc_name = ctypes.util.find_library("c")
    if libc_name is None:
        return False
    try:
        libc = ctypes.CDLL(libc_name, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    renameat2.argtypes = [
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_int,
        ctypes.c_char_p,
        ctypes.c_uint,
    ]
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _recover_aside(folder: Path, aside: Path) -> None:
    """Finish or undo a fallback swap that was killed between its two renames."""
    with contextlib.suppress(OSError):
        if folder.exists():
            shutil.rmtree(aside)  # the new folder made it in: the old one goes
        else:
            os.rename(aside, folder)  # the new one never did: the old one comes back
        fsync_folder(folder.parent)


def replace_folder(
    folder: str | os.PathLike[str],
    files: Mapping[str, bytes],
    keep: Iterable[Path] = (),
) -> None:
    """Make ``folder`` hold exactly ``files`` plus copies of ``keep`` (entries of the old folder).

    The new folder is written completely beside the old one (every file
    fsynced, marked incomplete until then) and swapped in, so that at any
    instant ``folder`` is the old folder or the new one, never a mix.  The old
    folder is removed afterwards.  Leftovers of killed runs are cleaned first.
    """
    target = Path(folder).absolute()
    parent = target.parent
    parent.mkdir(parents=True, exist_ok=True)
    clean_stale(parent, target.name)
    tmp = _temporary_name(target)
    tmp.mkdir()
    try:
        marker = tmp / INCOMPLETE
        marker.touch()
        for name, data in files.items():
            _write_new(tmp / name, data)
        for entry in keep:
            _carry(entry, tmp / entry.name)
        fsync_folder(tmp)
        marker.unlink()
        fsync_folder(tmp)
        if not target.exists():
            os.rename(tmp, target)
        elif _exchange(tmp, target):
            _remove_tree(tmp)  # the old folder, now under the temporary name
        else:
            aside = tmp.with_name(tmp.name[: -len(TMP_SUFFIX)] + ASIDE_SUFFIX)
            os.rename(target, aside)
            os.rename(tmp, target)
            _remove_tree(aside)
    except BaseException:
        _remove_tree(tmp)
        raise
    fsync_folder(parent)


def _write_new(path: Path, data: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _mode_for(path))
    with os.fdopen(fd, "wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())


def _carry(source: Path, dest: Path) -> None:
    """A file or folder of the old folder, into the new one (hard link when possible)."""
    if source.is_symlink():
        os.symlink(os.readlink(source), dest)
    elif source.is_dir():
        shutil.copytree(source, dest, symlinks=True)
    else:
        try:
            os.link(source, dest)
        except OSError:
            shutil.copy2(source, dest)


def _remove_tree(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()


def incomplete(folder: Path) -> bool:
    """Whether ``folder`` is a folder that :func:`replace_folder` had not finished writing."""
    return (folder / INCOMPLETE).exists()


# --------------------------------------------------------------------------- locks


@contextlib.contextmanager
def locked(lock_file: str | os.PathLike[str]) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_file`` (created if needed) across processes."""
    import fcntl

    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
