"""listops.py's operations on one interpreter, with the ShareableList of the
stdlib or of the pyshm extension module, into a JSON file per run.

usage: pyshm_listops.py --impl {stdlib,pyshm} [listops.py options]

The pyshm module must be importable (PYTHONPATH=build/python/<X.Y>).
Everything else -- the items, the loops, the timing -- is listops.py's, so
the two columns differ in the implementation alone.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import listops  # noqa: E402


def main():
    impl = "stdlib"
    if "--impl" in sys.argv:
        at = sys.argv.index("--impl")
        impl = sys.argv[at + 1]
        del sys.argv[at:at + 2]
    if impl == "pyshm":
        import pyshm
        listops.ShareableList = pyshm.ShareableList
    elif impl != "stdlib":
        sys.exit("--impl must be stdlib or pyshm")
    listops.main()
    out = sys.argv[sys.argv.index("--out") + 1] if "--out" in sys.argv else None
    if out:
        with open(out) as f:
            doc = json.load(f)
        doc["impl"] = impl
        doc["python"] = "%d.%d.%d" % sys.version_info[:3]  # not the path: results are shared
        with open(out, "w") as f:
            json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main()
