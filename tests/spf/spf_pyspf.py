#!/usr/bin/env python3
"""spf_pyspf.py - pyspf (python3-spf) as an oracle for the SPF evaluator.

Usage: spf_pyspf.py SEED COUNT > FILE.yml

Builds COUNT random records from a fixed list of terms over a fixed zone,
asks pyspf for each result (its DNS answered from the same zone), and
writes a YAML file in the conformance-suite format (testdata/spf/
README.md) with pyspf's answers as the expected results, so spf_suite.py
and spf_suite run it through our evaluator. A fail also carries pyspf's
explanation (the default set to "DEFAULT", as in the suites).

The terms leave out the places where pyspf knowingly differs from
RFC 7208, so that every mismatch is worth a look:
  - pyspf counts every empty answer as a void lookup, the address
    lookups of mx exchanges and of %{p} too; RFC 7208 4.6.4 counts
    terms, and so do we: no %{p} here, and the mx targets have
    addresses;
  - pyspf takes a bare "exists" (no domain-spec) after a qualifier;
    RFC 7208 5.7 and the rfc7208 suite (exists-implicit) say permerror;
  - pyspf keeps "@domain" as %{s} for an empty local part; RFC 7208 4.3
    makes the sender postmaster@domain: no empty local parts here.
"""

import random
import sys

import spf
import yaml

ZONE = {
    "mail.example.com": [{"A": "192.0.2.1"}, {"AAAA": "2001:db8::1"}],
    "mx.example.com": [{"A": "192.0.2.2"}, {"AAAA": "2001:db8::2"}],
    "ex.example.com": [{"MX": [10, "mail.example.com"]},
                       {"MX": [20, "mx.example.com"]}],
    "nomx.example.com": [{"A": "192.0.2.3"}],
    "v6only.example.com": [{"AAAA": "2001:db8::1"}],
    "bad.example.com": ["TIMEOUT"],
    "inc1.example.com": [{"TXT": "v=spf1 ip4:192.0.2.0/28 -all"}],
    "inc2.example.com": [{"TXT": "v=spf1 a:mail.example.com ~all"}],
    "inc3.example.com": [{"TXT": "v=spf1 include:inc1.example.com ?all"}],
    "inc4.example.com": [{"TXT": "v=spf1 mx:ex.example.com/24 -all"}],
    "loopy.example.com": [{"TXT": "v=spf1 include:loopy.example.com"}],
    "broken.example.com": [{"TXT": "v=spf1 foo"}],
    "empty.example.com": [{"TXT": "hello"}],
    "tmo.example.com": [{"TXT": "v=spf1 a:bad.example.com -all"}],
    "exp.example.com": [{"TXT": "denied %{i} %{s} %{d} %{L} %{o} %{h} "
                                "%{v} %{ir} %{d2} %{l-}"}],
    "t.example.com.exp.example.com": [{"TXT": "per-domain %{S} %{c}"}],
    "1.2.0.192.in-addr.arpa": [{"PTR": "mail.example.com"},
                               {"PTR": "other.example.net"}],
    "2.2.0.192.in-addr.arpa": [{"PTR": "mx.example.com"}],
    "other.example.net": [{"A": "192.0.2.1"}],
    "192.0.2.1.bl.example.com": [{"A": "127.0.0.2"}],
    "example.com.x.example.com": [{"A": "127.0.0.2"}],
    "cn.example.com": [{"CNAME": "mail.example.com"}],
}

MECHS = [
    "all", "ip4:192.0.2.0/24", "ip4:192.0.2.1", "ip4:198.51.100.0/24",
    "ip6:2001:db8::/32", "ip6:2001:db8::1", "a", "a:mail.example.com",
    "a:mail.example.com/24", "a:mx.example.com//64", "a:nomx.example.com",
    "a:none.example.com", "a:bad.example.com", "a:cn.example.com", "mx",
    "mx:ex.example.com", "mx:nomx.example.com", "mx:ex.example.com/30//48",
    "mx:none.example.com", "ptr", "ptr:example.com", "ptr:example.net",
    "exists:%{i}.bl.example.com", "exists:%{d}.x.example.com",
    "exists:none.example.com", "exists:%{l}.bl.example.com",
    "exists:v6only.example.com", "a:v6only.example.com",
    "include:inc1.example.com", "include:inc2.example.com",
    "include:inc3.example.com", "include:inc4.example.com",
    "include:broken.example.com", "include:empty.example.com",
    "include:tmo.example.com", "include:none.example.com",
    "include:loopy.example.com", "a:%{d}", "mx:%{o}", "ptr:%{d2}",
    "exists:%{ir}.%{v}.arpa", "a/0", "a//0", "mx/0", "exists:%{l1r-}.%{o}",
    "a:%{h}", "a:mail.%{d2}", "exists:%{s}", "a:%{d}.", "mx:%{d}/24",
    "ip4:192.0.2.0/33", "ip6:::/129", "a:x..example.com", "foo", "ptr/24",
    "include", "a:%{z}", "exists:%{i}.bl.example.com/24", "ip4:192.0.2",
    "a:example.com:80", "mx:%{D}", "exists:%{V}.%{I}.x",
]
MODS = [
    "", "", " exp=exp.example.com -all", " exp=%{d}.exp.example.com",
    " -all exp=exp.example.com", " redirect=inc1.example.com",
    " redirect=inc2.example.com", " redirect=none.example.com",
    " exp=exp.example.com", " redirect=empty.example.com", " foo=bar",
    " redirect=%{d}",
]
QUALS = ["", "-", "-", "~", "?", "+"]
IPS = ["192.0.2.1", "192.0.2.2", "192.0.2.9", "198.51.100.7", "2001:db8::1",
       "2001:db8::2", "2001:db8:ffff::1", "::ffff:192.0.2.1"]
SENDERS = ["user@t.example.com", "a.b@t.example.com", "x-y@t.example.com"]

zone = {}


def lookup(name, qtype, strict=True, timeout=30):
    """pyspf's DNS hook: answer from zone (TIMEOUT as the README says)."""
    res = []
    for item in zone.get(name.lower().rstrip("."), []):
        if item == "TIMEOUT":
            if not res:
                raise spf.TempError("DNS timeout")
            break
        (rtype, value), = item.items()
        if rtype == "CNAME":
            res.append(((name, "CNAME"), value))
        elif rtype == qtype:
            if rtype == "TXT":
                value = [value.encode()]
            elif rtype == "MX":
                value = (value[0], value[1])
            res.append(((name, rtype), value))
    return res


def main(argv):
    global zone
    if len(argv) != 3:
        raise SystemExit("usage: spf_pyspf.py SEED COUNT")
    rnd = random.Random(int(argv[1]))
    spf.DNSLookup = lookup
    docs = []
    for n in range(int(argv[2])):
        terms = [rnd.choice(QUALS) + rnd.choice(MECHS)
                 for _ in range(rnd.randint(0, 5))]
        rec = "v=spf1 " + " ".join(terms) + rnd.choice(MODS)
        zone = dict(ZONE)
        zone["t.example.com"] = [{"TXT": rec}, {"A": "192.0.2.1"},
                                 {"MX": [5, "mx.example.com"]}]
        ip = rnd.choice(IPS)
        sender = rnd.choice(SENDERS)
        q = spf.query(i=ip, s=sender, h="helo.example.org", strict=True)
        q.set_default_explanation("DEFAULT")
        res, _, exp = q.check()
        test = {"host": ip, "helo": "helo.example.org", "mailfrom": sender,
                "result": res}
        if res == "fail":
            test["explanation"] = exp
        docs.append({"description": "record %d: %s" % (n, rec),
                     "tests": {"pyspf-%d-%d" % (int(argv[1]), n): test},
                     "zonedata": zone})
    yaml.safe_dump_all(docs, sys.stdout, width=10000)


if __name__ == "__main__":
    main(sys.argv)
