"""Read and write a VBA project (``vbaProject.bin``) as [MS-OVBA] and [MS-CFB] describe it.

Only the standard library is used.  Three layers:

* :func:`compress` / :func:`decompress`: the MS-OVBA compression (section 2.4.1), used
  for the ``dir`` stream and for every module's source.
* :func:`read_cfb` / :func:`write_cfb`: a minimal OLE compound file (MS-CFB version 3,
  512-byte sectors, a mini stream for streams under 4096 bytes).  The writer produces a
  valid red-black directory tree, zero timestamps and no unused sectors, so the same
  streams always give the same bytes.
* :class:`VbaProject`: the streams of a VBA project with its modules' source, able to add
  a standard module and to rename the project, written back the way MS-OVBA lets a writer
  that has no compiled code write it: every module stream holds only its compressed
  source (no performance cache, ``MODULEOFFSET`` 0), and ``_VBA_PROJECT`` is the 7-byte
  stream of version 0xFFFF (section 2.3.4.1), which tells the VBA host to recompile from
  source.  Each module is registered in the ``dir`` stream (a MODULE record), the
  ``PROJECT`` stream (``Module=``) and ``PROJECTwm``.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field


class VbaReadError(ValueError):
    """The VBA project could not be read (not an OLE file, corrupt, ...)."""


# --------------------------------------------------------------------------------------
# MS-OVBA 2.4.1 compression
# --------------------------------------------------------------------------------------

_CHUNK = 4096


def _copy_token_help(difference: int) -> tuple[int, int, int]:
    """(bit_count, length_mask, maximum_length) for a position ``difference`` bytes into
    the chunk (MS-OVBA 2.4.1.3.19.1 CopyToken Help)."""
    bit_count = max((difference - 1).bit_length(), 4)
    length_mask = 0xFFFF >> bit_count
    return bit_count, length_mask, length_mask + 3


def _compress_chunk(chunk: bytes) -> bytes:
    """The token sequences of one compressed chunk (MS-OVBA 2.4.1.3.7), without header.

    Matches are searched among earlier positions of the chunk with the same 3 leading
    bytes, the longest (then the nearest) wins, as 2.4.1.3.19.4 asks.
    """
    out = bytearray()
    index: dict[bytes, list[int]] = {}
    pos, n = 0, len(chunk)

    def remember(p: int) -> None:
        if p + 3 <= n:
            index.setdefault(chunk[p : p + 3], []).append(p)

    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            best_len, best_off = 0, 0
            if pos >= 1 and pos + 3 <= n:
                _, _, max_len = _copy_token_help(pos)
                limit = min(max_len, n - pos)
                for cand in reversed(index.get(chunk[pos : pos + 3], ())):
                    length = 3
                    while length < limit and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == limit:
                            break
            if best_len >= 3:
                bit_count, _, _ = _copy_token_help(pos)
                token = ((best_off - 1) << (16 - bit_count)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                for p in range(pos, pos + best_len):
                    remember(p)
                pos += best_len
            else:
                out.append(chunk[pos])
                remember(pos)
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """Compress ``data`` into an MS-OVBA CompressedContainer (section 2.4.1.3.6).

    The examples of MS-OVBA section 3.2 (3.2.1 "no compression", 3.2.3 "maximum
    compression"):

    >>> compress(b"abcdefghijklmnopqrstuv.").hex(" ")
    '01 19 b0 00 61 62 63 64 65 66 67 68 00 69 6a 6b 6c 6d 6e 6f 70 00 71 72 73 74 75 76 2e'
    >>> compress(b"a" * 73).hex(" ")
    '01 03 b0 02 61 45 00'

    Raises
    ------
    ValueError
        If a chunk shorter than 4096 bytes would not fit compressed (it never does for text).
    """
    out = bytearray(b"\x01")
    for start in range(0, len(data), _CHUNK):
        chunk = data[start : start + _CHUNK]
        body = _compress_chunk(chunk)
        if len(body) > _CHUNK:
            if len(chunk) != _CHUNK:
                raise ValueError("a short final chunk does not compress into 4096 bytes")
            out += struct.pack("<H", 0x3000 | (_CHUNK - 1)) + chunk  # raw chunk, flag 0
            continue
        out += struct.pack("<H", 0x8000 | 0x3000 | (len(body) + 2 - 3)) + body
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Decompress an MS-OVBA CompressedContainer (section 2.4.1.3.1).

    >>> decompress(bytes.fromhex("01 03 b0 02 61 45 00")) == b"a" * 73
    True

    Raises
    ------
    VbaReadError
        If ``data`` is not a valid compressed container.
    """
    if not data or data[0] != 1:
        raise VbaReadError("not a compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        if pos + 2 > len(data):
            raise VbaReadError("truncated chunk header")
        header = struct.unpack_from("<H", data, pos)[0]
        size = (header & 0x0FFF) + 3
        if (header >> 12) & 0b111 != 0b011:
            raise VbaReadError("bad chunk signature")
        compressed = header & 0x8000
        chunk = data[pos + 2 : pos + size]
        pos += size
        start = len(out)
        if not compressed:
            out += chunk
            continue
        i = 0
        while i < len(chunk):
            flags = chunk[i]
            i += 1
            for bit in range(8):
                if i >= len(chunk):
                    break
                if not flags & (1 << bit):
                    out.append(chunk[i])
                    i += 1
                    continue
                if i + 2 > len(chunk):
                    raise VbaReadError("truncated copy token")
                token = struct.unpack_from("<H", chunk, i)[0]
                i += 2
                bit_count, length_mask, _ = _copy_token_help(len(out) - start)
                offset = (token >> (16 - bit_count)) + 1
                length = (token & length_mask) + 3
                if offset > len(out) - start:
                    raise VbaReadError("copy token points before the chunk")
                for _ in range(length):
                    out.append(out[-offset])
    return bytes(out)


# --------------------------------------------------------------------------------------
# MS-CFB compound files
# --------------------------------------------------------------------------------------

_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
_FREESECT, _ENDOFCHAIN, _FATSECT, _NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
_SECTOR, _MINI, _CUTOFF = 512, 64, 4096


def read_cfb(data: bytes) -> dict[str, bytes]:
    """Every stream of an OLE compound file, keyed by its ``/``-joined path."""
    if data[:8] != _MAGIC:
        raise VbaReadError("not an OLE compound file")
    sector_shift, mini_shift = struct.unpack_from("<HH", data, 0x1E)
    ssz, msz = 1 << sector_shift, 1 << mini_shift
    (n_fat, first_dir, _, mini_cutoff, first_minifat, n_minifat, first_difat, n_difat) = struct.unpack_from(
        "<IIIIIIII", data, 0x2C
    )

    def sector(i: int) -> bytes:
        off = (i + 1) * ssz
        return data[off : off + ssz]

    difat = list(struct.unpack_from("<109I", data, 0x4C))
    nxt = first_difat
    for _ in range(n_difat):
        if nxt in (_FREESECT, _ENDOFCHAIN):
            break
        vals = struct.unpack(f"<{ssz // 4}I", sector(nxt))
        difat.extend(vals[:-1])
        nxt = vals[-1]
    fat: list[int] = []
    for s in difat[:n_fat]:
        fat.extend(struct.unpack(f"<{ssz // 4}I", sector(s)))

    def chain(start: int, table: list[int]) -> list[int]:
        out, seen = [], set()
        while start not in (_FREESECT, _ENDOFCHAIN):
            if start in seen or start >= len(table):
                raise VbaReadError("corrupt sector chain")
            seen.add(start)
            out.append(start)
            start = table[start]
        return out

    def read_big(start: int) -> bytes:
        return b"".join(sector(s) for s in chain(start, fat))

    dir_bytes = read_big(first_dir)
    entries = []
    for off in range(0, len(dir_bytes) - 127, 128):
        e = dir_bytes[off : off + 128]
        name_len = struct.unpack_from("<H", e, 64)[0]
        name = e[: max(name_len - 2, 0)].decode("utf-16-le", "replace")
        etype = e[66]
        left, right, child = struct.unpack_from("<III", e, 68)
        start, size = struct.unpack_from("<IQ", e, 116)
        if ssz == 512:
            size &= 0xFFFFFFFF
        entries.append((name, etype, left, right, child, start, size))
    if not entries:
        raise VbaReadError("no directory entries")
    root = entries[0]
    ministream = read_big(root[5]) if root[5] not in (_FREESECT, _ENDOFCHAIN) else b""
    minifat: list[int] = []
    if n_minifat:
        raw = read_big(first_minifat)
        minifat = list(struct.unpack(f"<{len(raw) // 4}I", raw))

    def read_stream(start: int, size: int) -> bytes:
        if size < mini_cutoff:
            return b"".join(ministream[s * msz : (s + 1) * msz] for s in chain(start, minifat))[:size]
        return read_big(start)[:size]

    streams: dict[str, bytes] = {}

    def walk(idx: int, prefix: str, depth: int = 0) -> None:
        # Directory entries form a red-black tree per storage; visit it iteratively.
        stack = [idx]
        while stack:
            i = stack.pop()
            if i == _FREESECT or i >= len(entries) or depth > 64:
                continue
            name, etype, left, right, child, start, size = entries[i]
            stack.extend((left, right))
            path = f"{prefix}{name}"
            if etype == 2:
                streams[path] = read_stream(start, size)
            elif etype == 1:
                walk(child, path + "/", depth + 1)

    walk(root[4], "")
    return streams


def _cfb_key(name: str) -> tuple[int, str]:
    """Sibling order of MS-CFB 2.6.4: shorter names first, then upper-case comparison."""
    return (len(name), name.upper())


@dataclass
class _Entry:
    name: str
    etype: int  # 1 storage, 2 stream, 5 root
    data: bytes = b""
    children: list["_Entry"] = field(default_factory=list)
    left: int = _NOSTREAM
    right: int = _NOSTREAM
    child: int = _NOSTREAM
    color: int = 1  # black
    start: int = _ENDOFCHAIN
    index: int = 0


def _tree(nodes: list[_Entry], depth: int, max_depth: int) -> int:
    """Link ``nodes`` (sorted) into a balanced binary tree; return the root's index.

    A tree built by splitting at the middle has all its empty links at depths
    ``max_depth`` and ``max_depth + 1``; colouring exactly the nodes at ``max_depth``
    red (they are leaves) gives every path the same number of black nodes and no red
    node a red child: a valid red-black tree.
    """
    if not nodes:
        return _NOSTREAM
    mid = len(nodes) // 2
    node = nodes[mid]
    node.color = 0 if depth == max_depth and max_depth > 0 else 1
    node.left = _tree(nodes[:mid], depth + 1, max_depth)
    node.right = _tree(nodes[mid + 1 :], depth + 1, max_depth)
    return node.index


def _depth(n: int) -> int:
    """Deepest level (root 0) of the middle-split tree of ``n`` nodes."""
    return max(n.bit_length() - 1, 0)


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """An MS-CFB version 3 compound file holding ``streams`` (``/``-separated paths).

    Storages are created from the paths.  CLSIDs, state bits and timestamps are zero, as
    in the ``vbaProject.bin`` Excel writes.  Deterministic: equal input, equal bytes.

    >>> blob = write_cfb({"PROJECT": b"Name=x", "VBA/dir": b"d" * 5000})
    >>> read_cfb(blob) == {"PROJECT": b"Name=x", "VBA/dir": b"d" * 5000}
    True
    """
    root = _Entry("Root Entry", 5)
    for path in sorted(streams):
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            sub = next((c for c in node.children if c.name == part and c.etype == 1), None)
            if sub is None:
                sub = _Entry(part, 1)
                node.children.append(sub)
            node = sub
        node.children.append(_Entry(parts[-1], 2, streams[path]))

    entries: list[_Entry] = []

    def number(e: _Entry) -> None:
        e.index = len(entries)
        entries.append(e)
        for c in sorted(e.children, key=lambda c: _cfb_key(c.name)):
            number(c)

    number(root)
    for e in entries:
        kids = sorted(e.children, key=lambda c: _cfb_key(c.name))
        if len(kids) != len({_cfb_key(c.name) for c in kids}):
            raise ValueError(f"duplicate names under {e.name!r}")
        e.child = _tree(kids, 0, _depth(len(kids)))

    # Mini stream: streams under the cutoff, 64-byte mini sectors.
    ministream, minifat = bytearray(), []
    big: list[_Entry] = []
    for e in entries:
        if e.etype != 2:
            continue
        if len(e.data) < _CUTOFF:
            if not e.data:
                e.start = _ENDOFCHAIN
                continue
            n = -(-len(e.data) // _MINI)
            e.start = len(minifat)
            minifat.extend(range(e.start + 1, e.start + n))
            minifat.append(_ENDOFCHAIN)
            ministream += e.data.ljust(n * _MINI, b"\0")
        else:
            big.append(e)

    def sectors(nbytes: int) -> int:
        return -(-nbytes // _SECTOR)

    dir_bytes_len = len(entries) * 128
    n_dir = sectors(dir_bytes_len)
    n_minifat = sectors(len(minifat) * 4)
    n_mini = sectors(len(ministream))
    n_big = [sectors(len(e.data)) for e in big]
    payload = n_dir + n_minifat + n_mini + sum(n_big)
    n_fat = 1
    while n_fat * (_SECTOR // 4) < payload + n_fat:
        n_fat += 1
    if n_fat > 109:
        raise ValueError("compound file too large for this writer (no DIFAT sectors)")

    fat: list[int] = [_FATSECT] * n_fat
    next_sector = n_fat

    def allocate(count: int) -> int:
        nonlocal next_sector
        if count == 0:
            return _ENDOFCHAIN
        first = next_sector
        fat.extend(range(first + 1, first + count))
        fat.append(_ENDOFCHAIN)
        next_sector += count
        return first

    first_dir = allocate(n_dir)
    first_minifat = allocate(n_minifat)
    root.start = allocate(n_mini)
    for e, n in zip(big, n_big):
        e.start = allocate(n)
    fat.extend([_FREESECT] * (n_fat * (_SECTOR // 4) - len(fat)))

    def dir_entry(e: _Entry) -> bytes:
        name = e.name.encode("utf-16-le") + b"\0\0"
        if len(name) > 64:
            raise ValueError(f"name too long: {e.name!r}")
        size = len(ministream) if e.etype == 5 else len(e.data)
        if e.etype == 1:
            size, e.start = 0, 0
        return (
            name.ljust(64, b"\0")
            + struct.pack("<HBB", len(name), e.etype, e.color)
            + struct.pack("<III", e.left, e.right, e.child)
            + b"\0" * 16  # CLSID
            + b"\0" * 4  # state bits
            + b"\0" * 16  # creation and modification time
            + struct.pack("<IQ", e.start, size)
        )

    directory = b"".join(dir_entry(e) for e in entries)
    # Unused directory slots: empty entries with no siblings.
    while len(directory) % _SECTOR:
        directory += b"\0" * 64 + struct.pack("<HBB", 0, 0, 0) + struct.pack("<III", _NOSTREAM, _NOSTREAM, _NOSTREAM) + b"\0" * 48

    difat = [*range(n_fat)] + [_FREESECT] * (109 - n_fat)
    header = (
        _MAGIC
        + b"\0" * 16
        + struct.pack("<HHHHH", 0x003E, 3, 0xFFFE, 9, 6)
        + b"\0" * 6
        + struct.pack("<IIIIIIIII", 0, n_fat, first_dir, 0, _CUTOFF,
                      first_minifat if n_minifat else _ENDOFCHAIN, n_minifat, _ENDOFCHAIN, 0)
        + struct.pack("<109I", *difat)
    )
    assert len(header) == _SECTOR
    body = bytearray(header)
    body += struct.pack(f"<{len(fat)}I", *fat)
    body += directory
    body += struct.pack(f"<{len(minifat)}I", *minifat).ljust(n_minifat * _SECTOR, b"\xff")
    body += bytes(ministream).ljust(n_mini * _SECTOR, b"\0")
    for e, n in zip(big, n_big):
        body += e.data.ljust(n * _SECTOR, b"\0")
    return bytes(body)


# --------------------------------------------------------------------------------------
# MS-OVBA: dir stream records and the project
# --------------------------------------------------------------------------------------


def parse_dir(dir_stream: bytes) -> list[tuple[int, bytes]]:
    """The records (id, body) of a decompressed ``dir`` stream (MS-OVBA 2.3.4.2).

    Every record is ``Id (2 bytes), Size (4 bytes), Size bytes``, except PROJECTVERSION
    (0x0009), whose Size field says 4 but which holds 6 bytes.
    """
    records, pos = [], 0
    while pos + 6 <= len(dir_stream):
        rid, size = struct.unpack_from("<HI", dir_stream, pos)
        if rid == 0x0009:
            size = 6
        records.append((rid, dir_stream[pos + 6 : pos + 6 + size]))
        pos += 6 + size
    if pos != len(dir_stream):
        raise VbaReadError("dir stream does not end on a record boundary")
    return records


def serialize_dir(records: list[tuple[int, bytes]]) -> bytes:
    """Inverse of :func:`parse_dir`."""
    out = bytearray()
    for rid, body in records:
        size = 4 if rid == 0x0009 else len(body)
        out += struct.pack("<HI", rid, size) + body
    return bytes(out)


_MODULE_START, _MODULE_END = 0x0019, 0x002B
_PROCEDURAL, _DOCUMENT = 0x0021, 0x0022


@dataclass
class Module:
    """One module: its name, source text (``\\r\\n`` line ends) and kind."""

    name: str
    source: str
    procedural: bool = True
    records: list[tuple[int, bytes]] = field(default_factory=list)


class VbaProject:
    """A VBA project read from, and written back to, a ``vbaProject.bin``.

    >>> p = VbaProject.from_bytes(write_vba_project_for_doctest())
    >>> [m.name for m in p.modules], p.name
    (['Module1'], 'Demo')
    """

    def __init__(self, streams: dict[str, bytes]):
        self.streams = dict(streams)
        prefix = next((p[: -len("dir")] for p in streams if p.endswith("VBA/dir")), None)
        if prefix is None:
            raise VbaReadError("no VBA/dir stream")
        self.prefix = prefix
        records = parse_dir(decompress(streams[prefix + "dir"]))
        first = next(i for i, (rid, _) in enumerate(records) if rid == _MODULE_START)
        self.head = records[:first]
        self.codepage = next(struct.unpack("<H", b)[0] for rid, b in self.head if rid == 0x0003)
        self.modules: list[Module] = []
        current: list[tuple[int, bytes]] = []
        for rid, body in records[first:]:
            if rid == 0x0010:  # dir terminator
                break
            current.append((rid, body))
            if rid == _MODULE_END:
                self.modules.append(self._module(current))
                current = []

    def _module(self, records: list[tuple[int, bytes]]) -> Module:
        enc = self.encoding
        get = dict(records)
        stream = get[0x001A].decode(enc)
        offset = struct.unpack("<I", get[0x0031])[0]
        source = decompress(self.streams[self.prefix + stream][offset:]).decode(enc)
        return Module(get[0x0019].decode(enc), source, _PROCEDURAL in get, records)

    @property
    def encoding(self) -> str:
        return f"cp{self.codepage}"

    @classmethod
    def from_bytes(cls, data: bytes) -> "VbaProject":
        return cls(read_cfb(data))

    @property
    def name(self) -> str:
        return next(b for rid, b in self.head if rid == 0x0004).decode(self.encoding)

    def module(self, name: str) -> Module:
        return next(m for m in self.modules if m.name == name)

    def rename(self, new_name: str) -> None:
        """Set the project's name (``dir`` PROJECTNAME and ``PROJECT`` ``Name=``)."""
        old = self.name
        self.head = [(rid, new_name.encode(self.encoding) if rid == 0x0004 else b) for rid, b in self.head]
        text = self.streams["PROJECT"].decode(self.encoding)
        if f'Name="{old}"' not in text:
            raise ValueError(f"PROJECT stream has no Name=\"{old}\"")
        self.streams["PROJECT"] = text.replace(f'Name="{old}"', f'Name="{new_name}"', 1).encode(self.encoding)

    def add_module(self, name: str, source: str) -> None:
        """Add a standard (procedural) module; ``source`` starts with its VB_Name line."""
        if any(m.name.lower() == name.lower() for m in self.modules):
            raise ValueError(f"module {name!r} exists")
        if not source.startswith(f'Attribute VB_Name = "{name}"'):
            raise ValueError(f"module source must start with Attribute VB_Name = \"{name}\"")
        enc = self.encoding
        uni = name.encode("utf-16-le")
        records = [
            (0x0019, name.encode(enc)), (0x0047, uni),
            (0x001A, name.encode(enc)), (0x0032, uni),
            (0x001C, b""), (0x0048, b""),
            (0x0031, struct.pack("<I", 0)),
            (0x001E, struct.pack("<I", 0)),
            (0x002C, struct.pack("<H", 0xFFFF)),
            (_PROCEDURAL, b""),
            (_MODULE_END, b""),
        ]
        self.modules.append(Module(name, source, True, records))
        text = self.streams["PROJECT"].decode(enc)
        lines = text.split("\r\n")
        keys = ("ID", "Document", "Module", "Class", "BaseClass", "Package")
        last = max(i for i, line in enumerate(lines) if line.split("=", 1)[0] in keys)
        lines.insert(last + 1, f"Module={name}")
        if "[Workspace]" in lines:
            ws = lines.index("[Workspace]")
            end = next((i for i in range(ws + 1, len(lines)) if not lines[i]), len(lines))
            lines.insert(end, f"{name}=0, 0, 0, 0, C")
        self.streams["PROJECT"] = "\r\n".join(lines).encode(enc)
        if "PROJECTwm" in self.streams:
            wm = self.streams["PROJECTwm"]
            if not wm.endswith(b"\0\0"):
                raise VbaReadError("PROJECTwm does not end with its terminator")
            self.streams["PROJECTwm"] = wm[:-2] + name.encode(enc) + b"\0" + uni + b"\0\0" + b"\0\0"

    def to_streams(self) -> dict[str, bytes]:
        """The project's streams, every module written as compressed source only."""
        out = {k: v for k, v in self.streams.items() if not k.startswith(self.prefix)}
        keep = {self.prefix + "_VBA_PROJECT", self.prefix + "dir"} | {self.prefix + m.name for m in self.modules}
        for k, v in self.streams.items():
            if k.startswith(self.prefix) and k not in keep and "/" not in k[len(self.prefix):]:
                raise ValueError(f"stream {k!r} is not a module of the project")
        # MS-OVBA 2.3.4.1: Reserved1 0x61CC, Version 0xFFFF, Reserved2 0x00, Reserved3 (ignored).
        out[self.prefix + "_VBA_PROJECT"] = bytes.fromhex("CC61FFFF000000")
        records = []
        for rid, body in self.head:
            if rid == 0x000F:  # PROJECTMODULES
                body = struct.pack("<H", len(self.modules))
            elif rid == 0x0013:  # PROJECTCOOKIE: 0xFFFF on write
                body = struct.pack("<H", 0xFFFF)
            records.append((rid, body))
        for m in self.modules:
            for rid, body in m.records:
                if rid == 0x0031:  # MODULEOFFSET: the source starts the stream
                    body = struct.pack("<I", 0)
                elif rid == 0x002C:  # MODULECOOKIE: 0xFFFF on write
                    body = struct.pack("<H", 0xFFFF)
                records.append((rid, body))
            stream = dict(m.records)[0x001A].decode(self.encoding)
            out[self.prefix + stream] = compress(m.source.encode(self.encoding))
        records.append((0x0010, b""))
        out[self.prefix + "dir"] = compress(serialize_dir(records))
        return out

    def to_bytes(self) -> bytes:
        return write_cfb(self.to_streams())


def write_vba_project_for_doctest() -> bytes:
    """A one-module project built from scratch (for the doctest of :class:`VbaProject`)."""
    head = [
        (0x0001, struct.pack("<I", 1)), (0x0002, struct.pack("<I", 0x409)), (0x0014, struct.pack("<I", 0x409)),
        (0x0003, struct.pack("<H", 1252)), (0x0004, b"Demo"), (0x0005, b""), (0x0040, b""),
        (0x0006, struct.pack("<I", 0)), (0x0007, struct.pack("<I", 0)), (0x0008, struct.pack("<I", 0)),
        (0x0009, struct.pack("<IH", 1, 0)),  # PROJECTVERSION: major, minor
        (0x000C, b""), (0x003C, b""),
        (0x000F, struct.pack("<H", 0)), (0x0013, struct.pack("<H", 0xFFFF)),
    ]
    streams = {
        "PROJECT": b'ID="{00000000-0000-0000-0000-000000000000}"\r\nName="Demo"\r\n',
        "PROJECTwm": b"\0\0",
        "VBA/dir": compress(serialize_dir(head + [(0x0010, b"")])),
        "VBA/_VBA_PROJECT": bytes.fromhex("CC61FFFF000000"),
    }
    p = VbaProject.__new__(VbaProject)
    p.streams, p.prefix, p.head, p.codepage, p.modules = streams, "VBA/", head, 1252, []
    p.add_module("Module1", 'Attribute VB_Name = "Module1"\r\nSub Hello()\r\nEnd Sub\r\n')
    return p.to_bytes()
