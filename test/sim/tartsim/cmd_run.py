"""`tart run`: takes the lock, enforces the macOS VM limit, boots the guest and blocks until it stops."""
import json
import os
import signal
import sys
import time

from . import faults
from .errors import GenericErr, RuntimeErr, ValidationErr
from .guest import Guest
from .home import global_lock, tart_home, vm_path
from .hostsetup import ensure_host
from .vmdir import RUNTIME, VMDir, random_mac, running_vm_names

SUSPEND_FAILURE = ('Error Domain=VZErrorDomain Code=12 "The virtual machine cannot be saved because its '
                   'configuration is not supported." UserInfo={NSLocalizedFailure=Invalid virtual machine configuration.}')


def _validate_flags(ns) -> None:
    if ns.vnc and ns.vnc_experimental:
        raise ValidationErr("--vnc and --vnc-experimental are mutually exclusive")
    if sum(bool(x) for x in (ns.net_bridged, ns.net_softnet or ns.net_softnet_allow or ns.net_softnet_block
                                                  or ns.net_softnet_expose, ns.net_host)) > 1:
        raise ValidationErr("--net-bridged, --net-softnet and --net-host are mutually exclusive")
    if ns.graphics and ns.no_graphics:
        raise ValidationErr("--graphics and --no-graphics are mutually exclusive")
    for flag in ("no_trackpad", "no_keyboard", "no_pointer"):
        if ns[flag] and ns.suspendable:
            raise ValidationErr(f"--{flag.replace('_', '-')} cannot be used with --suspendable")
    unnamed = [d for d in ns.dir if ":" not in d.split(":ro")[0].split(":tag=")[0]]
    if len(ns.dir) > 1 and unnamed:
        raise ValidationErr("invalid --dir syntax: for multiple directory shares each one of them should be named")


class Runner:
    def __init__(self, ns):
        self.ns = ns
        self.name = ns.name
        self.pending = []
        self.guest = None
        self.lock_fd = None
        self.disk_full = False

    def _on_signal(self, signum, _frame):
        self.pending.append(signum)

    def open_vm(self) -> dict:
        _validate_flags(self.ns)
        self.vm = VMDir(vm_path(self.name), self.name)
        if not self.vm.exists():
            raise GenericErr(f'the specified VM "{self.name}" does not exist')
        if not self.vm.initialized():
            raise GenericErr("VM is missing some of its files (config.json, disk.img or nvram.bin)")
        cfg = self.vm.config()
        darwin = cfg.get("os", "darwin") == "darwin"
        if self.ns.suspendable and not darwin:
            raise ValidationErr("You can only suspend macOS VMs")
        if self.ns.no_trackpad and not darwin:
            raise ValidationErr("--no-trackpad can only be used with macOS VMs")
        if self.ns.nested and darwin:
            raise ValidationErr("macOS virtual machines do not support nested virtualization")
        return cfg

    def execute(self) -> int:
        cfg = self.open_vm()
        darwin = cfg.get("os", "darwin") == "darwin"
        suspendable = self.ns.suspendable or os.path.exists(self.vm.state_path)
        ensure_host()
        delay = faults.number(self.vm.path, "lock_delay_seconds", None)
        if delay:
            # A slow start: until the lock is taken Tart has no signal handler, so SIGINT ends the process.
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            time.sleep(delay)
        with global_lock():
            if self._mac_collision(cfg.get("macAddress")):
                print("There is already a running VM with the same MAC address!")
                print("Resetting VM to assign a new MAC address...")
                cfg["macAddress"] = random_mac()
                self.vm.save_config(cfg)
                if os.path.exists(self.vm.state_path):
                    os.unlink(self.vm.state_path)
            self.lock_fd = self.vm.try_lock()
            if self.lock_fd is None:
                raise RuntimeErr(f'VM "{self.name}" is already running!', 2)
        # From here on, never open/close our own config.json: that would drop the fcntl lock.
        if darwin:
            others = running_vm_names(exclude=self.name, os_filter="darwin")
            if len(others) >= 2:
                raise RuntimeErr(f"The number of VMs exceeds the system limit (other running VMs: {', '.join(others)})")
        for signum in (signal.SIGINT, signal.SIGUSR1, signal.SIGUSR2):
            signal.signal(signum, self._on_signal)
        if os.path.exists(self.vm.state_path):
            print("restoring VM state from a snapshot...")
            os.unlink(self.vm.state_path)
            print("resuming VM...")
        try:
            return self._lifecycle(suspendable)
        finally:
            if self.guest:
                self.guest.stop()
                self.guest.release()
            try:
                os.unlink(os.path.join(self.vm.path, RUNTIME, "runtime.json"))
            except OSError:
                pass

    def _mac_collision(self, mac) -> bool:
        for other in running_vm_names(exclude=self.name):
            try:
                if VMDir(vm_path(other)).config().get("macAddress") == mac:
                    return True
            except (OSError, ValueError):
                continue
        return False

    def _sleep_until(self, deadline: float):
        """Sleep in small steps; return a pending signal as soon as one arrives."""
        while time.monotonic() < deadline:
            if self.pending:
                return self.pending.pop(0)
            time.sleep(0.05)
        return self.pending.pop(0) if self.pending else None

    def _boot(self):
        boot = faults.number(self.vm.path, "boot_seconds", 2.0)
        sig = self._sleep_until(time.monotonic() + boot)
        if sig is not None:
            return sig
        die_after = faults.number(self.vm.path, "die_after", None)
        if die_after is not None and die_after <= 0:
            # die_after 0: the guest dies as it boots, before sshd listens or an address is published, so no
            # client can reach it first.
            self.died_at_boot = True
            return None
        self.guest = Guest(self.vm.path, self.name, tart_home())
        if faults.active(self.vm.path, "no_ip"):
            self._write_runtime({"ip": None})  # guest "boots" but its network never comes up
            return None
        self.guest.prepare()
        self.guest.start()
        if not self.guest.wait_listening(15):
            with open(os.path.join(self.vm.path, RUNTIME, "guest.log"), errors="replace") as fh:
                detail = fh.read().strip().splitlines()[-1:] or ["no output"]
            raise RuntimeErr(f"tart-sim: the guest's sshd did not start on {self.guest.ip}:22: {detail[0]}")
        self._write_runtime(self.guest.runtime_info())
        return None

    def _write_runtime(self, info: dict) -> None:
        os.makedirs(os.path.join(self.vm.path, RUNTIME), exist_ok=True)
        path = os.path.join(self.vm.path, RUNTIME, "runtime.json")
        with open(path + ".new", "w", encoding="utf-8") as fh:
            json.dump({"pid": os.getpid(), "booted_at": time.time(), **info}, fh)
        os.rename(path + ".new", path)

    def _lifecycle(self, suspendable: bool) -> int:
        sig = self._boot()
        if getattr(self, "died_at_boot", False):
            message = faults.load(self.vm.path).get("die_message") or faults.DEFAULT_DIE_MESSAGE
            print(f"guest has stopped the virtual machine due to error: {message}")
            return 0
        booted = time.monotonic()
        next_fault_check = 0.0
        while sig is None:
            sig = self._sleep_until(time.monotonic() + 0.1)
            if sig is not None:
                break
            if os.path.exists(os.path.join(self.vm.path, RUNTIME, "tmp", ".tart-sim-shutdown")):
                time.sleep(0.3)  # let the `shutdown` caller see its output, as a guest would
                self.guest.stop()
                print("guest has stopped the virtual machine")
                return 0
            if self.guest and self.guest.proc and not self.guest.alive():
                print(f"guest has stopped the virtual machine due to error: {faults.DEFAULT_DIE_MESSAGE}")
                return 0
            if time.monotonic() >= next_fault_check:
                next_fault_check = time.monotonic() + 0.25
                disk_full = faults.active(self.vm.path, "disk_full")
                if self.guest and self.guest.proc and disk_full != self.disk_full:
                    self.disk_full = disk_full
                    self.guest.write_info(disk_full)
                die_after = faults.number(self.vm.path, "die_after", None)
                if die_after is not None and time.monotonic() - booted >= die_after:
                    message = faults.load(self.vm.path).get("die_message") or faults.DEFAULT_DIE_MESSAGE
                    self.guest.stop()
                    print(f"guest has stopped the virtual machine due to error: {message}")
                    return 0
        return self._handle_signal(sig, suspendable)

    def _handle_signal(self, sig: int, suspendable: bool) -> int:
        if sig == signal.SIGINT:
            print("Stopping VM...")
            return 0
        if sig == signal.SIGUSR2:
            print("Requesting guest OS to stop...")
            time.sleep(0.2)
            if self.guest:
                self.guest.stop()
            print("guest has stopped the virtual machine")
            return 0
        if suspendable:
            print("pausing VM to take a snapshot...")
            if self.guest:
                self.guest.stop()
            print("creating a snapshot...")
            with open(self.vm.state_path, "wb") as fh:
                fh.write(b"tart-sim suspended state\n")
                fh.truncate(64 * 1024 * 1024)
            print("snapshot created successfully! shutting down the VM...")
            return 0
        print(f"Failed to suspend the VM: {SUSPEND_FAILURE}")
        return 1


def run(ns) -> int:
    sys.stdout.flush()
    return Runner(ns).execute()
