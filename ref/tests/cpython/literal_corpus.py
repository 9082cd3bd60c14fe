"""A corpus of Python literals, valid and invalid, for checking the tool's
literal parser against ast.literal_eval (test_cpython.py, class Literals).

    python3 literal_corpus.py --oracle < corpus.json > verdicts.json

corpus(seed) builds the corpus (deterministic); run as --oracle, this file
is the verdict of the interpreter running it for each literal:
["value", repr] for what a ShareableList stores, ["range"] for an int
outside int64, ["encode"] for a str with a lone surrogate, ["reject"] for
anything else (an error, or a tuple, complex, ...). Standard library only.
"""
import ast
import json
import random
import struct
import sys
import unicodedata
import warnings

# Literals written by hand: each rule of the grammar, both sides of it.
EDGES = [
    # ints: underscores, leading zeros, bases
    "0", "00", "0_0", "000", "7", "1_000", "1_", "_1", "1__0", "007", "0_7", "09", "0x1f",
    "0X1F", "0x_1f", "0x1_", "0x__1", "0x", "0xg", "0o17", "0O17", "0o8", "0o", "0b101",
    "0B1", "0b12", "0b", "0_x1", "-0x10", "- 0b1", "+7", "-7", "--7", "-(-7)", "+-7",
    "-(7)", "(-7)", "((7))", "( 7 )", "-9223372036854775808", "9223372036854775807",
    "9223372036854775808", "-9223372036854775809", "0x8000000000000000",
    "-0x8000000000000000", "1" * 4300, "1" * 4301, "0" * 5000, "0x" + "f" * 3570,
    "0x" + "f" * 3575, "1_" * 4300 + "1", "1_" * 4299 + "1", "0_" * 5000 + "0", "1if 1 else 2", "1 if 1 else 2", "1a", "1 a", "1j", "1J", "1.5j",
    "1+2j", "1+2", "1-1", "2**70", "~1", "not 1", "1,", "(1,)", "()", "(1)(2)", "1;",
    # floats
    "1.", ".5", "1.5", "1e5", "1E5", "1e+5", "1e-5", "1.e5", "1_0.5", "1._5", "1_.5",
    "1.5_", "1e_5", "1e+_5", "1e5_0", "1e", "1e+", "1.5.3", "09.5", "007.5", "007e1",
    "0e0", "00.0", "1e400", "-1e400", "1e-400", "5e-324", "2.5e-324", "1.7976931348623157e308",
    "1.7976931348623159e308", "0." + "0" * 599 + "1e605", "1" * 700 + ".0", ".e5", "..5",
    "1..", "1.5e", "-.5", "-0.0", "+0.0", "0.0000000001e10",
    # names
    "None", "True", "False", "(None)", "-None", "+True", "-True", "none", "true", "TRUE",
    "inf_", "x", "_", "None None", "True'x'",
    # strings: prefixes
    "'x'", "u'x'", "U'x'", "r'x'", "R'x'", "b'x'", "B'x'", "br'x'", "rb'x'", "Rb'x'",
    "bR'x'", "BR'x'", "rB'x'", "RB'x'", "bb'x'", "ur'x'", "bu'x'", "ub'x'", "rr'x'",
    "f'x'", "rf'x'", "F'x'", "fb'x'", "uu'x'", "b1'x'", "\u00e9'x'",
    # quotes and triple quotes
    "''", '""', "''''''", '""""""', "'''a'b'''", '"""a"b"""', "'''a\nb'''", "'''a''''",
    "'''\\''''", "'''\\'''", "'\\''", "'a\\\\'", '"it\'s"', "'it\"s'", "'a", "a'", "'a\nb'",
    "'a\\\nb'", "r'a\\\nb'", "'''a\rb'''", "'a\rb'", "'a\\\rb'", "'''a\r\nb'''",
    "'''", "'''a", '"""a\'\'\'"""',
    # escapes
    "'\\n\\t\\r\\a\\b\\f\\v\\0'", "'\\x41'", "'\\x4'", "'\\x4g'", "'\\u20ac'", "'\\u20a'",
    "'\\U0001F600'", "'\\U00110000'", "'\\U0010FFFF'", "'\\ud800'", "'\\udfff'",
    "'\\ud83d\\ude00'", "'\\ud83d' '\\ude00'", "'\\777'", "'\\400'", "'\\1234'", "'\\8'",
    "'\\q'", "'\\\u00e9'", "b'\\777'", "b'\\x41'", "b'\\u0041'", "b'\\N{EURO SIGN}'",
    "b'\u00e9'", "br'\u00e9'", "r'\\'", "r'\\''", "r'\\x41'", "'\\N{EURO SIGN}'",
    "'\\N{euro sign}'", "'\\N{Euro Sign}'", "'\\N{EURO SIGN'", "'\\N{}'", "'\\N'", "'\\N{'",
    "'\\N{}}'", "'\\NEURO'", "'\\N{ EURO SIGN}'", "'\\N{EURO  SIGN}'", "'\\N{EURO-SIGN}'",
    "'\\N{LF}'", "'\\N{lf}'", "'\\N{BYTE ORDER MARK}'", "'\\N{NULL}'", "'\\N{LINE FEED}'",
    "'\\N{KEYCAP NUMBER SIGN}'", "'\\N{LATIN CAPITAL LETTER GHA}'",
    "'\\N{HANGUL SYLLABLE GA}'", "'\\N{HANGUL SYLLABLE GAG}'", "'\\N{HANGUL SYLLABLE A}'",
    "'\\N{HANGUL SYLLABLE }'", "'\\N{HANGUL SYLLABLE ga}'", "'\\N{hangul syllable GA}'",
    "'\\N{HANGUL SYLLABLE GGAEGG}'", "'\\N{HANGUL SYLLABLE GX}'", "'\\N{HANGUL SYLLABLE}'",
    "'\\N{CJK UNIFIED IDEOGRAPH-4E00}'", "'\\N{CJK UNIFIED IDEOGRAPH-4e00}'",
    "'\\N{cjk unified ideograph-4E00}'", "'\\N{CJK UNIFIED IDEOGRAPH-04E00}'",
    "'\\N{CJK UNIFIED IDEOGRAPH-4E0}'", "'\\N{CJK UNIFIED IDEOGRAPH-004E00}'",
    "'\\N{CJK UNIFIED IDEOGRAPH-2A6DF}'", "'\\N{CJK UNIFIED IDEOGRAPH-2A6E0}'",
    "'\\N{CJK UNIFIED IDEOGRAPH-3400}'", "'\\N{CJK UNIFIED IDEOGRAPH-9FFF}'",
    "'\\N{CJK COMPATIBILITY IDEOGRAPH-F900}'", "'\\N{cjk compatibility ideograph-f900}'",
    "'\\N{CJK COMPATIBILITY IDEOGRAPH-0F900}'", "'\\N{NUSHU CHARACTER-1B170}'",
    "'\\N{NUSHU CHARACTER-1B16F}'", "'\\N{TANGUT IDEOGRAPH-17000}'",
    "'\\N{TIBETAN LETTER -A}'", "'\\N{TIBETAN MARK TSA -PHRU}'", "u'\\N{EURO SIGN}'",
    "r'\\N{EURO SIGN}'",
    # concatenation, parentheses, whitespace, comments, lines
    "'a' 'b'", "'a''b'", "'a' u'b'", "'a' b'b'", "b'a' b'b'", "b'a' 'b'", "'a'\n'b'",
    "('a'\n'b')", "('a') 'b'", "(('a') 'b')", "'a' r'\\n' '''c'''", "'a'b'c'", "'a'u'c'",
    "'a' f'b'", "-'a'", "('a',)", "('a' 'b',)", " 1", "  1", "\t1", " \t1", "1 ", "1\t",
    "1\n", "1\n\n", "\n1", "\n\n1", "\n 1", " \n1", "\t\n1", "\n\t1", "\f1", "1\f", "\f 1",
    " \f1", "\n\f1", "\v1", "1\v", "#c\n1", "1#c", "1 # c", "1 #c\n", "# c", "", " ",
    "\n", "\\\n1", "1\\\n", "1 \\\n", "1 \\\n ", "1\\\n\n", "\\\n 1", "(\n1\n)",
    "(1\n#c\n)", "-\n1", "(-\n1)", "(1\\\n)", "'a'\\\n'b'", "1\r", "1\r\n", "\r1",
    "(1", "1)", "((1)", "[1]", "{1}", "{}", "{'a': 1}", "set()", "\u00a01", "1\u00a0",
    "\ufeff1", "1 #\u00e9", "1\n ", "1\n\t", "1\n \n", "1\n #c", "1\n\n ", "(1)\n ",
    "1\n\f", "1\n \\\n", "1\n\f ", "'\u00e9'", "'\U0001F600'", "'\x7f'", "'\x1b[31m'",
]


def oracle(text):
    """This interpreter's verdict on one literal."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            v = ast.literal_eval(text)
    except Exception:
        return ["reject"]
    if v is None or type(v) in (bool, float, bytes):
        return ["value", repr(v)]
    if type(v) is int:
        return ["value", repr(v)] if -2 ** 63 <= v < 2 ** 63 else ["range"]
    if type(v) is str:
        try:
            v.encode("utf-8")
        except UnicodeEncodeError:
            return ["encode"]
        return ["value", repr(v)]
    return ["reject"]


def with_underscores(rnd, digits):
    out = digits[0]
    for d in digits[1:]:
        out += ("_" if rnd.random() < 0.2 else "") + d
    return out


def numbers(rnd, n):
    out = []
    for _ in range(n):
        k = rnd.randrange(7)
        if k == 0:  # random pieces: mostly invalid
            out.append("".join(rnd.choice("0123456789_.eE+-xXoObBjJ a(")
                               for _ in range(rnd.randint(1, 10))))
        elif k == 1:
            v = rnd.choice([rnd.randrange(10 ** rnd.randint(1, 25)), rnd.getrandbits(64),
                            rnd.getrandbits(63)])
            fmt = rnd.choice(["%d", "%x", "%o", "{:b}"])
            body = fmt.format(v) if "{" in fmt else fmt % v
            prefix = {"%d": "", "%x": "0x", "%o": "0o", "{:b}": "0b"}[fmt]
            if prefix and rnd.random() < 0.3:
                prefix = prefix[0] + prefix[1].upper()
            lead = "_" if prefix and rnd.random() < 0.2 else ""
            out.append(rnd.choice(["", "-", "+", "- "]) + prefix + lead +
                       with_underscores(rnd, body))
        elif k == 2:
            f = struct.unpack("<d", struct.pack("<Q", rnd.getrandbits(64)))[0]
            if f != f or f in (float("inf"), float("-inf")):
                continue
            out.append(repr(f))
        elif k == 3:
            mant = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 30)))
            cut = rnd.randint(0, len(mant))
            text = with_underscores(rnd, mant[:cut] or "0") + "." + (
                with_underscores(rnd, mant[cut:]) if mant[cut:] else "")
            if rnd.random() < 0.5:
                text += rnd.choice("eE") + rnd.choice(["", "+", "-"]) + str(rnd.randint(0, 400))
            out.append(text)
        elif k == 4:  # leading zeros
            out.append("0" * rnd.randint(1, 3) + rnd.choice(["", "0", "7", "_0", ".5", "e1",
                                                              "_7", "x1"]))
        elif k == 5:  # long mantissas
            digits = rnd.randint(100, 800)
            out.append("0." + "0" * (digits - 1) + "1e" + str(digits + rnd.randint(-5, 5)))
        else:
            out.append(str(rnd.getrandbits(rnd.randint(60, 70)) * rnd.choice([1, -1])))
    return out


PIECES = ["a", "Z", " ", "'", '"', "\\", "\\\\", "\\n", "\\t", "\\x41", "\\x4", "\\u20ac",
          "\\u20a", "\\U0001F600", "\\U00110000", "\\ud800", "\\777", "\\8", "\\q", "\\0",
          "\\'", '\\"', "\\\n", "\n", "\r", "\u00e9", "\u20ac", "\U0001F600", "\x1b", "#",
          "\\N{EURO SIGN}", "\\N{euro sign}", "\\N{NO SUCH NAME}", "\\N{", "\\N{}", "{}"]
PREFIXES = ["", "", "", "r", "u", "b", "br", "rb", "R", "U", "B", "Rb", "bR", "BR", "f", "ur",
            "bb", "rf", "bu", "x"]


def strings(rnd, n):
    out = []
    for _ in range(n):
        q = rnd.choice(["'", '"', "'''", '"""'])
        body = "".join(rnd.choice(PIECES) for _ in range(rnd.randint(0, 6)))
        close = q if rnd.random() < 0.9 else rnd.choice(["", q[0], "'" if q[0] == '"' else '"'])
        text = rnd.choice(PREFIXES) + q + body + close
        if rnd.random() < 0.2:
            text += rnd.choice([" ", "", "\n", " \\\n "]) + rnd.choice(PREFIXES) + "'x'"
        out.append(text)
    return out


def names(rnd, n):
    """\\N{} with real names (in random case), aliases-like forms and near misses."""
    out = []
    while len(out) < n:
        cp = rnd.randrange(0x110000)
        name = unicodedata.name(chr(cp), None)
        if name is None:
            continue
        k = rnd.randrange(5)
        if k == 1:
            name = name.lower()
        elif k == 2:
            name = "".join(c.lower() if rnd.random() < 0.5 else c for c in name)
        elif k == 3:
            i = rnd.randrange(len(name))
            name = name[:i] + rnd.choice(["", "X", " ", "-", "0"]) + name[i + 1:]
        out.append("'\\N{%s}'" % name)
    return out


def wrapped(rnd, texts):
    """The same literals in parentheses, with signs, spaces and comments."""
    out = []
    for t in texts:
        k = rnd.randrange(6)
        if k == 0:
            t = "(" + t + ")"
        elif k == 1:
            t = rnd.choice(["-", "+", "- ", "-("]) + t + (")" if rnd.random() < 0.3 else "")
        elif k == 2:
            t = rnd.choice([" ", "\t", "\n", "\f", "#c\n"]) + t + rnd.choice(["", " ", "\n",
                                                                               " # c", "\\\n"])
        elif k == 3:
            t = "( " + t + "\n)"
        out.append(t)
    return out


def mutated(rnd, texts, n):
    out = []
    alphabet = "0_1.eExob'\"\\ rRbBuUN{}()-+#\n9aj"
    for _ in range(n):
        t = rnd.choice(texts)
        i = rnd.randint(0, len(t))
        op = rnd.randrange(3)
        c = rnd.choice(alphabet)
        if op == 0:
            t = t[:i] + c + t[i:]
        elif op == 1:
            t = t[:i] + t[i + 1:]
        else:
            t = t[:i] + c + t[i + 1:]
        out.append(t)
    return out


def corpus(seed=20261130):
    rnd = random.Random(seed)
    base = EDGES + numbers(rnd, 2500) + strings(rnd, 2500) + names(rnd, 1200)
    base += wrapped(rnd, rnd.sample(base, 1500))
    base += mutated(rnd, base, 2500)
    seen, out = set(), []
    for t in base:
        # The command line cannot carry a NUL byte.
        if "\0" not in t and t not in seen:
            seen.add(t)
            out.append(t)
    return out


if __name__ == "__main__" and sys.argv[1:] == ["--oracle"]:
    json.dump([oracle(t) for t in json.load(sys.stdin)], sys.stdout)
