"""The three error paths of Tart (reference section 1.2)."""
import sys


class TartError(Exception):
    """Base class: every error knows how to print itself and its exit code."""

    exit_code = 1

    def emit(self) -> int:
        raise NotImplementedError


class RuntimeErr(TartError):
    """Path A: bare message on stderr, exit 2 for the VM-state errors, else 1."""

    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.message = message
        self.exit_code = code

    def emit(self) -> int:
        sys.stderr.write(self.message + "\n")
        return self.exit_code


class ValidationErr(TartError):
    """Path B: 'Error: msg', then a usage block, exit 64."""

    exit_code = 64

    def __init__(self, message: str, usage: str | None = None):
        super().__init__(message)
        self.message = message
        self.usage = usage  # None = filled in by the dispatcher with the command's usage

    def emit(self) -> int:
        sys.stderr.write(f"Error: {self.message}\n")
        if self.usage:
            sys.stderr.write(self.usage + "\n")
        return 64


class GenericErr(TartError):
    """Path C: 'Error: <description>', exit 1."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def emit(self) -> int:
        sys.stderr.write(f"Error: {self.message}\n")
        return 1


class SimSetupErr(TartError):
    """Not Tart: the simulator cannot run a guest on this machine."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def emit(self) -> int:
        sys.stderr.write(f"tart-sim: {self.message}\n")
        return 1


def vm_missing(name: str) -> RuntimeErr:
    return RuntimeErr(f'the specified VM "{name}" does not exist', 2)


def vm_incomplete() -> RuntimeErr:
    return RuntimeErr("VM is missing some of its files (config.json, disk.img or nvram.bin)", 1)


def out_of_space(path: str) -> GenericErr:
    return GenericErr(
        'Error Domain=NSCocoaErrorDomain Code=640 "You can\u2019t save the file because the volume is out of space." '
        f'UserInfo={{NSFilePath={path}, NSUnderlyingError=0x600001d2c180 '
        '{Error Domain=NSPOSIXErrorDomain Code=28 "No space left on device"}}'
    )


def not_running_twice(name: str) -> RuntimeErr:
    """`tart suspend` builds the message twice (source quirk)."""
    return RuntimeErr(f'VM "VM "{name}" is not running" is not running', 2)
