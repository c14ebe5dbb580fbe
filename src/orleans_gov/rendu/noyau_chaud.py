"""Warm Jupyter kernels for batch rendering (used by :mod:`orleans_gov.rendu.execution`).

Starting a Python kernel and importing pandas / matplotlib / geopandas costs about two seconds per notebook,
paid again for every one of the 26 deliverables. A ``multiprocessing`` fork server (a fresh interpreter, no
threads, no ZeroMQ context) imports the heavy libraries ONCE — it preloads :mod:`orleans_gov.rendu.prechargement`,
which calls :func:`precharger` — then every kernel is a fresh ``fork()`` of that server running ``ipykernel``
(:func:`lancer_noyau`) with the connection file prepared by ``jupyter_client``. Each notebook therefore still
runs in its own new process with an empty namespace (no state shared between notebooks: the libraries are merely
already in ``sys.modules``, copy on write), exactly as with ``python -m ipykernel_launcher``.

Only the modules are imported, never anything into a user namespace, and matplotlib's backend is left
unresolved (``MPLBACKEND`` points to the inline backend, which ipykernel would set anyway) so the inline
figure integration is configured by the kernel as usual.

This module itself is light (importing it preloads nothing): the renderer's workers use
:func:`classe_gestionnaire_fork`, the kernel manager that launches kernels as forks of the warm server.
"""
from __future__ import annotations

import atexit
import importlib
import multiprocessing
import multiprocessing.forkserver
import os
import pkgutil
import sys
from typing import Any

MODULE_PRECHARGEMENT = "orleans_gov.rendu.prechargement"
MODULES_PRECHARGES: tuple[str, ...] = (
    "numpy", "pandas", "pyarrow", "pyarrow.parquet", "matplotlib", "matplotlib.pyplot", "matplotlib.ticker",
    "matplotlib.patheffects", "seaborn", "shapely", "pyogrio", "geopandas", "yaml",
    "IPython", "ipykernel.kernelapp", "ipykernel.ipkernel", "ipykernel.zmqshell", "ipykernel_launcher",
    "orleans_gov",
)
# The package layers the notebooks import, preloaded by package name with every submodule found in them (so a
# module renamed or added by another engineer is preloaded without touching this list). A failing import is
# ignored here and will fail again, visibly, in the notebook that imports it.
PAQUETS_PRECHARGES: tuple[str, ...] = (
    "orleans_gov.base", "orleans_gov.construction", "orleans_gov.analyse", "orleans_gov.scenarios",
    "orleans_gov.restitution",
)


def _importer(nom: str) -> Any:
    try:
        return importlib.import_module(nom)
    except Exception:  # noqa: BLE001 - preloading is an optimisation only
        sys.modules.pop(nom, None)
        return None


def precharger() -> None:
    """Import the scientific stack and the package layers (run once, in the fork server)."""
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    for nom in MODULES_PRECHARGES:
        _importer(nom)
    for nom in PAQUETS_PRECHARGES:
        paquet = _importer(nom)
        chemins = getattr(paquet, "__path__", None)
        if chemins is None:
            continue
        for sous in pkgutil.walk_packages(chemins, prefix=f"{nom}.", onerror=lambda _nom: None):
            _importer(sous.name)


def lancer_noyau(argv: list[str], env: dict[str, str] | None, cwd: str | None) -> None:
    """Body of a forked kernel process: ``ipykernel`` with ``argv`` (``-f <connection file>`` …)."""
    if env is not None:
        os.environ.clear()
        os.environ.update(env)
    if cwd:
        os.chdir(cwd)
    sys.path.insert(0, os.getcwd())  # as ``python -m ipykernel_launcher`` run from the notebook's folder
    sys.argv = [sys.executable, "-m", "ipykernel_launcher", *argv]
    from ipykernel.kernelapp import IPKernelApp  # third-party, already imported by the fork server

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


# ------------------------------------------------------------------------------------------------
# Renderer side: launching kernels as forks of the warm server
# ------------------------------------------------------------------------------------------------
class _ProcessusFork:
    """``subprocess.Popen``-like view of a ``multiprocessing`` process (what LocalProvisioner expects)."""

    stdin = stdout = stderr = None

    def __init__(self, processus: multiprocessing.process.BaseProcess) -> None:
        self._p = processus
        self.pid = processus.pid

    @property
    def returncode(self) -> int | None:
        return self._p.exitcode

    def poll(self) -> int | None:
        return self._p.exitcode

    def wait(self, timeout: float | None = None) -> int | None:
        self._p.join(timeout)
        return self._p.exitcode

    def send_signal(self, signum: int) -> None:
        if self._p.exitcode is None:
            os.kill(self.pid, signum)

    def terminate(self) -> None:
        self._p.terminate()

    def kill(self) -> None:
        self._p.kill()


_CONTEXTE_FORK: Any = None


def _contexte_fork():
    """The worker's fork server (started once, preloading :data:`MODULE_PRECHARGEMENT`)."""
    global _CONTEXTE_FORK
    if _CONTEXTE_FORK is None:
        ctx = multiprocessing.get_context("forkserver")
        ctx.set_forkserver_preload([MODULE_PRECHARGEMENT])
        _CONTEXTE_FORK = ctx
    return _CONTEXTE_FORK


def demarrer_serveur_fork() -> None:
    """Start this process's fork server now rather than at the first kernel launch.

    ``ensure_running`` only spawns the server (a fresh interpreter) and returns: the server imports
    :data:`MODULES_PRECHARGES` in its own process, and the first kernel launch waits for it on its socket. Started
    before the worker's own imports, the two run side by side (issue 16: ≈ 2 s off a single deliverable)."""
    _contexte_fork()
    multiprocessing.forkserver.ensure_running()


_CLASSE_GESTIONNAIRE: Any = None


def classe_gestionnaire_fork():
    """The ``AsyncKernelManager`` subclass launching kernels as forks of the warm server (built once)."""
    global _CLASSE_GESTIONNAIRE
    if _CLASSE_GESTIONNAIRE is not None:
        return _CLASSE_GESTIONNAIRE
    from jupyter_client.manager import AsyncKernelManager  # third-party, lazy: keeps ``import orleans_gov.rendu`` light

    class GestionnaireNoyauChaud(AsyncKernelManager):
        """Kernel manager launching ``python -m ipykernel_launcher -f …`` as a fork of the warm server.

        Falls back to the ordinary launch when the kernel command is not this interpreter's ipykernel.
        """

        async def _async_launch_kernel(self, kernel_cmd: list[str], **kw: Any) -> None:
            prov = self.provisioner
            exe = kernel_cmd[0] if kernel_cmd else ""
            meme_python = exe in {"python", "python3"} or (
                exe and os.path.realpath(exe) == os.path.realpath(sys.executable))
            if not (meme_python and kernel_cmd[1:3] == ["-m", "ipykernel_launcher"]):
                return await super()._async_launch_kernel(kernel_cmd, **kw)
            proc = _contexte_fork().Process(
                target=lancer_noyau, args=(kernel_cmd[3:], kw.get("env"), str(kw["cwd"]) if kw.get("cwd") else None),
                daemon=False)
            proc.start()
            prov.process = _ProcessusFork(proc)
            prov.pid = proc.pid
            prov.pgid = None
            prov.cwd = kw.get("cwd") or os.getcwd()
            self._reconcile_connection_info(prov.connection_info)

    _CLASSE_GESTIONNAIRE = GestionnaireNoyauChaud
    return _CLASSE_GESTIONNAIRE
