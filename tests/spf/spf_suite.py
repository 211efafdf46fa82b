#!/usr/bin/env python3
"""spf_suite.py - turn an SPF conformance YAML file (the OpenSPF suite
format, see testdata/spf/README.md) into the line format spf_suite reads.

Usage: spf_suite.py FILE.yml [--skip SKIPFILE]

Output, one record per line, fields separated by tabs, every field
%XX-escaped (bytes outside 0x21..0x7e, and "%" itself):

    F <file name>
    S <scenario description>           (a new zone)
    R <name> <type> <pref> <nstrings> <rdata>
    N <name>                           (the name exists)
    O <name>                           (timeout mark)
    T <test> <host> <helo> <mailfrom> <results,...> <has-exp 0|1> <exp>
    K <test> <reason>                  (skipped, from SKIPFILE)

TXT synthesis and TIMEOUT placement follow the README: a name with no
TXT item serves each SPF item as TXT too, right where the SPF item
stands; an item list is walked in order, so the timeout mark lands
where TIMEOUT stands. Strings are served as UTF-8, as pyspf's driver
does. The skip file lists "test-name reason..." lines; an entry that
names no test in the file is an error, so the list stays honest.
"""

import ipaddress
import os
import sys

import yaml

def esc(value):
    """%XX-escape a str (as UTF-8) or bytes."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    out = []
    for b in value:
        if 0x21 <= b <= 0x7E and b != 0x25:
            out.append(chr(b))
        else:
            out.append("%%%02X" % b)
    return "".join(out)


def emit(*fields):
    sys.stdout.write("\t".join(esc(f) if not isinstance(f, int) else
                               str(f) for f in fields) + "\n")


def strip_dot(name):
    name = str(name)
    return name[:-1] if name.endswith(".") else name


def txt_value(value):
    """TXT/SPF item value: (joined bytes, number of strings)."""
    if value is None:
        return b"", 0
    if isinstance(value, list):
        parts = [str(v).encode("utf-8") for v in value]
        return b"".join(parts), len(parts)
    return str(value).encode("utf-8"), 1


def zone(zonedata):
    for name, items in (zonedata or {}).items():
        name = strip_dot(name)
        items = items or []
        has_txt = any(isinstance(it, dict) and "TXT" in it for it in items)
        emit("N", name)
        for it in items:
            if it == "TIMEOUT":
                emit("O", name)
                continue
            if not isinstance(it, dict) or len(it) != 1:
                raise SystemExit("%s: bad zone item %r" % (name, it))
            (rtype, value), = it.items()
            if rtype in ("TXT", "SPF"):
                if rtype == "TXT" and value == "NONE":
                    continue
                data, nstrings = txt_value(value)
                emit("R", name, rtype, 0, nstrings, data)
                if rtype == "SPF" and not has_txt:
                    emit("R", name, "TXT", 0, nstrings, data)
            elif rtype == "A":
                emit("R", name, "A", 0, 0,
                     ipaddress.IPv4Address(str(value)).packed)
            elif rtype == "AAAA":
                emit("R", name, "AAAA", 0, 0,
                     ipaddress.IPv6Address(str(value)).packed)
            elif rtype == "MX":
                pref, host = value
                emit("R", name, "MX", int(pref), 0, strip_dot(host or ""))
            elif rtype in ("PTR", "CNAME"):
                emit("R", name, rtype, 0, 0, strip_dot(value or ""))
            else:
                raise SystemExit("%s: unknown type %s" % (name, rtype))


def read_skips(path):
    skips = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            name, _, reason = line.partition(" ")
            skips[name] = reason.strip() or "listed"
    return skips


def main(argv):
    if len(argv) not in (2, 4) or (len(argv) == 4 and argv[2] != "--skip"):
        raise SystemExit("usage: spf_suite.py FILE.yml [--skip SKIPFILE]")
    skips = read_skips(argv[3]) if len(argv) == 4 else {}
    seen = set()
    emit("F", os.path.basename(argv[1]))
    with open(argv[1], encoding="utf-8") as f:
        docs = list(yaml.safe_load_all(f))
    for doc in docs:
        if not doc:
            continue
        emit("S", str(doc.get("description") or doc.get("comment") or ""))
        zone(doc.get("zonedata"))
        for tname, t in (doc.get("tests") or {}).items():
            seen.add(tname)
            if tname in skips:
                emit("K", tname, skips[tname])
                continue
            results = t["result"]
            if not isinstance(results, list):
                results = [results]
            results = [str(r).strip() for r in results]
            exp = t.get("explanation")
            emit("T", tname, str(t["host"]), str(t.get("helo") or ""),
                 str(t.get("mailfrom") or ""), ",".join(results),
                 "1" if exp is not None else "0",
                 str(exp) if exp is not None else "")
    unknown = sorted(set(skips) - seen)
    if unknown:
        raise SystemExit("skip list names unknown tests: %s" %
                         ", ".join(unknown))


if __name__ == "__main__":
    main(sys.argv)
