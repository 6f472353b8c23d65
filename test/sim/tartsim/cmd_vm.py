"""create, clone, delete, rename, set, get, fqn."""
import os
import re
import shutil
import subprocess

from . import appjson, faults, remote
from .errors import GenericErr, RuntimeErr, ValidationErr, out_of_space, vm_missing
from .home import TmpDir, global_lock, vm_path, vms_dir
from .args import ROOT_USAGE
from .seed import make_vm
from .vmdir import COPIED, VMDir, random_ecid, random_mac
from .table import render


def _move_into_place(tmp: TmpDir, name: str) -> None:
    os.makedirs(vms_dir(), exist_ok=True)
    target = vm_path(name)
    with global_lock():
        if os.path.lexists(target):
            shutil.rmtree(target) if os.path.isdir(target) else os.unlink(target)
        os.rename(tmp.path, target)
    tmp.release()


def create(ns) -> int:
    if ns.disk_format == "asif":
        raise ValidationErr("Disk format 'asif' is not supported on this system.")
    if not ns.from_ipsw and not ns.linux:
        raise ValidationErr("Please specify either a --from-ipsw or --linux option!")
    if ns.from_ipsw:
        raise GenericErr("tart-sim does not simulate --from-ipsw; clone one of the known images instead")
    tmp = TmpDir()
    make_vm(tmp.path, "linux", ns.disk_size)
    _move_into_place(tmp, ns.name)
    return 0


def _mac_in_use(mac: str) -> bool:
    root = vms_dir()
    for name in os.listdir(root) if os.path.isdir(root) else []:
        vm = VMDir(os.path.join(root, name))
        try:
            if vm.initialized() and vm.config().get("macAddress") == mac:
                return True
        except (OSError, ValueError):
            continue
    return False


def clone(ns) -> int:
    if "/" in ns.new_name:
        raise ValidationErr(f"{ns.new_name} should be a local name")
    if ns.concurrency is not None and ns.concurrency < 1:
        raise ValidationErr("network concurrency cannot be less than 1")
    rname = remote.parse(ns.source_name)
    source = None
    if rname is not None:
        source = remote.cached_vm(rname)
        if source is None:
            source = remote.pull(rname, from_clone=True)
    if source is None:
        source = VMDir(vm_path(ns.source_name), ns.source_name).validate()
    suspended = os.path.exists(source.state_path)
    tmp = TmpDir()
    present = [os.path.join(source.path, f) for f in COPIED if os.path.lexists(os.path.join(source.path, f))]
    if faults.active(source.path, "disk_full"):
        tmp.release()
        raise out_of_space(os.path.join(tmp.path, "disk.img"))
    if faults.active(source.path, "clone_fail"):
        subprocess.run(["cp", "-a", source.config_path, source.nvram_path, tmp.path], check=False)
        with open(os.path.join(tmp.path, "disk.img"), "wb") as fh:
            fh.truncate(source.disk_image_bytes() // 2)
        tmp.release()  # the half-copied directory stays in tmp/ until the next GC, as with Tart
        raise GenericErr(
            f'Error Domain=NSCocoaErrorDomain Code=512 "\u201cdisk.img\u201d couldn\u2019t be copied to '
            f'\u201c{os.path.basename(tmp.path)}\u201d." UserInfo={{NSSourceFilePathErrorKey={source.disk_path}, '
            f'NSUserStringVariant=(Copy), NSDestinationFilePath={tmp.path}/disk.img, '
            'NSUnderlyingError=0x600002f1c0c0 {Error Domain=NSPOSIXErrorDomain Code=5 "Input/output error"}}'
        )
    proc = subprocess.run(["cp", "-a", *present, tmp.path], capture_output=True, text=True)
    if proc.returncode != 0:
        tmp.release()
        raise GenericErr(proc.stderr.strip() or "copy failed")
    copied = VMDir(tmp.path)
    cfg = copied.config()
    if _mac_in_use(cfg.get("macAddress", "")) and not suspended:
        cfg["macAddress"] = random_mac()
        copied.save_config(cfg)
    _move_into_place(tmp, ns.new_name)
    return 0


def delete(ns) -> int:
    for name in ns.name:
        rname = remote.parse(name)
        if rname is not None:
            remote.delete(rname)
            continue
        vm = VMDir(vm_path(name), name)
        if not vm.exists():
            raise vm_missing(name)
        fd = vm.try_lock() if os.path.exists(vm.config_path) else None
        if fd is None and os.path.exists(vm.config_path):
            raise RuntimeErr(f'VM "{name}" is running', 1)
        try:
            shutil.rmtree(vm.path)
        finally:
            if fd is not None:
                os.close(fd)
    return 0


def rename(ns) -> int:
    if "/" in ns.new_name:
        raise ValidationErr(f"{ns.new_name} should be a local name", ROOT_USAGE)
    src = VMDir(vm_path(ns.name))
    if not src.initialized():
        raise ValidationErr(f"failed to rename a non-existent local VM: {ns.name}", ROOT_USAGE)
    if os.path.exists(vm_path(ns.new_name)):
        raise ValidationErr(f"failed to rename VM {ns.name}, target VM {ns.new_name} already exists, delete it first!", ROOT_USAGE)
    os.rename(src.path, vm_path(ns.new_name))
    return 0


def _byte_count(n: int) -> str:
    """Approximates ByteCountFormatter(.file): decimal units, up to 3 significant-ish digits."""
    for unit, size in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("KB", 1e3)):
        if n >= size:
            v = n / size
            return f"{v:.0f} {unit}" if v >= 100 or v == int(v) else f"{v:.3g} {unit}"
    return f"{n} bytes"


def set_(ns) -> int:
    vm = VMDir(vm_path(ns.name), ns.name).validate()
    cfg = vm.config()
    darwin = cfg.get("os", "darwin") == "darwin"
    if ns.cpu is not None:
        if darwin and ns.cpu < cfg.get("cpuCountMin", 0):
            raise GenericErr(f"LessThanMinimalResourcesError: VM should have {cfg['cpuCountMin']} CPU cores at minimum (requested {ns.cpu})")
        cfg["cpuCount"] = ns.cpu
    if ns.memory is not None:
        requested = ns.memory * 1024 * 1024
        if darwin and requested < cfg.get("memorySizeMin", 0):
            raise GenericErr(f"LessThanMinimalResourcesError: VM should have {cfg['memorySizeMin']} bytes of memory at minimum (requested {requested})")
        cfg["memorySize"] = requested
    if ns.display is not None:
        m = re.fullmatch(r"(\d+)x(\d+)(pt|px)?", ns.display)
        if not m:
            raise ValidationErr(f"The value '{ns.display}' is invalid for '--display <display>'")
        cfg["display"] = {"width": int(m.group(1)), "height": int(m.group(2))}
        if m.group(3):
            cfg["display"]["unit"] = m.group(3)
    if ns.display_refit is None:
        cfg.pop("displayRefit", None)  # source quirk: every `set` rewrites displayRefit
    else:
        cfg["displayRefit"] = ns.display_refit
    if ns.random_mac:
        cfg["macAddress"] = random_mac()
    if ns.random_serial and darwin:
        cfg["ecid"] = random_ecid()
    vm.save_config(cfg)
    if ns.disk is not None:
        shutil.copyfile(os.path.expanduser(ns.disk), vm.disk_path)
    if ns.disk_size is not None:
        current = vm.disk_image_bytes()
        wanted = ns.disk_size * 1_000_000_000
        if wanted < current:
            raise RuntimeErr(f"new disk size of {_byte_count(wanted)} should be larger than the current disk size of {_byte_count(current)}")
        if wanted > current:
            os.truncate(vm.disk_path, wanted)
    return 0


def get(ns) -> int:
    vm = VMDir(vm_path(ns.name), ns.name).validate()
    cfg = vm.config()
    vm.touch_access()
    display = cfg.get("display", {"width": 1024, "height": 768})
    info = {
        "OS": cfg.get("os", "darwin"),
        "CPU": cfg.get("cpuCount"),
        "Memory": cfg.get("memorySize", 0) // 1024 // 1024,
        "Disk": vm.disk_gb(),
        "DiskFormat": cfg.get("diskFormat", "raw"),
        "Size": "%.3f" % (vm.allocated_bytes() / 1e9),
        "Display": f"{display['width']}x{display['height']}{display.get('unit', '')}",
        "Running": vm.running(),
        "State": vm.state(),
    }
    if ns.format == "json":
        print(appjson.dumps(info))
    else:
        keys = ["OS", "CPU", "Memory", "Disk", "DiskFormat", "Size", "Display", "State"]
        print(render([keys, [str(info[k]) for k in keys]]))
    return 0


def fqn(ns) -> int:
    rname = remote.parse(ns.name)
    print(remote.fqn(rname) if rname else ns.name)
    return 0
