"""Deterministic mutants of CPython-written ShareableList images: bit
flips, header word changes, truncations, format swaps and code changes.
Each mutant keeps the generation of the image it came from."""
import random
import struct

import classify

INTERESTING_WORDS = [0, 1, 7, 8, 9, 15, 16, -1, -8, 2**31, 2**32, 2**62, 2**63 - 1,
                     -2**63, 10**7, 10**9]
FORMATS = [b"q", b"d", b"xxxxxxx?", b"xxxxxx?x", b"8s", b"16s", b"0s", b"08s", b"7s",
           b"9s", b"24s", b"9999992s", b"10000000", b"<q", b"=d", b"Q", b"2q", b"s",
           b"x", b"", b"?", b"c", b"e", b"i", b"q ", b" q", b"qq", b"8p", b"\xff",
           b"\xc3\xa9", b"8s\x00x",
           # struct skips whitespace between items; the reference refuses it
           b"8s\n", b"24s\n", b"\t8s", b"8 s", b"q\n", b"\nd"]


def item_fields(img, gen):
    """(n, formats_at, codes_at) of an image with a valid header (classify's
    rules) and at least one item, else None."""
    broken, layout = classify.header_class(img, gen)
    if broken or not layout[2]:
        return None
    n, formats_at = len(layout[2]), layout[3]
    return n, formats_at, formats_at + 8 * n


def put_word(img, at, value):
    img[at:at + 8] = struct.pack("=q", value)


def bit_flips(rng, img, gen):
    out = bytearray(img)
    for _ in range(rng.randint(1, 3)):
        bit = rng.randrange(len(out) * 8)
        out[bit // 8] ^= 1 << (bit % 8)
    return out


def header_word(rng, img, gen):
    out = bytearray(img)
    if len(out) < 8:
        return out
    info = item_fields(img, gen)
    n = info[0] if info else 0
    at = min(8 * rng.randint(0, n + (1 if gen == "py39" else 0)), len(out) - 8)
    old = struct.unpack_from("=q", out, at)[0]
    choice = rng.random()
    if choice < 0.4:
        put_word(out, at, rng.choice(INTERESTING_WORDS))
    elif choice < 0.8:
        put_word(out, at, old + rng.choice([-9, -8, -1, 1, 8, 9, 16]))
    else:
        other = 8 * rng.randint(0, max(n, 0))
        other = min(other, len(out) - 8)
        out[at:at + 8], out[other:other + 8] = out[other:other + 8], out[at:at + 8]
    return out


def truncation(rng, img, gen):
    cut = rng.choice([len(img) - 1, len(img) - 8, len(img) - 9, rng.randrange(1, len(img) + 1)])
    return bytearray(img[:max(cut, 1)])


def extension(rng, img, gen):
    return bytearray(img) + bytes(rng.choice([1, 7, 8, 16]))


def format_change(rng, img, gen):
    info = item_fields(img, gen)
    if not info:
        return bit_flips(rng, img, gen)
    n, formats_at, _ = info
    out = bytearray(img)
    i = rng.randrange(n)
    at = formats_at + 8 * i
    if rng.random() < 0.3 and n > 1:
        j = rng.randrange(n)
        other = formats_at + 8 * j
        out[at:at + 8], out[other:other + 8] = out[other:other + 8], out[at:at + 8]
    else:
        fmt = rng.choice(FORMATS)[:8]
        out[at:at + 8] = fmt + bytes(8 - len(fmt))
    return out


def code_change(rng, img, gen):
    info = item_fields(img, gen)
    if not info:
        return bit_flips(rng, img, gen)
    n, _, codes_at = info
    out = bytearray(img)
    out[codes_at + rng.randrange(n)] = rng.choice([0, 1, 2, 3, 4, 0x7F, 0x80, 0xFF])
    return out


KINDS = {
    "bitflip": bit_flips,
    "header": header_word,
    "truncate": truncation,
    "extend": extension,
    "format": format_change,
    "code": code_change,
}


def mutants(img, gen, per_kind, seed):
    """Yields (kind, bytes) for per_kind mutants of each kind."""
    rng = random.Random(seed)
    for kind, fn in KINDS.items():
        for _ in range(per_kind):
            yield kind, bytes(fn(rng, img, gen))
