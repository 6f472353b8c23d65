"""Entry point of the simulated `tart`: specs of every verb and the dispatcher."""
import sys
import traceback

from . import VERSION, cmd_ctl, cmd_list, cmd_run, cmd_vm
from .args import ROOT_USAGE, HelpRequested, Opt, Spec, parse
from .errors import GenericErr, TartError, ValidationErr
from .home import gc_tmp

FMT = Opt("format", "choice", ("text", "json"), default="text")


def _specs() -> dict:
    run_flags = {f"--{f}": (f.replace("-", "_"), True) for f in (
        "no-graphics", "graphics", "serial", "no-audio", "no-clipboard", "recovery", "vnc", "vnc-experimental",
        "nested", "net-softnet", "net-host", "suspendable", "capture-system-keys", "no-trackpad", "no-pointer",
        "no-keyboard")}
    run_opts = {
        "--serial-path": Opt("serial_path"), "--disk": Opt("disk", repeat=True), "--rosetta": Opt("rosetta"),
        "--dir": Opt("dir", repeat=True), "--net-bridged": Opt("net_bridged", repeat=True),
        "--net-softnet-allow": Opt("net_softnet_allow"), "--net-softnet-block": Opt("net_softnet_block"),
        "--net-softnet-expose": Opt("net_softnet_expose"), "--root-disk-opts": Opt("root_disk_opts", default=""),
    }
    specs = [
        (Spec("create", "<name> [--from-ipsw <from-ipsw>] [--linux] [--disk-size <disk-size>] [--disk-format <disk-format>]",
              [("name", True, False)],
              {"--from-ipsw": Opt("from_ipsw"), "--disk-size": Opt("disk_size", "uint16", default=50),
               "--disk-format": Opt("disk_format", "choice", ("raw", "asif"), default="raw")},
              {"--linux": ("linux", True)}, abstract="Create a VM"), cmd_vm.create),
        (Spec("clone", "<source-name> <new-name> [--insecure] [--concurrency <concurrency>] [--prune-limit <prune-limit>]",
              [("source_name", True, False), ("new_name", True, False)],
              {"--concurrency": Opt("concurrency", "int", default=4), "--prune-limit": Opt("prune_limit", "uint", default=100)},
              {"--insecure": ("insecure", True), "--deduplicate": ("deduplicate", True)}, abstract="Clone a VM"), cmd_vm.clone),
        (Spec("run", "<name> [--no-graphics] [--serial] [--serial-path <serial-path>] [--no-audio] [--no-clipboard] "
                     "[--recovery] [--vnc] [--vnc-experimental] [--disk <disk> ...] [--rosetta <tag>] "
                     "[--dir <[name:]path[:options]> ...] [--nested] [--net-bridged <interface name> ...] [--net-softnet] "
                     "[--net-softnet-allow <comma-separated CIDRs>] [--net-softnet-block <comma-separated CIDRs>] "
                     "[--net-softnet-expose <comma-separated port specifications>] [--net-host] [--root-disk-opts <options>] "
                     "[--suspendable] [--capture-system-keys] [--no-trackpad] [--no-pointer] [--no-keyboard]",
              [("name", True, False)], run_opts, run_flags, abstract="Run a VM"), cmd_run.run),
        (Spec("set", "<name> [--cpu <cpu>] [--memory <memory>] [--display <display>] [--display-refit] "
                     "[--no-display-refit] [--random-mac] [--random-serial] [--disk <disk>] [--disk-size <disk-size>]",
              [("name", True, False)],
              {"--cpu": Opt("cpu", "uint16"), "--memory": Opt("memory", "uint"), "--display": Opt("display"),
               "--disk": Opt("disk"), "--disk-size": Opt("disk_size", "uint16")},
              {"--display-refit": ("display_refit", True), "--no-display-refit": ("display_refit", False),
               "--random-mac": ("random_mac", True), "--random-serial": ("random_serial", True)},
              abstract="Modify VM's configuration"), cmd_vm.set_),
        (Spec("get", "<name> [--format <format>]", [("name", True, False)], {"--format": FMT},
              abstract="Get a VM's configuration"), cmd_vm.get),
        (Spec("list", "[--source <source>] [--format <format>] [--quiet]", [],
              {"--source": Opt("source"), "--format": FMT}, {"--quiet": ("quiet", True)}, {"-q": "--quiet"},
              abstract="List created VMs"), cmd_list.list_),
        (Spec("ip", "<name> [--wait <wait>] [--resolver <resolver>]", [("name", True, False)],
              {"--wait": Opt("wait", "uint16", default=0),
               "--resolver": Opt("resolver", "choice", ("dhcp", "arp", "agent"), default="dhcp")},
              abstract="Get VM's IP address"), cmd_ctl.ip),
        (Spec("pull", "<remote-name> [--insecure] [--concurrency <concurrency>]", [("remote_name", True, False)],
              {"--concurrency": Opt("concurrency", "int", default=4)},
              {"--insecure": ("insecure", True), "--deduplicate": ("deduplicate", True)},
              abstract="Pull a VM from a registry"), cmd_ctl.pull),
        (Spec("prune", "[--entries <entries>] [--older-than <n>] [--space-budget <n>]", [],
              {"--entries": Opt("entries", "choice", ("caches", "vms"), default="caches"),
               "--older-than": Opt("older_than", "uint", metavar="n"), "--space-budget": Opt("space_budget", "uint", metavar="n"),
               "--cache-budget": Opt("cache_budget", "uint", metavar="n")}, {"--gc": ("gc", True)},
              abstract="Prune OCI and IPSW caches or local VMs"), cmd_list.prune),
        (Spec("rename", "<name> <new-name>", [("name", True, False), ("new_name", True, False)],
              abstract="Rename a local VM"), cmd_vm.rename),
        (Spec("stop", "<name> [--timeout <timeout>]", [("name", True, False)],
              {"--timeout": Opt("timeout", "uint", default=30)}, aliases={"-t": "--timeout"}, abstract="Stop a VM"), cmd_ctl.stop),
        (Spec("delete", "<name> ...", [("name", True, True)], abstract="Delete a VM"), cmd_vm.delete),
        (Spec("fqn", "<name>", [("name", True, False)], abstract="Get a fully-qualified VM name"), cmd_vm.fqn),
        (Spec("suspend", "<name>", [("name", True, False)], abstract="Suspend a VM"), cmd_ctl.suspend),
    ]
    return {spec.name: (spec, handler) for spec, handler in specs}


NOT_SIMULATED = ("login", "logout", "exec", "push", "import", "export")

ROOT_HELP = """OVERVIEW: tart-sim: a simulated Tart (see test/sim/README.md)

USAGE: tart <subcommand>

OPTIONS:
  --version               Show the version.
  -h, --help              Show help information.

SUBCOMMANDS:
  create, clone, run, set, get, list, login, logout, ip, exec, pull, push, import, export, prune, rename,
  stop, delete, suspend
"""


def dispatch(argv: list) -> int:
    if not argv or argv[0] in ("-h", "--help", "help"):
        print(ROOT_HELP, end="")
        return 0
    if argv[0] == "--version":
        print(VERSION)
        return 0
    specs = _specs()
    verb = argv[0]
    if verb in NOT_SIMULATED:
        raise GenericErr(f"tart-sim does not simulate '{verb}'")
    if verb not in specs:
        raise ValidationErr(f"Unexpected argument '{verb}'", ROOT_USAGE)
    spec, handler = specs[verb]
    try:
        ns = parse(spec, argv[1:])
        if verb not in ("pull", "clone"):
            gc_tmp()
        return handler(ns)
    except ValidationErr as err:
        if err.usage is None:
            err.usage = spec.usage
        raise


def main() -> None:
    sys.stdout.reconfigure(line_buffering=True)
    try:
        code = dispatch(sys.argv[1:])
    except HelpRequested as req:
        print(req.text, end="")
        code = 0
    except TartError as err:
        sys.stdout.flush()
        code = err.emit()
    except BrokenPipeError:
        code = 1
    except Exception as exc:  # noqa: BLE001
        # A bug in the simulator: its cause on the first line (what CAL's error message quotes), then the traceback.
        sys.stdout.flush()
        sys.stderr.write(f"Error: tart-sim crashed: {type(exc).__name__}: {exc}\n{traceback.format_exc()}")
        code = 1
    sys.stdout.flush()
    sys.exit(code)
