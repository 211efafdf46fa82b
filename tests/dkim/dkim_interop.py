#!/usr/bin/python3
"""dkim_interop.py - dkimpy as the reference peer for dkim_interop.sh.

  dkim_interop.py verify RECORDFILE < message
      verify the first DKIM-Signature with dkimpy; the key lookup answers
      every name with the record in RECORDFILE. Prints pass or fail;
      exit 0 on pass, 1 otherwise.
  dkim_interop.py sign KEYFILE DOMAIN SELECTOR ALG HCANON/BCANON < message
      sign with dkimpy; writes the signed message (CRLF line ends).
  dkim_interop.py sign-l ...
      the same with an l= tag (the signed body length).
"""
import re
import sys

import dkim


def crlf(data):
    """LF line ends to CRLF, as the C side does."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def verify(recordfile):
    with open(recordfile, "rb") as f:
        record = f.read().rstrip(b"\r\n")

    def dnsfunc(name, timeout=5):
        return record

    ok = dkim.verify(crlf(sys.stdin.buffer.read()), dnsfunc=dnsfunc)
    print("pass" if ok else "fail")
    return 0 if ok else 1


def sign(keyfile, domain, selector, alg, canon, length=False):
    with open(keyfile, "rb") as f:
        key = f.read()
    msg = crlf(sys.stdin.buffer.read())
    hc, bc = canon.split("/")
    sig = dkim.sign(msg, selector.encode(), domain.encode(), key,
                    canonicalize=(hc.encode(), bc.encode()),
                    signature_algorithm=alg.encode(), length=length)
    sys.stdout.buffer.write(sig + msg)
    return 0


def main(argv):
    if len(argv) == 3 and argv[1] == "verify":
        return verify(argv[2])
    if len(argv) == 7 and argv[1] == "sign":
        return sign(*argv[2:])
    if len(argv) == 7 and argv[1] == "sign-l":
        return sign(*argv[2:], length=True)
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
