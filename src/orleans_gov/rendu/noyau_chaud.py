"""Warm Jupyter kernels for batch rendering (used by :mod:`orleans_gov.rendu.rendu`).

Starting a Python kernel and importing pandas / matplotlib / geopandas costs about two seconds per notebook,
paid again for every one of the 26 deliverables. This module is preloaded ONCE in a
``multiprocessing`` fork server (a fresh interpreter, no threads, no ZeroMQ context): it imports the heavy
libraries, then every kernel is a fresh ``fork()`` of that server running ``ipykernel`` with the connection
file prepared by ``jupyter_client``. Each notebook therefore still runs in its own new process with an empty
namespace (no state shared between notebooks: the libraries are merely already in ``sys.modules``, copy on
write), exactly as with ``python -m ipykernel_launcher``.

Only the modules are imported here, never anything into a user namespace, and matplotlib's backend is left
unresolved (``MPLBACKEND`` points to the inline backend, which ipykernel would set anyway) so the inline
figure integration is configured by the kernel as usual.
"""
from __future__ import annotations

import importlib
import os
import sys

os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")

MODULES_PRECHARGES: tuple[str, ...] = (
    "numpy", "pandas", "pyarrow", "pyarrow.parquet", "matplotlib", "matplotlib.pyplot", "matplotlib.ticker",
    "seaborn", "shapely", "pyogrio", "geopandas", "yaml",
    "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel_launcher",
    "orleans_gov", "orleans_gov.base.catalogue", "orleans_gov.base.territoire", "orleans_gov.base.erreurs",
    "orleans_gov.restitution.presentation",
)
# Package modules written by other engineers: preloaded when they exist (a failing import is ignored here and
# will fail again, visibly, in the notebook that imports it).
MODULES_FACULTATIFS: tuple[str, ...] = (
    "orleans_gov.construction.tables", "orleans_gov.restitution.fiche", "orleans_gov.analyse.finances", "orleans_gov.analyse.politiques",
    "orleans_gov.analyse.organisations", "orleans_gov.scenarios", "orleans_gov.restitution.scenarios",
    "orleans_gov.scenarios.sensibilite", "matplotlib.patheffects",
)


def precharger() -> None:
    for nom in MODULES_PRECHARGES + MODULES_FACULTATIFS:
        try:
            importlib.import_module(nom)
        except Exception:  # noqa: BLE001 - preloading is an optimisation only
            sys.modules.pop(nom, None)


def lancer_noyau(argv: list[str], env: dict[str, str] | None, cwd: str | None) -> None:
    """Body of a forked kernel process: ``ipykernel`` with ``argv`` (``-f <connection file>`` …)."""
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    if cwd:
        os.chdir(cwd)
    sys.path.insert(0, os.getcwd())  # as ``python -m ipykernel_launcher`` run from the notebook's folder
    sys.argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
    import atexit

    from ipykernel.kernelapp import IPKernelApp

    # ``parent_handle``'s default is read from JPY_PARENT_PID when ipykernel is imported, i.e. in the fork
    # server: give the value of this launch (it also tells ipykernel not to print its terminal banner).
    app = IPKernelApp.instance(parent_handle=os.getppid())
    # Kernel-internal log lines (TCP transport notice, interrupt sent by jupyter_client before shutdown) would
    # otherwise go to the renderer's terminal; errors of the notebook itself travel through the protocol.
    app.initialize([*argv, "--IPKernelApp.log_level=CRITICAL"])
    try:
        app.start()
    finally:
        # What the interpreter does at exit for ``python -m ipykernel_launcher``: run the atexit handlers
        # (ipykernel stops its threads there), flush, exit. multiprocessing would otherwise join the kernel's
        # threads without running atexit and the kernel would not stop on shutdown_request.
        try:
            atexit._run_exitfuncs()
        finally:
            for flux in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
                try:
                    flux.flush()
                except Exception:  # noqa: BLE001
                    pass
            os._exit(0)


precharger()
