"""TART_HOME layout, the global flock, tmp/ scratch directories and their garbage collection."""
import contextlib
import fcntl
import os
import shutil
import sys
import uuid

from .errors import RuntimeErr


def tart_home() -> str:
    home = os.environ.get("TART_HOME") or os.path.join(os.path.expanduser("~"), ".tart")
    home = os.path.abspath(home)
    if not os.path.isdir(home):
        try:
            os.makedirs(home, exist_ok=True)
        except OSError as exc:
            raise RuntimeErr(
                f"TART_HOME is invalid: {home} does not exist, yet we can't create it: {exc.strerror}"
            ) from None
    return home


def vms_dir() -> str:
    return os.path.join(tart_home(), "vms")


def vm_path(name: str) -> str:
    return os.path.join(vms_dir(), name)


def oci_dir() -> str:
    return os.path.join(tart_home(), "cache", "OCIs")


def tmp_root() -> str:
    path = os.path.join(tart_home(), "tmp")
    os.makedirs(path, exist_ok=True)
    return path


def _try_flock(path: str):
    """Return a locked fd for path, or None when another process holds the lock."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return fd
    except OSError:
        os.close(fd)
        return None


def gc_tmp() -> None:
    """Delete every tmp/ entry nobody holds a flock on (Tart does this before most commands)."""
    try:
        root = tmp_root()
        for entry in os.listdir(root):
            path = os.path.join(root, entry)
            fd = _try_flock(path)
            if fd is None:
                continue
            try:
                if os.path.isdir(path) and not os.path.islink(path):
                    shutil.rmtree(path, ignore_errors=True)
                else:
                    os.unlink(path)
            finally:
                os.close(fd)
    except OSError as exc:
        sys.stderr.write(f"Failed to perform garbage collection: {exc}\n")


class TmpDir:
    """A scratch directory under tmp/, protected from GC by a flock while this object lives."""

    def __init__(self, name: str | None = None):
        # Another command's GC may take the new directory's lock before this does (it is not locked between mkdir
        # and flock) and delete it; then make another, so the GC of a concurrent `tart list` cannot fail a clone.
        while True:
            self.path = os.path.join(tmp_root(), name or str(uuid.uuid4()).upper())
            os.makedirs(self.path, exist_ok=True)
            try:
                self.fd = os.open(self.path, os.O_RDONLY)
            except FileNotFoundError:
                continue
            fcntl.flock(self.fd, fcntl.LOCK_EX)
            try:
                if os.path.samestat(os.fstat(self.fd), os.stat(self.path)):
                    return
            except FileNotFoundError:
                pass
            os.close(self.fd)

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


@contextlib.contextmanager
def global_lock():
    """flock on TART_HOME itself, as Tart holds during clone's move and run's MAC check."""
    fd = os.open(tart_home(), os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
