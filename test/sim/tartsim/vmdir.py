"""A VM directory: config.json, disk.img, nvram.bin, state and the fcntl run lock."""
import base64
import fcntl
import json
import os
import random
import struct
import time

from . import appjson
from .errors import RuntimeErr, vm_incomplete, vm_missing

FLOCK_FMT = "hhqqi"
FLOCK_SIZE = 32

# Files the simulator keeps next to Tart's own; the guest disk and host keys travel with clones.
GUEST_HOME = "guest-home"
HOSTKEYS = "sim-hostkeys"
RUNTIME = ".sim-run"
FAULTS = "sim-faults.json"
COPIED = ("config.json", "disk.img", "nvram.bin", "state.vzvmsave", GUEST_HOME, HOSTKEYS)


def random_mac() -> str:
    octets = [random.randint(0, 255) for _ in range(6)]
    octets[0] = (octets[0] & 0xFE) | 0x02
    return ":".join(f"{o:02x}" for o in octets)


def random_ecid() -> str:
    return base64.b64encode(os.urandom(8)).decode()


def _flock_struct(l_type: int) -> bytes:
    return struct.pack(FLOCK_FMT, l_type, os.SEEK_SET, 0, 0, 0).ljust(FLOCK_SIZE, b"\0")


class VMDir:
    def __init__(self, path: str, name: str | None = None):
        self.path = path
        self.name = name or os.path.basename(path)

    def file(self, name: str) -> str:
        return os.path.join(self.path, name)

    @property
    def config_path(self):
        return self.file("config.json")

    @property
    def disk_path(self):
        return self.file("disk.img")

    @property
    def nvram_path(self):
        return self.file("nvram.bin")

    @property
    def state_path(self):
        return self.file("state.vzvmsave")

    def exists(self) -> bool:
        return os.path.isdir(self.path)

    def initialized(self) -> bool:
        return all(os.path.exists(p) for p in (self.config_path, self.disk_path, self.nvram_path))

    def validate(self) -> "VMDir":
        """Open the VM as Tart does: missing dir is exit 2, missing files exit 1."""
        if not self.exists():
            raise vm_missing(self.name)
        if not self.initialized():
            raise vm_incomplete()
        return self

    # --- configuration -------------------------------------------------
    def config(self) -> dict:
        with open(self.config_path, encoding="utf-8") as fh:
            cfg = json.load(fh)
        cfg.setdefault("os", "darwin")
        cfg.setdefault("diskFormat", "raw")
        return cfg

    def save_config(self, cfg: dict) -> None:
        # In place (no rename), so a running VM keeps its fcntl lock on the same inode.
        data = appjson.dumps(cfg).encode()
        fd = os.open(self.config_path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
        finally:
            os.close(fd)

    # --- run lock ------------------------------------------------------
    def running_pid(self) -> int:
        """l_pid of the fcntl write lock on config.json, 0 when nobody holds it."""
        try:
            fd = os.open(self.config_path, os.O_RDONLY)
        except OSError:
            return 0
        try:
            res = fcntl.fcntl(fd, fcntl.F_GETLK, _flock_struct(fcntl.F_WRLCK))
            l_type, _, _, _, l_pid = struct.unpack(FLOCK_FMT, res[: struct.calcsize(FLOCK_FMT)])
            return l_pid if l_type != fcntl.F_UNLCK else 0
        finally:
            os.close(fd)

    def try_lock(self) -> int | None:
        """Take the run lock; return the fd to keep, or None if another process holds it.

        Never open and close config.json again in the locking process: closing any fd of the
        file drops a POSIX lock."""
        fd = os.open(self.config_path, os.O_RDWR)
        try:
            fcntl.fcntl(fd, fcntl.F_SETLK, _flock_struct(fcntl.F_WRLCK))
            return fd
        except OSError:
            os.close(fd)
            return None

    def running(self) -> bool:
        return self.running_pid() != 0

    def state(self) -> str:
        if self.running():
            return "running"
        if os.path.exists(self.state_path):
            return "suspended"
        return "stopped"

    # --- sizes and dates -------------------------------------------------
    def _files(self):
        return [self.config_path, self.disk_path, self.nvram_path]

    def apparent_bytes(self) -> int:
        return sum(os.stat(p).st_size for p in self._files() if os.path.exists(p))

    def allocated_bytes(self) -> int:
        return sum(os.stat(p).st_blocks * 512 for p in self._files() if os.path.exists(p))

    def disk_gb(self) -> int:
        return self.apparent_bytes() // 1_000_000_000

    def disk_image_bytes(self) -> int:
        return os.stat(self.disk_path).st_size

    def access_date(self) -> float:
        return os.stat(self.path).st_atime

    def touch_access(self) -> None:
        st = os.stat(self.path)
        os.utime(self.path, (time.time(), st.st_mtime))


def running_vm_names(exclude: str | None = None, os_filter: str | None = None) -> list:
    from .home import vms_dir

    root = vms_dir()
    names = []
    if not os.path.isdir(root):
        return names
    for name in sorted(os.listdir(root)):
        if name == exclude:
            continue
        vm = VMDir(os.path.join(root, name))
        if not vm.initialized() or not vm.running():
            continue
        if os_filter:
            try:
                if vm.config().get("os", "darwin") != os_filter:
                    continue
            except (OSError, ValueError):
                continue
        names.append(name)
    return names


def not_running(name: str) -> RuntimeErr:
    return RuntimeErr(f'VM "{name}" is not running', 2)
