"""Runs the registered cases for one implementation against one peer."""
import time
import traceback

from . import core
from .proc import Adapter, AdapterDied
from .report import Result


def load_cases():
    if core.CASES:
        return core.CASES
    from . import cases_cross, cases_defects, cases_errors, cases_layout, cases_lifecycle, cases_tracker
    for m in (cases_layout, cases_cross, cases_lifecycle, cases_errors, cases_defects, cases_tracker):
        m.register()
    return core.CASES


def peer_label(version):
    return "cpython-%s" % ".".join(map(str, version))


def run_pair(impl_argv, impl_label, peer_argv, version, reporter, groups=None, only=None,
             results=None):
    """Every case, in order, with one long-lived adapter process per side."""
    gen = "py38" if version < (3, 9) else "py39"
    peer_name = peer_label(version)
    impl = Adapter(impl_argv, "impl")
    peer = Adapter(peer_argv, "peer " + peer_name)
    out = results if results is not None else []

    def emit(group, name, status, detail="", secs=0.0):
        r = Result(impl_label, peer_name, group, name, status, detail, secs)
        out.append(r)
        if reporter:
            reporter.add(r)

    try:
        impl.start()
        peer.start()
    except (AdapterDied, OSError) as e:
        for group, name, _, _ in load_cases():
            if (not groups or group in groups) and (not only or only(group, name)):
                emit(group, name, "fail", "adapter did not start: %s" % e)
        impl.stop()
        peer.stop()
        return out
    for group, name, fn, _opts in load_cases():
        if groups and group not in groups:
            continue
        if only and not only(group, name):
            continue
        ctx = core.Ctx(impl, peer, gen, version, peer_argv)
        t0 = time.time()
        try:
            fn(ctx)
            status, detail = "pass", ""
        except core.Skip as e:
            status, detail = "skip", str(e)
        except core.Fail as e:
            status, detail = "fail", str(e)
        except AdapterDied as e:
            status, detail = "fail", "adapter died: %s" % e
        except Exception:
            status, detail = "fail", "harness error:\n" + traceback.format_exc()
        if status == "fail" and ctx.log:
            detail += "\nlast exchanges:\n" + "\n".join(ctx.log[-6:])
        for ad in (impl, peer):
            try:
                if ad.alive():
                    ad.call("reset")
                else:
                    ad.restart()
            except (AdapterDied, OSError) as e:
                try:
                    ad.restart()
                except (AdapterDied, OSError):
                    detail += "\ncould not restart %s: %s" % (ad.label, e)
        ctx.cleanup()
        emit(group, name, status, detail, time.time() - t0)
    impl.stop()
    peer.stop()
    return out
