"""Foundation JSONEncoder(.prettyPrinted) look-alike: 2-space indent, ' : ', '\\/' escaped, '[\\n\\n]'."""


def _string(s: str) -> str:
    out = ['"']
    for ch in s:
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "/":
            out.append("\\/")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 0x20:
            out.append("\\u%04x" % ord(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def dumps(value, indent: int = 0) -> str:
    pad = "  " * (indent + 1)
    end = "  " * indent
    if value is True:
        return "true"
    if value is False:
        return "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "[\n\n" + end + "]"
        items = [pad + dumps(v, indent + 1) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + end + "]"
    if isinstance(value, dict):
        if not value:
            return "{\n\n" + end + "}"
        items = [pad + _string(k) + " : " + dumps(value[k], indent + 1) for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + end + "}"
    raise TypeError(f"cannot encode {type(value)}")
