#!/usr/bin/python3
"""Builds rnn4j's embedded English corpus, src/main/resources/org/rnn4j/corpus/austen.txt.

Source: the Debian package r-cran-janeaustenr, version 1.0.0-1 (Debian 12 "bookworm", section
gnu-r, architecture all). It ships Jane Austen's six novels as R character vectors (one element per
line of the Project Gutenberg plain text, with Project Gutenberg's header and footer already removed
by the package author) inside an R lazy-load database, data/Rdata.rdb + data/Rdata.rdx. This script
reads that database itself (no R needed: a minimal reader of R's XDR serialization for the few
object types involved), takes two novels,

    prideprejudice   "Pride and Prejudice" (1813), Project Gutenberg eBook #1342
    persuasion       "Persuasion" (1818),          Project Gutenberg eBook #105

and writes them, in that order, as one UTF-8 text with '\\n' line endings. Cleaning, in full:

    1. each line loses its trailing spaces and tabs;
    2. each novel loses its leading and trailing blank lines;
    3. the two novels are joined with one blank line between them;
    4. every run of two or more blank lines becomes one blank line;
    5. the text ends with a single '\\n'.

Nothing else is changed (the Gutenberg '_italic_' underscores, the hard line wrap at about 70
columns and the indentation stay). The texts are in the public domain (Jane Austen died in 1817);
the package's own code and packaging are MIT-licensed. See README.md and
src/main/resources/org/rnn4j/corpus/LICENSE-austen.txt.

Usage (from the repository root):

    /usr/bin/python3 tools/corpus/make_corpus.py                 # apt-get download, then build
    /usr/bin/python3 tools/corpus/make_corpus.py --deb FILE.deb  # use a .deb already at hand
    /usr/bin/python3 tools/corpus/make_corpus.py --check         # rebuild in memory, compare with the committed file

The .deb, the database file inside it and the output are checked against the SHA-256 sums below, so
the result is byte-for-byte the committed file or the script fails.
"""

import argparse
import gzip
import hashlib
import io
import os
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import zlib

PACKAGE = "r-cran-janeaustenr"
VERSION = "1.0.0-1"
DEB_NAME = "r-cran-janeaustenr_1.0.0-1_all.deb"
DEB_SHA256 = "df6bddf211906d1ff404f8ff662c21b34e6660e7f54a311084e749050c019c95"
DATA_DIR = "./usr/lib/R/site-library/janeaustenr/data/"
RDB_SHA256 = "8fb5198960d0da724b1562f96e4221e5c1b41ff455000280b02c55980c3d8f21"
BOOKS = ["prideprejudice", "persuasion"]
OUT_REL = "src/main/resources/org/rnn4j/corpus/austen.txt"
OUT_SHA256 = "21cf93e0b46793fa81582013a23b52a7b04f3a6ba3ca11fb038da04f1c418eeb"  # the committed file
MAX_BYTES = 2 * 1024 * 1024


def sha256(b):
    return hashlib.sha256(b).hexdigest()


# ---- the .deb: an ar archive holding data.tar.xz ------------------------------------------------

def ar_members(blob):
    if blob[:8] != b"!<arch>\n":
        raise SystemExit("not an ar archive (a .deb starts with '!<arch>')")
    p = 8
    while p + 60 <= len(blob):
        header = blob[p:p + 60]
        name = header[:16].decode("ascii").strip().rstrip("/")
        size = int(header[48:58].decode("ascii").strip())
        p += 60
        yield name, blob[p:p + size]
        p += size + (size & 1)


def data_files(deb_blob, wanted):
    for name, body in ar_members(deb_blob):
        if name.startswith("data.tar"):
            with tarfile.open(fileobj=io.BytesIO(body), mode="r:*") as tar:
                out = {}
                for w in wanted:
                    f = tar.extractfile(w)
                    if f is None:
                        raise SystemExit("%s not in %s" % (w, name))
                    out[w] = f.read()
                return out
    raise SystemExit("no data.tar.* member in the .deb")


# ---- R serialization (XDR, format version 2 or 3), only what this database uses ----------------

class RReader:
    NILVALUE, EMPTYENV, MISSINGARG, GLOBALENV, REF = 254, 242, 251, 253, 255
    SYM, LIST, LANG, CHAR, LGL, INT, REAL, STR, VEC = 1, 2, 6, 9, 10, 13, 14, 16, 19

    def __init__(self, blob):
        self.b = blob
        self.p = 0
        self.refs = []

    def int(self):
        v = struct.unpack(">i", self.b[self.p:self.p + 4])[0]
        self.p += 4
        return v

    def raw(self, n):
        v = self.b[self.p:self.p + n]
        self.p += n
        return v

    def read(self):
        if self.raw(2) != b"X\n":
            raise SystemExit("not an XDR R serialization")
        version = self.int()
        self.int()  # writer's R version
        self.int()  # minimal reader version
        if version == 3:
            self.raw(self.int())  # native encoding name
        elif version != 2:
            raise SystemExit("unsupported R serialization version %d" % version)
        return self.item()

    def item(self):
        flags = self.int()
        t = flags & 0xFF
        has_attr = flags & (1 << 9)
        has_tag = flags & (1 << 10)
        if t in (self.NILVALUE, self.EMPTYENV, self.MISSINGARG, self.GLOBALENV):
            return None
        if t == self.REF:
            return self.refs[(flags >> 8) - 1]
        if t == self.SYM:
            sym = ("sym", self.item())
            self.refs.append(sym)
            return sym
        if t == self.CHAR:
            n = self.int()
            if n == -1:
                return None  # NA_character_
            b = self.raw(n)
            latin1 = (flags >> 12) & (1 << 2)
            return b.decode("latin-1" if latin1 else "utf-8")
        if t in (self.LIST, self.LANG):
            attr = self.item() if has_attr else None
            tag = self.item() if has_tag else None
            car = self.item()
            cdr = self.item()
            return ("pair", tag, car, cdr, attr)
        n = self.int()
        if t in (self.STR, self.VEC):
            v = [self.item() for _ in range(n)]
        elif t in (self.INT, self.LGL):
            v = list(struct.unpack(">%di" % n, self.raw(4 * n)))
        elif t == self.REAL:
            v = list(struct.unpack(">%dd" % n, self.raw(8 * n)))
        else:
            raise SystemExit("unsupported R object type %d at byte %d" % (t, self.p))
        attr = self.item() if has_attr else None
        return ("vec", t, v, attr)


def names_of(vec):
    attr = vec[3]
    while attr is not None:
        _, tag, car, cdr, _ = attr
        if tag == ("sym", "names"):
            return car[2]
        attr = cdr
    raise SystemExit("R object without names")


def lazyload(rdx_blob, rdb_blob):
    """R's lazy-load database: the index maps each variable to (offset, length) in the .rdb, where a
    4-byte big-endian uncompressed length precedes a zlib stream of one serialized object."""
    index = RReader(gzip.decompress(rdx_blob)).read()
    parts = dict(zip(names_of(index), index[2]))
    variables = parts["variables"]
    out = {}
    for name, pos in zip(names_of(variables), variables[2]):
        off, length = pos[2]
        rec = rdb_blob[off:off + length]
        n = struct.unpack(">I", rec[:4])[0]
        body = zlib.decompress(rec[4:])
        if len(body) != n:
            raise SystemExit("%s: %d bytes decompressed, %d announced" % (name, len(body), n))
        out[name] = RReader(body).read()
    return out


# ---- cleaning -----------------------------------------------------------------------------------

def clean_book(lines):
    text = "\n".join(line.rstrip(" \t") for line in lines)
    return text.strip("\n")


def build(deb_blob):
    if sha256(deb_blob) != DEB_SHA256:
        raise SystemExit("%s: sha256 %s, expected %s" % (DEB_NAME, sha256(deb_blob), DEB_SHA256))
    files = data_files(deb_blob, [DATA_DIR + "Rdata.rdb", DATA_DIR + "Rdata.rdx"])
    rdb = files[DATA_DIR + "Rdata.rdb"]
    if sha256(rdb) != RDB_SHA256:
        raise SystemExit("Rdata.rdb: sha256 %s, expected %s" % (sha256(rdb), RDB_SHA256))
    objects = lazyload(files[DATA_DIR + "Rdata.rdx"], rdb)
    books = []
    for name in BOOKS:
        obj = objects[name]
        if obj[0] != "vec" or obj[1] != RReader.STR:
            raise SystemExit("%s is not a character vector" % name)
        books.append(clean_book(["" if s is None else s for s in obj[2]]))
    text = "\n\n".join(books)
    text = re.sub(r"\n{3,}", "\n\n", text) + "\n"
    bad = sorted({c for c in text if (ord(c) < 0x20 and c != "\n") or c == "\r"})
    if bad:
        raise SystemExit("control characters left in the text: %r" % bad)
    return text.encode("utf-8")


def download(tmp):
    os.chmod(tmp, 0o755)  # apt-get download runs as the _apt user where it can
    subprocess.run(["apt-get", "download", "%s=%s" % (PACKAGE, VERSION)], cwd=tmp, check=True)
    return os.path.join(tmp, DEB_NAME)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--deb", help="path of %s (default: apt-get download it)" % DEB_NAME)
    ap.add_argument("--out", default=OUT_REL, help="output file (default: %(default)s)")
    ap.add_argument("--check", action="store_true", help="compare with the existing output instead of writing")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        deb = args.deb or download(tmp)
        with open(deb, "rb") as f:
            blob = build(f.read())
    digest = sha256(blob)
    chars = len(blob.decode("utf-8"))
    print("%s %s: %d bytes, %d characters, %d lines, sha256 %s"
          % (PACKAGE, VERSION, len(blob), chars, blob.count(b"\n"), digest))
    if len(blob) > MAX_BYTES:
        raise SystemExit("corpus is %d bytes, over the %d-byte limit" % (len(blob), MAX_BYTES))
    if digest != OUT_SHA256:
        raise SystemExit("output sha256 %s differs from the recorded %s (if the cleaning was changed on"
                         " purpose, update OUT_SHA256, README.md and CorpusTest)" % (digest, OUT_SHA256))
    if args.check:
        with open(args.out, "rb") as f:
            same = f.read() == blob
        print("%s: %s" % (args.out, "identical" if same else "DIFFERS"))
        sys.exit(0 if same else 1)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "wb") as f:
        f.write(blob)
    print("wrote " + args.out)


if __name__ == "__main__":
    main()
