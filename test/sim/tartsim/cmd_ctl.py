"""stop, suspend, ip, pull."""
import json
import os
import signal
import time

from . import faults, remote
from .errors import RuntimeErr, not_running_twice
from .home import vm_path
from .vmdir import RUNTIME, VMDir, not_running


def stop(ns) -> int:
    vm = VMDir(vm_path(ns.name), ns.name).validate()
    pid = vm.running_pid()
    if pid:
        os.kill(pid, signal.SIGINT)
        deadline = time.monotonic() + ns.timeout
        while time.monotonic() < deadline:
            if not vm.running():
                return 0
            time.sleep(0.1)
        if vm.running():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError as exc:
                raise RuntimeErr(f'failed to forcefully terminate the VM "{ns.name}": {exc}') from None
        return 0
    if os.path.exists(vm.state_path):
        os.unlink(vm.state_path)
        return 0
    raise not_running(ns.name)


def suspend(ns) -> int:
    vm = VMDir(vm_path(ns.name), ns.name).validate()
    pid = vm.running_pid()
    if not pid:
        raise not_running_twice(ns.name)
    try:
        os.kill(pid, signal.SIGUSR1)
    except OSError:
        raise RuntimeErr(f'Failed to suspend the VM: failed to send SIGUSR1 signal to the "tart run" process running VM "{ns.name}"') from None
    return 0


def resolve_ip(vm: VMDir) -> str | None:
    pid = vm.running_pid()
    if not pid:
        return None
    try:
        with open(os.path.join(vm.path, RUNTIME, "runtime.json"), encoding="utf-8") as fh:
            info = json.load(fh)
    except (OSError, ValueError):
        return None
    if info.get("pid") != pid or not info.get("ip") or faults.active(vm.path, "no_ip"):
        return None
    return info["ip"]


def ip(ns) -> int:
    vm = VMDir(vm_path(ns.name), ns.name).validate()
    start = time.monotonic()
    while True:
        addr = resolve_ip(vm)
        if addr:
            print(addr)
            return 0
        time.sleep(1)
        if time.monotonic() >= start + ns.wait:
            break
    message = "no IP address found"
    if not vm.running():
        message += ", is your VM running?"
    if ns.resolver == "agent":
        message += " (also make sure that Guest agent for Tart is running inside of a VM)"
    elif ns.resolver == "arp" and vm.config().get("os") == "linux":
        message += " (not all Linux distributions are compatible with the ARP resolver)"
    raise RuntimeErr(message)


def pull(ns) -> int:
    local = VMDir(vm_path(ns.remote_name))
    if "/" not in ns.remote_name and local.initialized():
        print(f'"{ns.remote_name}" is a local image, nothing to pull here!')
        return 0
    if ns.concurrency is not None and ns.concurrency < 1:
        from .errors import ValidationErr
        raise ValidationErr("network concurrency cannot be less than 1")
    remote.pull(remote.parse_or_fail(ns.remote_name))
    return 0
