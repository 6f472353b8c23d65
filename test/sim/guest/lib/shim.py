#!/usr/bin/env python3
"""Guest-side stand-ins for macOS tools and agent CLIs. Each call is logged to ~/.cal-sim/calls.log."""
import json
import os
import pwd
import socket
import sys
import termios
import time

NAME = os.path.basename(sys.argv[0])
ARGS = sys.argv[1:]
HOME = os.environ.get("HOME") or pwd.getpwuid(os.getuid()).pw_dir
STATE = os.path.join(HOME, ".cal-sim")


def log_call() -> None:
    try:
        os.makedirs(STATE, exist_ok=True)
        with open(os.path.join(STATE, "calls.log"), "a", encoding="utf-8") as fh:
            fh.write(json.dumps({"argv": [NAME, *ARGS], "cwd": os.getcwd(), "time": time.time()}) + "\n")
    except OSError:
        pass


def store(name: str) -> dict:
    try:
        with open(os.path.join(STATE, name), encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def store_text(name: str):
    """A text file of the guest's stand-in state, or None."""
    try:
        with open(os.path.join(STATE, name), encoding="utf-8") as fh:
            return fh.read()
    except OSError:
        return None


def save(name: str, data: dict) -> None:
    os.makedirs(STATE, exist_ok=True)
    with open(os.path.join(STATE, name), "w", encoding="utf-8") as fh:
        json.dump(data, fh)


def guest_info() -> dict:
    try:
        with open("/run/tart-sim/vm/guest.json", encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, ValueError):
        return {}


def opt(flag: str):
    return ARGS[ARGS.index(flag) + 1] if flag in ARGS and ARGS.index(flag) + 1 < len(ARGS) else None


def brew() -> int:
    if not ARGS or ARGS[0] in ("--version", "-v"):
        print("Homebrew 4.5.8")
        return 0
    cmd, rest = ARGS[0], [a for a in ARGS[1:] if not a.startswith("-")]
    installed = store("brew.json")
    if cmd == "--prefix":
        print("/opt/homebrew")
    elif cmd == "shellenv":
        print('export HOMEBREW_PREFIX="/opt/homebrew";\nexport PATH="/opt/homebrew/bin:/opt/homebrew/sbin${PATH+:$PATH}";')
    elif cmd in ("install", "reinstall", "upgrade"):
        for pkg in rest:
            print(f"==> Installing {pkg}")
            installed[pkg] = "1.0.0"
        save("brew.json", installed)
    elif cmd == "uninstall":
        for pkg in rest:
            installed.pop(pkg, None)
        save("brew.json", installed)
    elif cmd == "list":
        wanted = rest or sorted(installed)
        missing = [p for p in wanted if p not in installed and p != "tmux"]
        if rest and missing:
            print(f"Error: No such keg: /opt/homebrew/Cellar/{missing[0]}", file=sys.stderr)
            return 1
        for pkg in wanted:
            print(pkg)
    return 0


def security() -> int:
    cmd = ARGS[0] if ARGS else ""
    items = store("keychain.json")
    if cmd in ("add-generic-password", "add-internet-password"):
        items[f"{opt('-s')}|{opt('-a')}"] = opt("-w") or ""
        save("keychain.json", items)
    elif cmd in ("find-generic-password", "find-internet-password"):
        key = next((k for k in items if k.startswith(f"{opt('-s')}|") and (opt("-a") is None or k.endswith(f"|{opt('-a')}"))), None)
        if key is None:
            print("security: SecKeychainSearchCopyNext: The specified item could not be found in the keychain.", file=sys.stderr)
            return 44
        print(items[key] if "-w" in ARGS else f'keychain: "/Users/admin/Library/Keychains/login.keychain-db"\n    "svce"<blob>="{opt("-s")}"')
    elif cmd in ("delete-generic-password", "delete-internet-password"):
        for key in [k for k in items if k.startswith(f"{opt('-s')}|")]:
            del items[key]
        save("keychain.json", items)
    elif cmd == "unlock-keychain" and "-p" not in ARGS:
        return unlock_on_tty(ARGS[-1] if len(ARGS) > 1 else "login.keychain")
    elif cmd == "show-keychain-info":
        print(f'Keychain "{ARGS[-1] if len(ARGS) > 1 else "login.keychain"}" no-timeout')
    return 0


def unlock_on_tty(keychain: str) -> int:
    """As security(1) does without -p: getpass() on the controlling terminal, echo off. The password read is kept
    in keychain-unlock.json, so that a test can check what reached the keychain and how."""
    try:
        tty = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        print("security: unlock-keychain: no terminal to read the password from", file=sys.stderr)
        return 1
    os.write(tty, f"password to unlock {keychain}: ".encode())
    before = termios.tcgetattr(tty)
    quiet = list(before)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(tty, termios.TCSANOW, quiet)
    line = b""
    try:
        while not line.endswith(b"\n"):
            chunk = os.read(tty, 1)
            if not chunk:
                break
            line += chunk
    finally:
        termios.tcsetattr(tty, termios.TCSANOW, before)
        os.write(tty, b"\n")
        os.close(tty)
    password = line.decode("utf-8", "replace").rstrip("\r\n")
    save("keychain-unlock.json", {"keychain": keychain, "password": password})
    # A test sets the keychain's password (keychain-password.txt) to see a wrong one refused, as macOS refuses it.
    expected = store_text("keychain-password.txt")
    if expected is not None and password != expected.rstrip("\n"):
        print("security: SecKeychainUnlock login.keychain-db: The user name or passphrase you entered is not correct.", file=sys.stderr)
        return 51
    return 0


def defaults() -> int:
    data = store("defaults.json")
    cmd = ARGS[0] if ARGS else ""
    domain = ARGS[1] if len(ARGS) > 1 else ""
    key = ARGS[2] if len(ARGS) > 2 else None
    if cmd == "write" and key is not None:
        values = ARGS[3:]
        if values and values[0].startswith("-"):
            values = values[1:]
        data.setdefault(domain, {})[key] = values[0] if len(values) == 1 else values
        save("defaults.json", data)
    elif cmd == "read":
        if domain not in data or (key is not None and key not in data[domain]):
            pair = f"({domain}, {key})" if key else f"({domain})"
            print(f"\nThe domain/default pair of {pair} does not exist", file=sys.stderr)
            return 1
        print(data[domain][key] if key is not None else json.dumps(data[domain]))
    elif cmd == "delete":
        (data.get(domain, {}).pop(key, None) if key else data.pop(domain, None))
        save("defaults.json", data)
    return 0


def sw_vers() -> int:
    version = guest_info().get("macos", "15.5")
    fields = {"ProductName": "macOS", "ProductVersion": version, "BuildVersion": "24F74"}
    for flag, field in (("--productName", "ProductName"), ("--productVersion", "ProductVersion"), ("--buildVersion", "BuildVersion")):
        if flag in ARGS or f"-{flag[2:]}" in ARGS:
            print(fields[field])
            return 0
    for field, value in fields.items():
        print(f"{field}:\t\t{value}")
    return 0


def scutil() -> int:
    names = store("scutil.json")
    if "--get" in ARGS:
        print(names.get(opt("--get"), socket.gethostname()))
    elif "--set" in ARGS and len(ARGS) >= 3:
        names[ARGS[ARGS.index("--set") + 1]] = ARGS[ARGS.index("--set") + 2]
        save("scutil.json", names)
    return 0


def sudo() -> int:
    args = list(ARGS)
    while args and args[0].startswith("-"):
        flag = args.pop(0)
        if flag in ("-u", "-g", "-p", "-C", "-D", "-h", "-U") and args:
            args.pop(0)
        if flag == "--":
            break
    if not args:
        return 0  # `sudo -n true`-style probes and `sudo -v` succeed: no password prompt for admin
    os.execvp(args[0], args)
    return 127


def shutdown() -> int:
    # The runner sees this marker when the guest dies and reports a clean guest power-off.
    open("/tmp/.tart-sim-shutdown", "w").close()
    print("Shutdown NOW!")
    return 0


def df() -> int:
    """Real df, unless the VM's disk_full fault is on: then the guest's disk reports 100% used."""
    if not guest_info().get("disk_full"):
        os.execv("/usr/bin/df", ["df", *ARGS])
    human = any(a.startswith("-") and "h" in a for a in ARGS)
    size, used, avail = ("50G", "50G", "0") if human else ("48828125", "48828125", "0")
    print(f"Filesystem     {'Size' if human else '1K-blocks':>9} {'Used':>9} {'Avail':>9} Use% Mounted on")
    print(f"/dev/disk3s1s1 {size:>9} {used:>9} {avail:>9} 100% /")
    return 0


AGENTS = {"claude": "Claude Code", "opencode": "opencode", "agent": "Cursor Agent"}


def agent() -> int:
    title = AGENTS[NAME]
    if "--version" in ARGS or "-v" in ARGS:
        print(f"1.0.0 ({title}, tart-sim stand-in)")
        return 0
    prompt = opt("-p") or opt("--print")
    if prompt is not None:
        print(f"echo: {prompt}")
        return 0
    print(f"{title} (tart-sim stand-in) - type /exit to quit", flush=True)
    while True:
        sys.stdout.write("> ")
        sys.stdout.flush()
        line = sys.stdin.readline()
        if not line:
            print()
            return 0
        line = line.rstrip("\r\n")
        if line.strip() == "/exit":
            print("bye")
            return 0
        print(f"echo: {line}", flush=True)


HANDLERS = {"brew": brew, "security": security, "defaults": defaults, "sw_vers": sw_vers, "scutil": scutil,
            "sudo": sudo, "shutdown": shutdown, "df": df, "halt": shutdown, **{a: agent for a in AGENTS}}

if __name__ == "__main__":
    if NAME != "df":  # df is a pass-through, not a macOS-only tool
        log_call()
    handler = HANDLERS.get(NAME)
    sys.exit(handler() if handler else 0)
