"""The byte-level pass of ``extraire comptes`` started in a child process before DuckDB and pyarrow are imported.

``orleans-gov extraire comptes`` spent about as much time importing pandas, pyarrow and DuckDB (≈ 0.5 s CPU; since
04/12 DuckDB and pyarrow only, ≈ 0.3 s: the outputs are written without pandas, :func:`~.rapport.ecrire_table`) as
its byte-level pass over the national file (≈ 0.4 s, :func:`~orleans_gov.sources.nationaux.prefiltre._passe`).
Both hold the GIL, so a thread cannot overlap them: the command forks a child process that runs the pass while the
parent imports (:func:`demarrer_passe`, called by :mod:`orleans_gov.cli.extraction` before it loads the
extraction module). The child sends back what the pass found (pickled, over a pipe) and the parent writes the
extracts and parses them strictly as before (:meth:`PasseProcessus.resultat`): the outputs, the checks and the
error messages are those of the in-thread pass, which stays the path of library calls
(:func:`~orleans_gov.sources.nationaux.comptes.extraire_comptes` without ``passe``).

Only started from a single-threaded process on a platform with ``os.fork`` (Linux, macOS), for a UTF-8 or
ISO-8859-1 file whose header has the compulsory columns; otherwise :func:`demarrer_passe` returns None and the
extraction runs its in-thread pass. Bytes read are shared through an anonymous memory map (progress bar; stop
flag for Ctrl-C or an error of the parent, which also kills the child).
"""
from __future__ import annotations

import mmap
import os
import pickle
import signal
import struct
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Sequence

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.territoire import CODES_INSEE, DEP_DGFIP
from orleans_gov.sources.nationaux.lecture import icoms_perimetre, lire_entete, verifier_requises
from orleans_gov.sources.nationaux import prefiltre
from orleans_gov.sources.nationaux.prefiltre import REQUISES_COMPTES, Passe, _plan, _Plan


class _CompteurPartage:
    """``[bytes read, stop flag]`` of :func:`_passe` kept in a shared anonymous memory map (two int64)."""

    def __init__(self, memoire: mmap.mmap) -> None:
        self.memoire = memoire

    def __getitem__(self, i: int) -> int:
        return struct.unpack_from("q", self.memoire, 8 * i)[0]

    def __setitem__(self, i: int, valeur: int) -> None:
        struct.pack_into("q", self.memoire, 8 * i, int(valeur))


def _enfant(source: Path, plan: _Plan, compteur: _CompteurPartage, ecriture: int) -> None:
    """Body of the child process: run the pass, send ("ok", result) or ("erreur", exception), exit."""
    try:
        try:
            envoi = pickle.dumps(("ok", prefiltre._passe(source, plan, compteur)), protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException as exc:  # sent to the parent, which raises it (Ctrl-C included)
            try:
                envoi = pickle.dumps(("erreur", exc))
            except Exception:
                envoi = pickle.dumps(("erreur", OSError(f"{type(exc).__name__}: {exc}")))
        with os.fdopen(ecriture, "wb") as tuyau:
            tuyau.write(envoi)
    finally:
        os._exit(0)


class PasseProcessus(Passe):
    """A pass running in a forked child (:func:`demarrer_passe`); same interface as :class:`Passe`, the
    destinations of the extracts being given by the extraction once its temporary folder exists."""

    def __init__(self, source: Path, plan: _Plan, encodage: str) -> None:  # noqa: super().__init__ not called:
        self.source, self.plan, self.encodage = source, plan, encodage      # no thread is started here
        self.dest_perimetre = self.dest_strates = None
        self.taille = max(source.stat().st_size, 1)
        self._memoire = mmap.mmap(-1, 16)
        self.compteur = _CompteurPartage(self._memoire)
        lecture, ecriture = os.pipe()
        self._pid = os.fork()
        if self._pid == 0:                                   # child
            os.close(lecture)
            signal.signal(signal.SIGINT, signal.SIG_IGN)     # the parent handles Ctrl-C and stops the child
            _enfant(source, plan, self.compteur, ecriture)
        os.close(ecriture)
        self._lecture = lecture
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="prefiltre")
        self._futur = self._pool.submit(self._recevoir)

    def _recevoir(self):
        """Read the child's answer (the pipe releases the GIL), reap it, return the pass result."""
        morceaux = []
        with os.fdopen(self._lecture, "rb") as tuyau:
            for bloc in iter(lambda: tuyau.read(1 << 20), b""):
                morceaux.append(bloc)
        os.waitpid(self._pid, 0)
        if not morceaux:
            if self.compteur[1]:
                raise KeyboardInterrupt
            raise OSError("la passe de lecture s'est arrêtée sans réponse")
        statut, valeur = pickle.loads(b"".join(morceaux))
        if statut == "erreur":
            raise valeur
        return valeur

    def correspond(self, source: Path, plan: _Plan, encodage: str) -> bool:
        """True when this pass reads ``source`` with ``plan`` and ``encodage`` (what the extraction would run)."""
        return (Path(source), plan, encodage) == (self.source, self.plan, self.encodage)

    def abandonner(self) -> None:
        """Stop the child (stop flag, then SIGKILL) and wait for it; nothing is left running."""
        if self._futur.done():
            self._pool.shutdown(wait=True)
            return
        self.compteur[1] = 1
        try:
            os.kill(self._pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self._pool.shutdown(wait=True)


def demarrer_passe(fichier: str | os.PathLike, codes_insee: Sequence[str] = CODES_INSEE) -> PasseProcessus | None:
    """Start the pass of ``extraire comptes`` on ``fichier`` in a child process, or None when it cannot be
    (no ``os.fork``, threads running, CP1252 file to transcode first, unreadable header or missing compulsory
    column — the extraction then reports the problem with its usual checks, in their usual order)."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return None
    chemin = Path(fichier)
    try:
        entete = lire_entete(chemin)
        verifier_requises(entete.colonnes, REQUISES_COMPTES, chemin)
    except (ErreurDonnees, OSError):
        return None
    if entete.encodage == "cp1252":
        return None
    return PasseProcessus(chemin, _plan(list(entete.colonnes), DEP_DGFIP, icoms_perimetre(codes_insee)),
                          entete.encodage)
