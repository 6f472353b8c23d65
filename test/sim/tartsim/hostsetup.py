"""Idempotent host preparation for simulated guests (root only): the admin user, mount points, /run/sshd."""
import contextlib
import fcntl
import grp
import os
import pwd
import shutil
import subprocess
import warnings

from .errors import SimSetupErr

RUN_ROOT = "/run/tart-sim"
VM_MOUNT = RUN_ROOT + "/vm"  # each guest sees its own runtime dir here
ADDR_DIR = RUN_ROOT + "/addr"
MOUNT_POINTS = ("/home/admin", VM_MOUNT, "/usr/local/tart-sim", "/opt/homebrew")
TOOLS = {"/usr/sbin/sshd": "openssh-server", "unshare": "util-linux", "ssh-keygen": "openssh-client",
         "mount": "mount", "hostname": "hostname", "useradd": "passwd", "chpasswd": "passwd"}


def missing_tools() -> list:
    out = []
    for tool, pkg in TOOLS.items():
        found = os.access(tool, os.X_OK) if tool.startswith("/") else shutil.which(tool, path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
        if not found:
            out.append(f"{tool} (apt-get install -y {pkg})")
    return out


@contextlib.contextmanager
def _setup_lock():
    os.makedirs(RUN_ROOT, exist_ok=True)
    fd = os.open(os.path.join(RUN_ROOT, "setup.lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def _password_ok() -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import crypt
    try:
        with open("/etc/shadow", encoding="utf-8") as fh:
            for line in fh:
                parts = line.split(":")
                if parts[0] == "admin":
                    return len(parts) > 1 and parts[1][:1] == "$" and crypt.crypt("admin", parts[1]) == parts[1]
    except OSError:
        return False
    return False


def _ensure_admin() -> None:
    try:
        pw = pwd.getpwnam("admin")
    except KeyError:
        args = ["useradd", "-M", "-d", "/home/admin", "-s", "/bin/bash"]
        try:
            grp.getgrnam("admin")
            args += ["-g", "admin"]
        except KeyError:
            args += ["-U"]
        subprocess.run(args + ["admin"], check=True, env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
        pw = pwd.getpwnam("admin")
    if pw.pw_dir != "/home/admin" or pw.pw_shell != "/bin/bash":
        subprocess.run(["usermod", "-d", "/home/admin", "-s", "/bin/bash", "admin"], check=True,
                       env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})
    if not _password_ok():
        subprocess.run(["chpasswd"], input=b"admin:admin\n", check=True,
                       env={**os.environ, "PATH": "/usr/sbin:/usr/bin:/sbin:/bin"})


def ensure_host() -> None:
    """Make this machine able to boot guests, or explain what is missing."""
    if os.geteuid() != 0:
        raise SimSetupErr("simulated VMs need root (mount/PID namespaces, sshd on port 22); run as root")
    missing = missing_tools()
    if missing:
        raise SimSetupErr("missing tools for simulated VMs: " + ", ".join(missing))
    with _setup_lock():
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)
        os.makedirs(ADDR_DIR, exist_ok=True)
        for path in MOUNT_POINTS:
            os.makedirs(path, exist_ok=True)
        _ensure_admin()
        pw = pwd.getpwnam("admin")
        st = os.stat("/home/admin")
        if st.st_uid != pw.pw_uid:
            os.chown("/home/admin", pw.pw_uid, pw.pw_gid)
