"""list and prune."""
import datetime
import os
import shutil

from . import appjson, remote
from .errors import ValidationErr
from .home import vms_dir
from .table import relative, render
from .vmdir import VMDir


def local_vms():
    root = vms_dir()
    out = []
    if os.path.isdir(root):
        for name in sorted(os.listdir(root)):
            vm = VMDir(os.path.join(root, name))
            if vm.initialized():
                out.append((name, vm))
    return out


def _iso(ts: float) -> str:
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def list_(ns) -> int:
    if ns.source not in (None, "local", "oci"):
        raise ValidationErr(f"'{ns.source}' is not a valid <source>")
    rows = []
    if ns.source in (None, "local"):
        rows += [("local", name, vm) for name, vm in local_vms()]
    if ns.source in (None, "oci"):
        rows += [("OCI", name, vm) for name, vm, _ in remote.entries()]
    if ns.quiet:
        for _, name, _ in rows:
            print(name)
        return 0
    legacy = os.environ.get("TART_SIM_LIST_FORMAT") == "legacy"
    infos = []
    for source, name, vm in rows:
        state = vm.state()
        info = {"Source": source, "Name": name, "Disk": vm.disk_gb(),
                "Size": vm.allocated_bytes() // 1_000_000_000,
                "Running": state == "running", "State": state}
        if legacy:
            info["SizeOnDisk"] = info["Size"]
        else:
            info["Accessed"] = _iso(vm.access_date())
        infos.append((info, vm))
    if ns.format == "json":
        print(appjson.dumps([i for i, _ in infos]))
    else:
        table = [["Source", "Name", "Disk", "Size", "Accessed", "State"]]
        for info, vm in infos:
            table.append([info["Source"], info["Name"], str(info["Disk"]), str(info["Size"]),
                          relative(vm.access_date()), info["State"]])
        print(render(table))
    return 0


def prune(ns) -> int:
    budget = ns.space_budget
    if ns.cache_budget is not None:
        if budget is not None:
            raise ValidationErr("--cache-budget and --space-budget are mutually exclusive")
        import sys
        sys.stderr.write("--cache-budget is deprecated, please use --space-budget\n")
        budget = ns.cache_budget
    if ns.gc:
        remote.gc()
        if ns.older_than is None and budget is None:
            return 0
    if ns.older_than is None and budget is None:
        raise ValidationErr("at least one pruning criteria must be specified")
    entries = ns.entries or "caches"
    if entries == "caches":
        candidates = [(vm.access_date(), vm.allocated_bytes(), vm.path) for _, vm, digest in remote.entries() if digest]
    else:
        candidates = [(vm.access_date(), vm.allocated_bytes(), vm.path) for _, vm in local_vms() if not vm.running()]
    doomed = set()
    if ns.older_than is not None:
        limit = datetime.datetime.now().timestamp() - ns.older_than * 86400
        doomed |= {path for ts, _, path in candidates if ts < limit}
    if budget is not None:
        used = 0
        for ts, size, path in sorted(candidates, key=lambda c: -c[0]):
            used += size
            if used > budget * 1_000_000_000:
                doomed.add(path)
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    if entries == "caches":
        remote.gc()
    return 0
