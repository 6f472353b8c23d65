"""Remote (OCI) names, the fake registry, the OCI cache and `pull`."""
import fcntl
import hashlib
import json
import os
import re
import shutil
import time
import urllib.parse

from . import faults
from .errors import GenericErr, RuntimeErr, out_of_space
from .home import TmpDir, oci_dir
from .progress import Progress, emit_line
from .seed import make_vm
from .vmdir import VMDir

_COMPONENT = r"[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
_NAME_RE = re.compile(
    rf"^(?P<host>{_COMPONENT}(?::[0-9]+)?)/(?P<ns>[A-Za-z0-9._-]+(?:/[A-Za-z0-9._-]+)*)"
    r"(?::(?P<tag>[A-Za-z0-9._-]+)|@(?P<digest>sha256:[0-9a-fA-F]{64}))?$"
)

# name -> (os, disk GB, compressed GB, macOS version)
KNOWN_IMAGES = {
    "ghcr.io/cirruslabs/macos-sequoia-base:latest": ("darwin", 50, 22.1, "15.5"),
    "ghcr.io/cirruslabs/macos-sequoia-vanilla:latest": ("darwin", 50, 14.7, "15.5"),
    "ghcr.io/cirruslabs/macos-sequoia-xcode:16": ("darwin", 120, 53.9, "15.5"),
    "ghcr.io/cirruslabs/macos-tahoe-base:latest": ("darwin", 50, 23.4, "26.0"),
    "ghcr.io/cirruslabs/ubuntu:latest": ("linux", 20, 1.2, ""),
}


class RemoteName:
    def __init__(self, host: str, namespace: str, tag: str | None, digest: str | None):
        self.host, self.namespace = host, namespace
        self.digest = digest.lower() if digest else None
        self.tag = None if digest else (tag or "latest")

    @property
    def reference(self) -> str:
        return self.digest or self.tag

    def __str__(self) -> str:
        if self.digest:
            return f"{self.host}/{self.namespace}@{self.digest}"
        return f"{self.host}/{self.namespace}:{self.tag}"

    def repo_dir(self) -> str:
        return os.path.join(oci_dir(), urllib.parse.quote(self.host, safe=""), *self.namespace.split("/"))

    def cache_path(self) -> str:
        return os.path.join(self.repo_dir(), self.reference)


def parse(name: str) -> RemoteName | None:
    m = _NAME_RE.match(name)
    if not m or ".." in m.group("ns") or "//" in name:
        return None
    return RemoteName(m.group("host"), m.group("ns"), m.group("tag"), m.group("digest"))


def parse_or_fail(name: str) -> RemoteName:
    remote = parse(name)
    if remote is None:
        bad = next((i for i, ch in enumerate(name) if not (ch.isascii() and (ch.isalnum() or ch in "./:-_@"))), len(name))
        raise RuntimeErr(f"failed to parse remote name: mismatched input at '{name[bad:bad + 1] or '<EOF>'}' (character {bad})")
    return remote


def image_digest(tagged_name: str) -> str:
    return "sha256:" + hashlib.sha256(f"tartsim:{tagged_name}".encode()).hexdigest()


def lookup(remote: RemoteName):
    """Return (tagged name, info) for a name the fake registry knows, else None."""
    base = f"{remote.host}/{remote.namespace}"
    if remote.tag:
        key = f"{base}:{remote.tag}"
        return (key, KNOWN_IMAGES[key]) if key in KNOWN_IMAGES else None
    for key, info in KNOWN_IMAGES.items():
        if key.startswith(base + ":") and image_digest(key) == remote.digest:
            return key, info
    return None


def fqn(remote: RemoteName) -> str:
    path = remote.cache_path()
    if remote.digest and os.path.isdir(path):
        return str(remote)
    if os.path.islink(path) and os.path.isdir(path):
        digest = os.path.basename(os.readlink(path))
        return f"{remote.host}/{remote.namespace}@{digest}"
    raise RuntimeErr(f"OCI storage error: {remote} is not a digest and doesn't point to a digest")


def cached_vm(remote: RemoteName) -> VMDir | None:
    path = remote.cache_path()
    vm = VMDir(os.path.realpath(path), str(remote))
    return vm if os.path.isdir(path) and vm.initialized() else None


def _host_lock(remote: RemoteName) -> int:
    host_dir = os.path.join(oci_dir(), urllib.parse.quote(remote.host, safe=""))
    os.makedirs(host_dir, exist_ok=True)
    fd = os.open(host_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        emit_line("waiting for lock...")
        fcntl.flock(fd, fcntl.LOCK_EX)
    return fd


def pull(remote: RemoteName, from_clone: bool = False) -> VMDir:
    """Pull into the cache with Tart's stdout lines; returns the cached VM directory."""
    if not from_clone:
        emit_line(f"pulling {remote}...")
    lock_fd = _host_lock(remote)
    try:
        emit_line("pulling manifest...")
        found = lookup(remote)
        if found is None:
            time.sleep(0.1)
            raise GenericErr('UnexpectedHTTPStatusCode(when: "pulling manifest", code: 404, details: "")')
        tagged, (os_name, disk_gb, compressed, version) = found
        digest = image_digest(tagged)
        digest_dir = os.path.join(remote.repo_dir(), digest)
        digest_name = f"{remote.host}/{remote.namespace}@{digest}"
        if os.path.isdir(digest_dir):
            if remote.tag and os.path.islink(remote.cache_path()):
                emit_line(f"{digest_name} image is already cached and linked!")
            else:
                emit_line(f"{digest_name} image is already cached! creating a symlink...")
                _link(remote, digest)
            return VMDir(digest_dir, str(remote))
        tmp = TmpDir(hashlib.md5(str(remote).encode()).hexdigest())
        emit_line(f"pulling disk ({compressed} GB compressed)...")
        seconds = float(os.environ.get("TART_SIM_PULL_SECONDS", "1") or 1)
        progress = Progress()
        if faults.active(None, "disk_full"):
            progress.run(seconds * 0.3, stop_at=0.3)
            raise out_of_space(os.path.join(tmp.path, "disk.img"))
        make_vm(tmp.path, os_name, disk_gb, darwin_min_memory=4 * 1024 ** 3)
        with open(os.path.join(tmp.path, "manifest.json"), "w", encoding="utf-8") as fh:
            json.dump({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                       "annotations": {"org.cirruslabs.tart.sim.name": tagged,
                                       "org.cirruslabs.tart.sim.macos": version}}, fh)
        progress.run(seconds)
        emit_line("pulling NVRAM...")
        os.makedirs(remote.repo_dir(), exist_ok=True)
        os.rename(tmp.path, digest_dir)
        tmp.release()
        if remote.digest:
            open(os.path.join(digest_dir, ".explicitly-pulled"), "w").close()
        else:
            _link(remote, digest)
        return VMDir(digest_dir, str(remote))
    finally:
        os.close(lock_fd)


def _link(remote: RemoteName, digest: str) -> None:
    if not remote.tag:
        return
    link = remote.cache_path()
    if os.path.lexists(link):
        os.unlink(link)
    os.symlink(digest, link)
    gc()


def gc() -> None:
    """Drop dangling tag links and digest dirs that no tag links to (unless explicitly pulled)."""
    root = oci_dir()
    if not os.path.isdir(root):
        return
    linked = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for entry in dirnames + filenames:
            path = os.path.join(dirpath, entry)
            if os.path.islink(path):
                if not os.path.exists(path):
                    os.unlink(path)
                else:
                    linked.add(os.path.realpath(path))
    for dirpath, dirnames, _ in os.walk(root):
        for entry in list(dirnames):
            path = os.path.join(dirpath, entry)
            if entry.startswith("sha256:") and not os.path.islink(path):
                dirnames.remove(entry)
                if os.path.realpath(path) not in linked and not os.path.exists(os.path.join(path, ".explicitly-pulled")):
                    shutil.rmtree(path, ignore_errors=True)


def entries():
    """(display name, VMDir, is_digest) for every tag link and digest dir in the cache."""
    root = oci_dir()
    out = []
    if not os.path.isdir(root):
        return out
    for host_enc in os.listdir(root):
        host_dir = os.path.join(root, host_enc)
        host = urllib.parse.unquote(host_enc)
        for dirpath, dirnames, filenames in os.walk(host_dir):
            ns = os.path.relpath(dirpath, host_dir)
            for entry in sorted(dirnames + filenames):
                path = os.path.join(dirpath, entry)
                if entry.startswith("sha256:") and os.path.isdir(path) and not os.path.islink(path):
                    out.append((f"{host}/{ns}@{entry}", VMDir(path), True))
                elif os.path.islink(path) and os.path.isdir(path):
                    out.append((f"{host}/{ns}:{entry}", VMDir(path), False))
            dirnames[:] = [d for d in dirnames if not d.startswith("sha256:") and not os.path.islink(os.path.join(dirpath, d))]
    out.sort(key=lambda e: e[0])
    return out


def delete(remote: RemoteName) -> None:
    path = remote.cache_path()
    if os.path.islink(path):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)
    else:
        raise RuntimeErr(f'the specified VM "{remote}" does not exist', 2)
    gc()
