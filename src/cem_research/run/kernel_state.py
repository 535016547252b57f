"""What a warm kernel restores between two notebooks (runs *inside* the Jupyter kernel).

A warm kernel (:mod:`cem_research.run.warm`) imports the heavy libraries once, then calls
:func:`snapshot` and, before every notebook, :func:`reset`.  The reset gives the notebook what a
fresh kernel that had just made the same imports would give it:

* the IPython session: user namespace, output history, execution counter (the first cell is
  ``[1]`` again), registered event callbacks;
* matplotlib: every figure closed, ``rcParams`` as after the imports;
* pandas options and numpy's error and print options as after the imports;
* warning filters as after the imports, and "once"/"default" warnings shown again (the
  registries are invalidated);
* the global random generators (``random``, numpy's legacy ``np.random``) seeded afresh from the
  operating system, as in a new process;
* ``os.environ``, the working folder and ``sys.path`` as the runner passes them;
* functions and classes of the package and of the heavy libraries that a notebook rebound
  (a monkey-patch such as ``pd.DataFrame.head = ...`` or ``narrative.num = ...``) put back, and
  attributes a notebook added to those classes removed;
* the package's data caches emptied (:data:`KEEP_CACHES` lists the read-only resources kept
  warm: lexicons, the language model, quantile tables).

What it cannot undo (a C extension's hidden state, a module-level object mutated in place outside
the lists above) is bounded by a fresh kernel after :data:`cem_research.run.warm.MAX_USES`
notebooks and after any error.
"""

from __future__ import annotations

import gc
import os
import random
import sys
import types
import warnings

__all__ = ["WATCHED", "KEEP_CACHES", "snapshot", "reset", "changed_names"]

#: Top-level packages whose module functions and classes are put back when a notebook rebinds them.
WATCHED = ("cem_research", "pandas", "numpy", "matplotlib", "seaborn", "pingouin", "scipy", "statsmodels",
           "IPython.display")
#: Cached loaders of read-only resources (qualified names) kept between notebooks.
KEEP_CACHES = frozenset({
    "cem_research.text.sentiment.vader_words", "cem_research.text.sentiment.sentiment_analyzer",
    "cem_research.text.language._identifier", "cem_research.text.language.language_name",
    "cem_research.text.terms._token_pattern", "cem_research.text.terms.stopword_list",
    "cem_research.stats.compare._studentized_range_table", "cem_research.stats.compare._studentized_range_quantile",
})

_STATE: dict = {}


def _watched_modules():
    for name, mod in list(sys.modules.items()):
        if isinstance(mod, types.ModuleType) and any(name == w or name.startswith(w + ".") for w in WATCHED):
            yield name, mod


def _is_code(value) -> bool:
    return isinstance(value, (types.FunctionType, types.BuiltinFunctionType, type)) or callable(value) \
        and hasattr(value, "__wrapped__")


def _own_classes(modules):
    """Classes defined in the package, plus pandas' and matplotlib's user-facing ones."""
    seen = {}
    for name, mod in modules:
        for value in list(vars(mod).values()):
            if isinstance(value, type) and getattr(value, "__module__", "") == name and (
                    name.startswith("cem_research") or value.__name__ in
                    {"DataFrame", "Series", "Index", "Figure", "Axes"}):
                seen[id(value)] = value
    return list(seen.values())


def snapshot() -> None:
    """Record the state :func:`reset` restores (call once, after the warm-up imports)."""
    import matplotlib
    import numpy as np
    import pandas as pd

    modules = list(_watched_modules())
    _STATE["modules"] = {name: {k: v for k, v in vars(mod).items() if _is_code(v)} for name, mod in modules}
    _STATE["classes"] = [(cls, dict(vars(cls))) for cls in _own_classes(modules)]
    _STATE["rc"] = matplotlib.rcParams.copy()
    _STATE["warnings"] = list(warnings.filters)
    # every registered pandas option and its value (pandas has no public "all options" getter)
    keys = list(pd._config.config._registered_options)  # noqa: SLF001 - stable since pandas 0.x
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated options warn when read
        _STATE["pandas"] = {k: pd.get_option(k) for k in keys}
    _STATE["np_err"] = np.geterr()
    _STATE["np_print"] = np.get_printoptions()
    ip = _shell()
    if ip is not None:
        _STATE["events"] = {e: list(cbs) for e, cbs in ip.events.callbacks.items()}
    gc.collect()
    gc.freeze()  # the imported libraries: later collections (IPython's reset makes two) skip them


def _shell():
    try:
        return get_ipython()  # type: ignore[name-defined]  # noqa: F821 - defined inside IPython
    except NameError:
        return None


def changed_names() -> list[str]:
    """Module functions and classes rebound since :func:`snapshot` (qualified names)."""
    out = []
    for name, before in _STATE.get("modules", {}).items():
        mod = sys.modules.get(name)
        if mod is None:
            continue
        now = vars(mod)
        out += [f"{name}.{k}" for k, v in before.items() if now.get(k) is not v]
    for cls, before in _STATE.get("classes", []):
        now = vars(cls)
        out += [f"{cls.__module__}.{cls.__qualname__}.{k}" for k in set(now) | set(before)
                if now.get(k, _MISSING) is not before.get(k, _MISSING) and not k.startswith("__")]
    return sorted(out)


_MISSING = object()


def _restore_code() -> None:
    for name, before in _STATE.get("modules", {}).items():
        mod = sys.modules.get(name)
        if mod is None:
            continue
        now = vars(mod)
        for k, v in before.items():
            if now.get(k) is not v:
                setattr(mod, k, v)
    for cls, before in _STATE.get("classes", []):
        now = dict(vars(cls))
        for k in now.keys() - before.keys():
            if not k.startswith("__"):
                delattr(cls, k)
        for k, v in before.items():
            if not k.startswith("__") and now.get(k, _MISSING) is not v:
                setattr(cls, k, v)


def _clear_caches() -> None:
    for name, mod in list(_watched_modules()):
        if not name.startswith("cem_research"):
            continue
        for key, value in list(vars(mod).items()):
            if hasattr(value, "cache_clear") and f"{name}.{key}" not in KEEP_CACHES:
                value.cache_clear()
            elif key.endswith("_CACHE") and hasattr(value, "clear"):
                value.clear()


def reset(cwd: str, environ: dict, path: list) -> None:
    """Give the next notebook a kernel as fresh as the warm-up left it (see the module docstring)."""
    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np
    import pandas as pd

    ip = _shell()
    if ip is not None:
        ip.reset(new_session=True)
        for event, cbs in _STATE.get("events", {}).items():
            ip.events.callbacks[event][:] = cbs
    plt.close("all")
    _restore_code()
    matplotlib.rcParams.clear()
    matplotlib.rcParams.update(_STATE["rc"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # deprecated options warn when read
        for k, v in _STATE["pandas"].items():
            if pd.get_option(k) != v:
                pd.set_option(k, v)
    np.seterr(**_STATE["np_err"])
    np.set_printoptions(**_STATE["np_print"])
    warnings.filters[:] = _STATE["warnings"]
    warnings._filters_mutated()  # noqa: SLF001 - forget which warnings were shown already
    random.seed()
    np.random.seed()
    os.environ.clear()
    os.environ.update(environ)
    os.chdir(cwd)
    sys.path[:] = path
    _clear_caches()
