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


SEUIL_DEUX_PASSES = 64 << 20
"""From this size on (bytes) :func:`demarrer_passe` splits the pass between two child processes, each reading one
half of the file, when the machine has two cores or more (bench/RESULTS_extraction.md, 04/12)."""


class _CompteurPartage:
    """``[bytes read, stop flag]`` of :func:`_passe` kept in a shared anonymous memory map (int64 slots: slot 1 is
    the stop flag shared by every child, slot ``cases[0]`` the bytes read by one child); reading index 0 adds up
    the slots ``cases`` (the parent's view: every child's bytes)."""

    def __init__(self, memoire: mmap.mmap, cases: tuple[int, ...] = (0,)) -> None:
        self.memoire, self.cases = memoire, cases

    def _lire(self, case: int) -> int:
        return struct.unpack_from("q", self.memoire, 8 * case)[0]

    def __getitem__(self, i: int) -> int:
        return sum(self._lire(c) for c in self.cases) if i == 0 else self._lire(1)

    def __setitem__(self, i: int, valeur: int) -> None:
        struct.pack_into("q", self.memoire, 8 * (self.cases[0] if i == 0 else 1), int(valeur))


def _case_octets(j: int) -> int:
    """Slot of the bytes read by child ``j`` (slot 1 is the stop flag)."""
    return 0 if j == 0 else j + 1


def _enfant(source: Path, plan: _Plan, compteur: _CompteurPartage, ecriture: int, debut: int = 0,
            fin: int | None = None) -> None:
    """Body of a child process: run the pass over the lines starting in [``debut``, ``fin``), send ("ok",
    result) or ("erreur", exception), exit."""
    try:
        try:
            envoi = pickle.dumps(("ok", prefiltre._passe(source, plan, compteur, debut, fin)),
                                 protocol=pickle.HIGHEST_PROTOCOL)
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
    """A pass running in forked children (:func:`demarrer_passe`); same interface as :class:`Passe`, the
    destinations of the extracts being given by the extraction once its temporary folder exists.

    ``parts`` children each read one consecutive range of the file (:func:`~.prefiltre._passe` with
    ``debut``/``fin``); their results are joined (:func:`~.prefiltre.joindre`) into what one pass finds."""

    def __init__(self, source: Path, plan: _Plan, encodage: str, parts: int = 1) -> None:  # noqa: no
        self.source, self.plan, self.encodage = source, plan, encodage   # super().__init__: no thread started
        self.dest_perimetre = self.dest_strates = None
        self.taille = max(source.stat().st_size, 1)
        self._memoire = mmap.mmap(-1, 8 * (parts + 1))
        self.compteur = _CompteurPartage(self._memoire, tuple(_case_octets(j) for j in range(parts)))
        self._pids: list[int] = []
        self._lectures: list[int] = []
        bornes = [self.taille * j // parts for j in range(parts)] + [None]
        for j in range(parts):
            lecture, ecriture = os.pipe()
            pid = os.fork()
            if pid == 0:                                     # child
                os.close(lecture)
                signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent handles Ctrl-C and stops the child
                _enfant(source, plan, _CompteurPartage(self._memoire, (_case_octets(j),)), ecriture, bornes[j],
                        bornes[j + 1])
            os.close(ecriture)
            self._pids.append(pid)
            self._lectures.append(lecture)
        self._pid = self._pids[0]
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="prefiltre")
        self._futur = self._pool.submit(self._recevoir)

    def _recevoir(self):
        """Read every child's answer (the pipes release the GIL), reap them, return the joined pass result."""
        resultats = []
        for lecture, pid in zip(self._lectures, self._pids):
            morceaux = []
            with os.fdopen(lecture, "rb") as tuyau:
                for bloc in iter(lambda: tuyau.read(1 << 20), b""):
                    morceaux.append(bloc)
            os.waitpid(pid, 0)
            resultats.append(morceaux)
        for morceaux in resultats:
            if not morceaux:
                if self.compteur[1]:
                    raise KeyboardInterrupt
                raise OSError("la passe de lecture s'est arrêtée sans réponse")
            statut, valeur = pickle.loads(b"".join(morceaux))
            if statut == "erreur":
                raise valeur
        valeurs = [pickle.loads(b"".join(m))[1] for m in resultats]
        return valeurs[0] if len(valeurs) == 1 else prefiltre.joindre(valeurs)

    def correspond(self, source: Path, plan: _Plan, encodage: str) -> bool:
        """True when this pass reads ``source`` with ``plan`` and ``encodage`` (what the extraction would run)."""
        return (Path(source), plan, encodage) == (self.source, self.plan, self.encodage)

    def abandonner(self) -> None:
        """Stop the children (stop flag, then SIGKILL) and wait for them; nothing is left running."""
        if self._futur.done():
            self._pool.shutdown(wait=True)
            return
        self.compteur[1] = 1
        for pid in self._pids:
            try:
                os.kill(pid, signal.SIGKILL)
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
    parts = 2 if chemin.stat().st_size >= SEUIL_DEUX_PASSES and (os.cpu_count() or 1) >= 2 else 1
    return PasseProcessus(chemin, _plan(list(entete.colonnes), DEP_DGFIP, icoms_perimetre(codes_insee)),
                          entete.encodage, parts)
