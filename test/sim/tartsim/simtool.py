"""`tart-sim`: helper verbs around the simulated host (setup, drop, fault, cleanup, demo)."""
import json
import os
import signal
import subprocess
import sys
import time

from .guest import drop_sessions, guest_pid_from_runtime
from .hostsetup import ensure_host
from .errors import TartError
from .vmdir import FAULTS, VMDir

USAGE = """usage: tart-sim <command> [args]   (TART_HOME from the environment, default ~/.tart)

  setup                    prepare this machine (admin user, /run/sshd, mount points); root only
  drop NAME                kill every sshd session of VM NAME (connections drop, tmux survives)
  fault NAME KEY=VALUE...  merge keys into vms/NAME/sim-faults.json ("fault NAME --clear" removes it)
  cleanup [TART_HOME]      stop every simulated VM under TART_HOME and kill leftover guests
  demo [TART_HOME]         clone macos-sequoia-base into VM "demo", boot it detached, print how to ssh in
"""


def _home(args) -> str:
    if args:
        os.environ["TART_HOME"] = os.path.abspath(args[0])
    return os.environ.get("TART_HOME") or os.path.expanduser("~/.tart")


def _vm(name: str) -> VMDir:
    return VMDir(os.path.join(_home([]), "vms", name), name)


def cleanup(args) -> int:
    vms = os.path.join(_home(args), "vms")
    names = sorted(os.listdir(vms)) if os.path.isdir(vms) else []
    stopped = []
    for name in names:
        vm = VMDir(os.path.join(vms, name))
        pid = vm.running_pid() if vm.initialized() else 0
        if pid:
            os.kill(pid, signal.SIGINT)
            deadline = time.monotonic() + 5
            while vm.running() and time.monotonic() < deadline:
                time.sleep(0.05)
            if vm.running():
                os.kill(pid, signal.SIGKILL)
                while vm.running():
                    time.sleep(0.05)
            stopped.append(name)
        guest = guest_pid_from_runtime(vm.path)
        if guest:
            os.kill(guest, signal.SIGKILL)
            stopped.append(f"{name} (orphaned guest)")
    for name in stopped:
        print(f"stopped {name}")
    return 0


def fault(args) -> int:
    if len(args) < 2:
        sys.stderr.write(USAGE)
        return 64
    vm = _vm(args[0])
    path = os.path.join(vm.path, FAULTS)
    if args[1] == "--clear":
        if os.path.exists(path):
            os.unlink(path)
        return 0
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        data = {}
    for pair in args[1:]:
        key, _, raw = pair.partition("=")
        try:
            data[key] = json.loads(raw)
        except ValueError:
            data[key] = raw
    with open(path + ".new", "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.rename(path + ".new", path)
    return 0


def demo(args) -> int:
    home = _home(args)
    tart = os.path.join(os.path.dirname(__file__), "..", "bin", "tart")
    env = {**os.environ, "TART_HOME": home, "CI": "1"}
    subprocess.run([tart, "clone", "ghcr.io/cirruslabs/macos-sequoia-base:latest", "demo"], env=env, check=True)
    log = open(os.path.join(home, "demo-run.log"), "ab")
    subprocess.Popen([tart, "run", "--no-graphics", "demo"], env=env, stdout=log, stderr=log,
                     stdin=subprocess.DEVNULL, start_new_session=True)
    ip = subprocess.run([tart, "ip", "--wait", "60", "demo"], env=env, capture_output=True, text=True)
    if ip.returncode != 0:
        sys.stderr.write(ip.stderr)
        return 1
    print(f"VM 'demo' is up: ssh admin@{ip.stdout.strip()}   (password: admin)")
    print(f"stop it with: TART_HOME={home} {os.path.realpath(tart)} stop demo")
    return 0


def main() -> None:
    args = sys.argv[1:]
    verb = args[0] if args else ""
    try:
        if verb == "setup":
            ensure_host()
            print("ready: admin/admin, /run/sshd, mount points for guests")
            code = 0
        elif verb == "drop" and len(args) == 2:
            print(f"dropped {drop_sessions(_vm(args[1]).path)} sshd session process(es)")
            code = 0
        elif verb == "fault":
            code = fault(args[1:])
        elif verb == "cleanup":
            code = cleanup(args[1:])
        elif verb == "demo":
            code = demo(args[1:])
        else:
            sys.stdout.write(USAGE)
            code = 0 if verb in ("", "-h", "--help") else 64
    except TartError as err:
        code = err.emit()
    sys.exit(code)
