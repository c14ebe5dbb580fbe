"""Progress bars of the long steps of the national extractions (tqdm on stderr, shown after two seconds).

A bar is drawn only when stderr is a terminal and the step is still running after :data:`DELAI_BARRE`
seconds (``tqdm(delay=…)``): short runs, tests, notebooks and redirected logs stay silent. Two sources of
progress: DuckDB's own estimate of a running query (:func:`suivre_requete`, ``query_progress()`` polled from
the calling thread while the query runs in a worker thread) and bytes read by the byte-level pass
(:func:`attendre` on a shared counter updated by the pass processes).
"""
from __future__ import annotations

import sys
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Callable

DELAI_BARRE = 2.0
"""Seconds before a bar is drawn (issue 16: a bar on every step longer than two seconds)."""
PERIODE = 0.1
"""Polling period of the progress sources, in seconds."""


def _barre(description: str, total: float, unite: str):
    """A tqdm bar on stderr, or None when stderr is not a terminal (tqdm not even imported then)."""
    if not getattr(sys.stderr, "isatty", lambda: False)():
        return None
    from tqdm import tqdm  # third-party import kept lazy: only a terminal run draws a bar

    echelle = unite == "o"
    return tqdm(total=total, desc=description, unit="o" if echelle else unite, unit_scale=echelle,
                delay=DELAI_BARRE, leave=False, file=sys.stderr,
                bar_format=None if echelle else "{desc}: {percentage:3.0f} %|{bar}| {elapsed}<{remaining}")


def attendre(futur: Future, lire: Callable[[], float], description: str, total: float, unite: str,
             interrompre: Callable[[], None], pendant: Callable[[], None] | None = None) -> None:
    """Wait for ``futur`` while drawing ``lire()`` (progress so far, out of ``total``) on a bar.

    ``pendant``: work run first in the calling thread while ``futur`` runs (e.g. importing the libraries needed
    afterwards while DuckDB, which releases the GIL, scans the file); the bar is drawn once it returns.

    Ctrl-C while waiting calls ``interrompre()`` (stops the work), waits for the worker to finish and
    re-raises :class:`KeyboardInterrupt`. Exceptions of the work are left in ``futur`` for the caller.
    """
    barre = None
    try:
        if pendant is not None:
            pendant()
        barre = _barre(description, total, unite)
        while not wait([futur], timeout=PERIODE).done:
            if barre is not None:
                v = lire()
                if v >= 0:
                    barre.update(min(v, total) - barre.n)
    except KeyboardInterrupt:
        interrompre()
        wait([futur])
        raise
    finally:
        if barre is not None:
            barre.close()


def suivre_requete(con, executer: Callable[[], None], description: str,
                   pendant: Callable[[], None] | None = None) -> None:
    """Run ``executer()`` (a DuckDB statement on ``con``) in a worker thread; DuckDB's progress estimate of
    it (``con.query_progress()``, in %) is drawn on a bar; ``pendant`` runs meanwhile in the calling thread
    (:func:`attendre`). Re-raises the statement's exception."""
    with ThreadPoolExecutor(1, thread_name_prefix="duckdb") as pool:
        futur = pool.submit(executer)
        attendre(futur, con.query_progress, description, 100.0, "%", con.interrupt, pendant)
    futur.result()
