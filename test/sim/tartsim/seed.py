"""Builds fresh VM directories: Tart's three files plus the simulator's guest disk."""
import os
import pwd

from .vmdir import GUEST_HOME, VMDir, random_ecid, random_mac

GiB = 1024 ** 3

PROFILE = """# ~/.profile of a tart-sim guest
if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then
    . "$HOME/.bashrc"
fi
"""

BASHRC = """# ~/.bashrc of a tart-sim guest: macOS-like tools first on PATH (login shells reset PATH in /etc/profile)
case ":$PATH:" in
    *:/usr/local/tart-sim/bin:*) ;;
    *) PATH="/usr/local/tart-sim/bin:/opt/homebrew/bin:$PATH" ;;
esac
export PATH
"""


def admin_ids():
    try:
        pw = pwd.getpwnam("admin")
        return pw.pw_uid, pw.pw_gid
    except KeyError:
        return None


def chown_tree(path: str, ids) -> None:
    uid, gid = ids
    for root, dirs, files in os.walk(path):
        os.lchown(root, uid, gid)
        for name in dirs + files:
            os.lchown(os.path.join(root, name), uid, gid)


def seed_guest_home(vm_path: str) -> None:
    home = os.path.join(vm_path, GUEST_HOME)
    os.makedirs(os.path.join(home, ".cal-sim"), exist_ok=True)
    os.makedirs(os.path.join(home, ".ssh"), mode=0o700, exist_ok=True)
    for name, text in ((".profile", PROFILE), (".bashrc", BASHRC)):
        with open(os.path.join(home, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    os.chmod(home, 0o755)
    ids = admin_ids()
    if ids and os.geteuid() == 0:
        chown_tree(home, ids)


def make_vm(path: str, os_name: str, disk_gb: int, darwin_min_memory: int = 4 * GiB) -> VMDir:
    os.makedirs(path, exist_ok=True)
    vm = VMDir(path)
    if os_name == "linux":
        cfg = {
            "version": 1, "os": "linux", "arch": "arm64",
            "cpuCountMin": 4, "cpuCount": 4,
            "memorySizeMin": 4 * GiB, "memorySize": 4 * GiB,
        }
        nvram_size = 64 * 1024 * 1024  # EFI variable store
    else:
        cfg = {
            "version": 1, "os": "darwin", "arch": "arm64",
            "ecid": random_ecid(),
            "hardwareModel": "YnBsaXN0MDDTAQIDBAUGXxAZRGF0YVJlcHJlc2VudGF0aW9uVmVyc2lvbg==",
            "cpuCountMin": 4, "cpuCount": 4,
            "memorySizeMin": darwin_min_memory, "memorySize": 8 * GiB,
        }
        nvram_size = 128 * 1024 * 1024
    cfg.update({"macAddress": random_mac(), "display": {"width": 1024, "height": 768}, "diskFormat": "raw"})
    vm.save_config(cfg)
    with open(vm.disk_path, "wb") as fh:
        fh.write(os.urandom(4096) * 64)  # some blocks really allocated, so Size is not zero
        fh.truncate(disk_gb * 1_000_000_000)
    with open(vm.nvram_path, "wb") as fh:
        fh.write(b"\0" * 4096)
        fh.truncate(nvram_size)
    seed_guest_home(path)
    return vm
