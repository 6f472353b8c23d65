"""A tiny stand-in for swift-argument-parser: same error texts, usage blocks and exit code 64."""
from dataclasses import dataclass, field

from .errors import ValidationErr

ROOT_USAGE = "Usage: tart <subcommand>\n  See 'tart --help' for more information."


@dataclass
class Opt:
    dest: str
    kind: str = "str"  # str | int | uint16 | choice
    choices: tuple = ()
    repeat: bool = False
    default: object = None
    metavar: str = ""


@dataclass
class Spec:
    name: str
    synopsis: str
    positionals: list = field(default_factory=list)  # (dest, required, variadic)
    options: dict = field(default_factory=dict)  # "--flag" -> Opt
    flags: dict = field(default_factory=dict)  # "--flag" -> (dest, value)
    aliases: dict = field(default_factory=dict)  # "-t" -> "--timeout"
    abstract: str = ""

    @property
    def usage(self) -> str:
        return f"Usage: tart {self.name} {self.synopsis}\n  See 'tart {self.name} --help' for more information."

    def help(self) -> str:
        return f"OVERVIEW: {self.abstract}\n\nUSAGE: tart {self.name} {self.synopsis}\n"


class Namespace(dict):
    __getattr__ = dict.get


def _convert(spec: Spec, flag: str, opt: Opt, raw: str):
    label = f"{flag} <{opt.metavar or opt.dest.replace('_', '-')}>"
    try:
        if opt.kind in ("int", "uint16", "uint"):
            v = int(raw, 10)
            if opt.kind != "int" and v < 0:
                raise ValueError
            if opt.kind == "uint16" and v > 65535:
                raise ValueError
            return v
        if opt.kind == "choice":
            if raw not in opt.choices:
                raise ValueError
        return raw
    except ValueError:
        raise ValidationErr(f"The value '{raw}' is invalid for '{label}'", spec.usage) from None


def parse(spec: Spec, argv: list) -> Namespace:
    ns = Namespace()
    for opt in spec.options.values():
        ns[opt.dest] = [] if opt.repeat else opt.default
    paired = {dest for dest, value in spec.flags.values() if value is False}  # --x/--no-x: unset is None
    for dest, _ in spec.flags.values():
        ns[dest] = None if dest in paired else False
    positional_values = []
    i = 0
    only_positional = False
    while i < len(argv):
        arg = argv[i]
        i += 1
        if only_positional or not arg.startswith("-") or arg == "-":
            positional_values.append(arg)
            continue
        if arg == "--":
            only_positional = True
            continue
        if arg in ("-h", "--help"):
            raise HelpRequested(spec.help())
        name, eq, inline = arg.partition("=")
        name = spec.aliases.get(name, name)
        if name in spec.flags and not eq:
            dest, value = spec.flags[name]
            ns[dest] = value
            continue
        if name in spec.options:
            opt = spec.options[name]
            if eq:
                raw = inline
            elif i < len(argv):
                raw = argv[i]
                i += 1
            else:
                label = f"{name} <{opt.metavar or opt.dest.replace('_', '-')}>"
                raise ValidationErr(f"Missing value for '{label}'", spec.usage)
            value = _convert(spec, name, opt, raw)
            if opt.repeat:
                ns[opt.dest].append(value)
            else:
                ns[opt.dest] = value
            continue
        raise ValidationErr(f"Unknown option '{name}'", spec.usage)
    for dest, required, variadic in spec.positionals:
        if variadic:
            ns[dest] = positional_values
            if required and not positional_values:
                raise ValidationErr(f"Missing expected argument '<{dest.replace('_', '-')}> ...'", spec.usage)
            positional_values = []
        elif positional_values:
            ns[dest] = positional_values.pop(0)
        elif required:
            raise ValidationErr(f"Missing expected argument '<{dest.replace('_', '-')}>'", spec.usage)
        else:
            ns[dest] = None
    if positional_values:
        raise ValidationErr(f"Unexpected argument '{positional_values[0]}'", spec.usage)
    return ns


class HelpRequested(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text
