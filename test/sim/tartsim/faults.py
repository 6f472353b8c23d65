"""Fault injection knobs: environment variables, TART_HOME/sim-faults.json, vms/NAME/sim-faults.json.

Later sources win. Files are re-read whenever a fault is checked, so tests can flip faults on a
running VM. See README.md for the meaning of each key."""
import json
import os

ENV = {
    "boot_seconds": "TART_SIM_BOOT_SECONDS",
    "lock_delay_seconds": "TART_SIM_LOCK_DELAY_SECONDS",
    "no_ip": "TART_SIM_NO_IP",
    "die_after": "TART_SIM_DIE_AFTER",
    "die_message": "TART_SIM_DIE_MESSAGE",
    "clone_fail": "TART_SIM_CLONE_FAIL",
    "disk_full": "TART_SIM_DISK_FULL",
}
DEFAULT_DIE_MESSAGE = (
    'Error Domain=VZErrorDomain Code=1 "The virtual machine stopped unexpectedly." '
    "UserInfo={NSLocalizedFailure=Internal Virtualization error.}"
)


def _read(path: str) -> dict:
    try:
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def load(vm_path: str | None) -> dict:
    from .home import tart_home

    merged = {}
    for key, var in ENV.items():
        raw = os.environ.get(var)
        if raw not in (None, ""):
            merged[key] = raw
    merged.update(_read(os.path.join(tart_home(), "sim-faults.json")))
    if vm_path:
        merged.update(_read(os.path.join(vm_path, "sim-faults.json")))
    return merged


def active(vm_path: str | None, key: str) -> bool:
    value = load(vm_path).get(key)
    if isinstance(value, str):
        return value.lower() not in ("", "0", "false", "no")
    return bool(value)


def number(vm_path: str | None, key: str, default: float | None) -> float | None:
    value = load(vm_path).get(key)
    if value is None or value is False or value == "":
        return default
    try:
        return float(value)
    except (TypeError, ValueError):
        return default
