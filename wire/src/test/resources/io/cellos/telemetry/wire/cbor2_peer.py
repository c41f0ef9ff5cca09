"""An independent CBOR peer for the wire tests, built on cbor2 (Debian: python3-cbor2).

Usage: cbor2_peer.py decode|build. Reads all of stdin first, then answers one line per input line,
so the Java side can write everything, close stdin, then read everything without deadlock.

decode: each input line is a frame in hex. Prints one JSON object per frame:
    {"map": {...}, "reencoded_equal": bool}
  "map" keeps key order; "reencoded_equal" says whether cbor2's own (shortest-form,
  insertion-ordered) encoding of the decoded map is byte-for-byte the body it was given.

build: each input line is a JSON spec {"entries": [[key, value, width], ...], "map_width": w}.
  A width of null lets cbor2 encode the item; 0, 1, 2, 4 or 8 forces that many argument bytes
  (0: inside the initial byte), for integers and for text lengths alike. With no forced width
  anywhere the whole map is one cbor2.dumps(dict). Prints the frame in hex, prefix included.
"""
import io
import json
import struct
import sys

try:
    import cbor2
except ImportError:
    sys.stderr.write("cbor2 is missing for /usr/bin/python3: run `apt-get install python3-cbor2`\n")
    sys.exit(3)

AI_FOR_WIDTH = {1: 24, 2: 25, 4: 26, 8: 27}


def head(major, arg, width):
    if width == 0:
        if arg >= 24:
            raise ValueError(f"{arg} does not fit the initial byte")
        return bytes([major << 5 | arg])
    return bytes([major << 5 | AI_FOR_WIDTH[width]]) + arg.to_bytes(width, "big")


def shortest_head(major, arg):
    for width in (0, 1, 2, 4, 8):
        if (width == 0 and arg < 24) or (width > 0 and arg < 1 << (8 * width)):
            return head(major, arg, width)
    raise ValueError(arg)


def item(value, width):
    if width is None:
        return cbor2.dumps(value)
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise TypeError(value)
    if isinstance(value, int):
        return head(0, value, width)
    utf8 = value.encode("utf-8")
    return head(3, len(utf8), width) + utf8


def build(spec):
    entries = spec["entries"]
    map_width = spec.get("map_width")
    if map_width is None and all(width is None for _, _, width in entries):
        body = cbor2.dumps({key: value for key, value, _ in entries})
    else:
        n = len(entries)
        body = shortest_head(5, n) if map_width is None else head(5, n, map_width)
        for key, value, width in entries:
            body += cbor2.dumps(key) + item(value, width)
    return (struct.pack("<I", len(body)) + body).hex()


def decode(frame_hex):
    frame = bytes.fromhex(frame_hex)
    (length,) = struct.unpack_from("<I", frame)
    if length != len(frame) - 4:
        raise ValueError(f"prefix says {length}, body has {len(frame) - 4} bytes")
    body = frame[4:]
    fp = io.BytesIO(body)
    value = cbor2.CBORDecoder(fp).decode()
    if fp.tell() != length:
        raise ValueError(f"{length - fp.tell()} bytes after the map")
    if not isinstance(value, dict):
        raise TypeError(f"body is {type(value).__name__}, not a map")
    for key, v in value.items():
        if not isinstance(key, str) or isinstance(v, bool) or not isinstance(v, (int, str)):
            raise TypeError(f"{key!r}: {v!r}")
    return json.dumps({"map": value, "reencoded_equal": cbor2.dumps(value) == body})


def main():
    mode = sys.argv[1]
    lines = sys.stdin.read().splitlines()
    handle = {"decode": decode, "build": lambda line: build(json.loads(line))}[mode]
    out = sys.stdout
    for line in lines:
        out.write(handle(line) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
