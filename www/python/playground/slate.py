"""A clean slate per run: what a program changes in the interpreter's modules is put back when it
ends, so that the next run starts as a fresh `python3` would.

The page keeps one CPython warm between runs (loading it anew costs seconds). A program that
patches `time.perf_counter`, rebinds `json.dumps`, sets `math.answer`, replaces a method of a
standard library class, calls `sys.setswitchinterval`, or imports a module it then changes would
otherwise leave that behind for every later run. `take()` notes, before a run, every loaded
module's globals and the attributes of the classes it defines (shallow: the same objects, not
copies of them); `restore()`, after it, puts back every binding that changed, removes what was
added, and forgets the modules the run imported, so that the next run imports them afresh.

What is not put back: the contents of an object a module holds (an element appended to a list of
a module: rare in the standard library, and `sys.path`, `sys.argv` and `warnings.filters` are
put back by value), the state of a random generator (a fresh process would seed its own), files
the program wrote (they stay on disk under `python3` too), and the page's harness (`playground`),
whose state between runs is its own business. Extension modules a run imported stay loaded
(some cannot be loaded twice in one process); their globals are put back like any other's once
they were loaded before a run.
"""

import os
import sys
import warnings

#: Modules whose globals are the harness's own: they keep their state between runs.
OWN = ("playground",)
#: Type flag of a class whose attributes cannot be set (a class written in C, mostly).
_IMMUTABLE = 1 << 8


def _own(name):
    return name == "__main__" or name == "__mp_main__" or any(name == p or name.startswith(p + ".") for p in OWN)


def _classes(module):
    """The classes `module` defines whose attributes a program could change."""
    name = getattr(module, "__name__", None)
    for value in list(vars(module).values()):
        if (
            isinstance(value, type)
            and getattr(value, "__module__", None) == name
            and not (type.__getattribute__(value, "__flags__") & _IMMUTABLE)
        ):
            yield value


class Slate:
    """What the interpreter held before a run (see the module's text)."""

    def __init__(self):
        self.modules = dict(sys.modules)
        self.globals = {}
        self.classes = {}
        for name, module in self.modules.items():
            if _own(name) or module is None:
                continue
            try:
                self.globals[name] = dict(vars(module))
            except TypeError:  # not a module with a __dict__ (a stand-in some library installs)
                continue
            for cls in _classes(module):
                self.classes[cls] = dict(vars(cls))
        self.values = {
            "sys.path": list(sys.path),
            "sys.argv": list(sys.argv),
            "warnings.filters": list(warnings.filters),
            "environ": dict(os.environ),
        }
        self.cwd = os.getcwd()
        self.switch_interval = sys.getswitchinterval()
        self.recursion_limit = sys.getrecursionlimit()
        self.trace = sys.gettrace()
        self.profile = sys.getprofile()


def take():
    """What to put back after the run that starts now."""
    return Slate()


def restore(slate):
    """Puts back what the run changed; returns how many bindings it put back (for the tests)."""
    put_back = 0
    for name in [n for n in sys.modules if n not in slate.modules]:
        module = sys.modules[name]
        spec = getattr(module, "__spec__", None)
        origin = getattr(spec, "origin", None) or ""
        if _own(name) or origin.endswith((".so", ".pyd")):
            continue
        del sys.modules[name]
        put_back += 1
    for name, module in slate.modules.items():
        if sys.modules.get(name) is not module:
            sys.modules[name] = module
            put_back += 1
    for name, before in slate.globals.items():
        put_back += _put_back(vars(slate.modules[name]), before)
    for cls, before in slate.classes.items():
        put_back += _put_back_class(cls, before)
    sys.path[:] = slate.values["sys.path"]
    sys.argv[:] = slate.values["sys.argv"]
    if list(warnings.filters) != slate.values["warnings.filters"]:
        # Through resetwarnings, which tells the warnings machinery its filters changed (the
        # registries of warnings already shown are then cleared).
        warnings.resetwarnings()
        warnings.filters[:] = slate.values["warnings.filters"]
        put_back += 1
    if dict(os.environ) != slate.values["environ"]:
        os.environ.clear()
        os.environ.update(slate.values["environ"])
        put_back += 1
    if os.getcwd() != slate.cwd:
        os.chdir(slate.cwd)
        put_back += 1
    sys.setswitchinterval(slate.switch_interval)
    sys.setrecursionlimit(slate.recursion_limit)
    sys.settrace(slate.trace)
    sys.setprofile(slate.profile)
    return put_back


def _put_back(namespace, before):
    """Makes the dict `namespace` hold exactly the bindings `before` held; returns how many moved."""
    changed = 0
    for key in [k for k in namespace if k not in before]:
        del namespace[key]
        changed += 1
    for key, value in before.items():
        if namespace.get(key, _MISSING) is not value:
            namespace[key] = value
            changed += 1
    return changed


def _put_back_class(cls, before):
    """As `_put_back`, through setattr and delattr (a class's namespace is read-only)."""
    changed = 0
    now = vars(cls)
    for key in [k for k in now if k not in before]:
        try:
            delattr(cls, key)
            changed += 1
        except (AttributeError, TypeError):
            pass
    for key, value in before.items():
        if now.get(key, _MISSING) is not value and key not in ("__dict__", "__weakref__"):
            try:
                setattr(cls, key, value)
                changed += 1
            except (AttributeError, TypeError):
                pass
    return changed


_MISSING = object()
