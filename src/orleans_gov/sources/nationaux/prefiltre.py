"""Byte-level pre-filter of a national comptes individuels file: streamed Python passes, no CSV parser.

The pass copies the lines of the perimeter and the first line of every stratum into two small files that
DuckDB then parses strictly, and counts the lines of every stratum. The original line numbers are kept so that
an error found in an extract names the line of the national file (:func:`renumeroter`).

The file is cut at line ends into as many byte ranges as there are pass processes (``processus``, the
``threads`` of the extraction): every range is read by its own process (``fork``: nothing is pickled but the
small results), and the results are merged in file order, so the extracts, line numbers and counts are
exactly those of a single pass. Below :data:`SEUIL_PARALLELE` bytes, or where ``fork`` does not exist, one
pass runs in a thread of the calling process.
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.nationaux.progression import attendre

SEUIL_PARALLELE = 64 << 20
"""Files smaller than this (bytes) are read by one pass in a thread: starting processes would cost more."""
_TETE = 512
"""Bytes of the start (end) of a line split to find the first fields (``nomsst1``); the whole line when short
or when these bytes do not hold all the separators needed (a very long commune name, say)."""
_PAS_COMPTEUR = 4 << 20
"""Bytes read between two updates of the progress counter."""


@dataclass
class Prefiltre:
    """Result of :func:`prefiltrer_perimetre_strates`: original line numbers of the copied lines and the
    number of lines of every stratum (key: decoded ``an``, ``nomsst1``, ``nomsst2`` as DuckDB reads them)."""

    numeros_perimetre: list[int]
    numeros_strates: list[int]
    nb_lignes: dict[tuple[str, str, str], int]


@dataclass(frozen=True)
class _Plan:
    """Where the fields read by the pass are: ``k`` fields split from the left (``an``, ``dep``, ``icom``,
    ``nomsst2`` among them), ``nomsst1`` either among them or ``n_droite`` separators from the right."""

    i_an: int
    i_dep: int
    i_icom: int
    i_ns2: int
    i_ns1: int
    inverse: bool
    k: int
    n_droite: int
    droite: bool
    dep: bytes
    icoms: frozenset[bytes]


@dataclass
class _Morceau:
    """What the pass found in one byte range (line indices relative to the range's first line)."""

    lignes: int = 0
    perimetre: list[tuple[int, bytes]] = field(default_factory=list)
    premieres: list[tuple[tuple[bytes, bytes, bytes], int, bytes]] = field(default_factory=list)
    nb: dict[tuple[bytes, bytes, bytes], int] = field(default_factory=dict)


def _plan(colonnes: Sequence[str], dep: str, icoms: Iterable[str]) -> _Plan:
    i_an, i_dep, i_icom = colonnes.index("an"), colonnes.index("dep"), colonnes.index("icom")
    i_ns2, i_ns1 = colonnes.index("nomsst2"), colonnes.index("nomsst1")
    inverse = i_ns1 < i_ns2          # unofficial layout: both labels split from the left
    if inverse:
        i_ns1, i_ns2 = i_ns2, i_ns1
    k = max(i_an, i_dep, i_icom, i_ns2) + 1
    n_droite = len(colonnes) - i_ns1          # rsplit(n) -> piece 1 is field len(colonnes) - n = i_ns1
    return _Plan(i_an, i_dep, i_icom, i_ns2, i_ns1, inverse, k, n_droite, i_ns1 >= k, dep.encode(),
                 frozenset(i.encode() for i in icoms))


def _passe(source: Path, debut: int, fin: int, p: _Plan, compteur=None, rang: int = 0) -> _Morceau:
    """Read the lines of ``source`` from byte ``debut`` (a line start) to byte ``fin``.

    Only the first ``k`` fields are split from the left and ``nomsst1`` (near the end of the line) from the
    right, on the first/last :data:`_TETE` bytes of the line when they suffice (no copy of the 1.5 kB line);
    a line with a wrong number of fields therefore usually yields an unknown stratum key, is copied and
    rejected by the strict DuckDB parse of the extract.
    """
    m = _Morceau()
    k, n_droite, droite, i_ns1 = p.k, p.n_droite, p.droite, p.i_ns1
    i_an, i_ns2, i_dep, i_icom, cible_dep, cibles = p.i_an, p.i_ns2, p.i_dep, p.i_icom, p.dep, p.icoms
    nb, premieres, perimetre = m.nb, m.premieres, m.perimetre
    reste, lu, signale = fin - debut, 0, 0
    n = -1
    with open(source, "rb") as s:
        s.seek(debut)
        for n, ligne in enumerate(s):
            champs = ligne[:_TETE].split(b";", k)
            if len(champs) <= k:               # the first k fields are not all in the head: split the line
                champs = ligne.split(b";", k)
                if len(champs) <= k - 1:
                    champs += [b""] * (k + 1 - len(champs))
            if droite:
                morceaux = ligne[-_TETE:].rsplit(b";", n_droite)
                if len(morceaux) <= n_droite:
                    morceaux = ligne.rsplit(b";", n_droite)
                ns1 = morceaux[1] if len(morceaux) > 1 else b""
            else:
                ns1 = champs[i_ns1]
            cle = (champs[i_an], champs[i_ns2], ns1)
            vu = nb.get(cle)
            if vu is None:
                nb[cle] = 1
                premieres.append((cle, n, ligne))
            else:
                nb[cle] = vu + 1
            d = champs[i_dep]
            if cible_dep in d and d.strip(b'" ') == cible_dep and champs[i_icom].strip(b'" ') in cibles:
                perimetre.append((n, ligne))
            lu += len(ligne)
            if lu >= reste:
                break
            if compteur is not None and lu - signale >= _PAS_COMPTEUR:
                compteur[rang] = signale = lu
    if compteur is not None:
        compteur[rang] = lu
    m.lignes = n + 1
    return m


def _valeur_csv(champ: bytes, encodage: str) -> str:
    """Field value as a CSV reader gives it: end of line and enclosing quotes removed, ``""`` unescaped."""
    v = champ.rstrip(b"\r\n")
    if len(v) >= 2 and v.startswith(b'"') and v.endswith(b'"'):
        v = v[1:-1].replace(b'""', b'"')
    return v.decode("utf-8" if encodage == "utf-8" else "latin-1", errors="replace")


def _bornes(source: Path, n: int) -> list[tuple[int, int]]:
    """``n`` byte ranges of the data lines of ``source`` (after the header), each starting at a line start."""
    taille = source.stat().st_size
    with open(source, "rb") as f:
        f.readline()
        debut = f.tell()
        coupes = [debut]
        for i in range(1, n):
            pos = debut + (taille - debut) * i // n
            f.seek(max(pos - 1, debut))
            f.readline()                        # to the line end at or after pos - 1
            coupes.append(max(f.tell(), coupes[-1]))
    coupes.append(taille)
    return [(a, b) for a, b in zip(coupes, coupes[1:]) if b > a]


def _travailleur(conn, source: Path, debut: int, fin: int, plan: _Plan, compteur, rang: int) -> None:
    """Body of a pass process: send back ("ok", _Morceau) or ("erreur", exception)."""
    try:
        conn.send(("ok", _passe(source, debut, fin, plan, compteur, rang)))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which re-raises it
        conn.send(("erreur", exc))
    finally:
        conn.close()


class Passe:
    """A running pre-filter pass (:func:`lancer_prefiltre`); :meth:`resultat` waits for it and writes the
    extracts. Started before the optional DuckDB scan of the same file so that both run at once."""

    def __init__(self, source: Path, dest_perimetre: Path, dest_strates: Path, plan: _Plan, encodage: str,
                 processus: int) -> None:
        self.source, self.dest_perimetre, self.dest_strates = source, dest_perimetre, dest_strates
        self.plan, self.encodage = plan, encodage
        self.taille = max(source.stat().st_size, 1)
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="prefiltre")
        self._processus: list = []
        bornes = _bornes(source, processus)
        if len(bornes) > 1:
            ctx = multiprocessing.get_context("fork")
            self.compteur = ctx.Array("q", len(bornes), lock=False)
            tuyaux = []
            for rang, (a, b) in enumerate(bornes):
                lecture, ecriture = ctx.Pipe(duplex=False)
                pr = ctx.Process(target=_travailleur, args=(ecriture, source, a, b, plan, self.compteur, rang),
                                 daemon=True, name=f"orleans-gov-prefiltre-{rang}")
                pr.start()
                ecriture.close()
                tuyaux.append(lecture)
                self._processus.append(pr)
            self._futur: Future = self._pool.submit(self._recevoir, tuyaux)
        else:
            self.compteur = [0]
            a, b = bornes[0] if bornes else (0, 0)
            self._futur = self._pool.submit(_passe, source, a, b, plan, self.compteur, 0) if bornes else None

    def _recevoir(self, tuyaux) -> list[_Morceau]:
        morceaux = []
        try:
            for t, pr in zip(tuyaux, self._processus):
                try:
                    etat, valeur = t.recv()
                except EOFError:
                    pr.join()
                    raise RuntimeError(f"le processus de lecture {pr.name} s'est arrêté sans résultat "
                                       f"(code de sortie {pr.exitcode})") from None
                if etat == "erreur":
                    raise valeur
                morceaux.append(valeur)
        finally:
            for t in tuyaux:
                t.close()
            for pr in self._processus:
                pr.join()
        return morceaux

    def _arreter(self) -> None:
        for pr in self._processus:
            if pr.is_alive():
                pr.terminate()

    def abandonner(self) -> None:
        """Stop the pass (its processes are terminated; a pass in a thread runs to its end) and drop it."""
        self._arreter()
        self._pool.shutdown(wait=True, cancel_futures=True)

    def resultat(self, progression: str | None = None) -> Prefiltre:
        """Wait for the pass (a bar on bytes read when ``progression`` is given), merge, write the extracts."""
        try:
            if self._futur is None:
                morceaux = [_Morceau()]
            else:
                if progression is not None:
                    attendre(self._futur, lambda: float(sum(self.compteur)), progression, float(self.taille),
                             "o", self._arreter)
                r = self._futur.result()
                morceaux = r if isinstance(r, list) else [r]
        finally:
            self._arreter()
            self._pool.shutdown(wait=True)
        return _fusionner(morceaux, self.source, self.dest_perimetre, self.dest_strates, self.plan, self.encodage)


def _fusionner(morceaux: list[_Morceau], source: Path, dest_perimetre: Path, dest_strates: Path, p: _Plan,
               encodage: str) -> Prefiltre:
    """Merge the ranges in file order: same extracts, numbers and counts as one pass over the whole file."""
    num_p: list[int] = []
    num_s: list[int] = []
    normes: dict[tuple[bytes, bytes, bytes], tuple[str, str, str]] = {}   # raw key -> decoded key
    vues: set[tuple[str, str, str]] = set()
    nb: dict[tuple[str, str, str], int] = {}
    with open(source, "rb") as s:
        entete = s.readline()
    with open(dest_perimetre, "wb") as dp, open(dest_strates, "wb") as ds:
        dp.write(entete)
        ds.write(entete)
        decalage = 2                       # line number of the first data line (header = line 1)
        for m in morceaux:
            for i, ligne in m.perimetre:
                dp.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                num_p.append(decalage + i)
            for cle, i, ligne in m.premieres:
                if cle in normes:          # raw key already met in an earlier range
                    continue
                a, b2, b1 = (_valeur_csv(x, encodage) for x in cle)
                norme = (a, b1, b2) if not p.inverse else (a, b2, b1)
                normes[cle] = norme
                if norme not in vues:
                    vues.add(norme)
                    ds.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                    num_s.append(decalage + i)
            for cle, compte in m.nb.items():
                norme = normes[cle]
                nb[norme] = nb.get(norme, 0) + compte
            decalage += m.lignes
    return Prefiltre(num_p, num_s, nb)


def processus_possibles(demandes: int, source: Path) -> int:
    """Pass processes to use: ``demandes`` for a file of at least :data:`SEUIL_PARALLELE` bytes where ``fork``
    exists, otherwise 1."""
    if demandes <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return demandes if source.stat().st_size >= SEUIL_PARALLELE else 1


def lancer_prefiltre(source: Path, dest_perimetre: Path, dest_strates: Path, colonnes: Sequence[str], dep: str,
                     icoms: Iterable[str], encodage: str = "utf-8", *, processus: int = 1) -> Passe:
    """Start the pass of :func:`prefiltrer_perimetre_strates` (``processus`` byte ranges at once, see the
    module docstring) and return at once; :meth:`Passe.resultat` waits and writes the extracts."""
    return Passe(Path(source), Path(dest_perimetre), Path(dest_strates), _plan(colonnes, dep, icoms), encodage,
                 max(1, processus))


def prefiltrer_perimetre_strates(source: Path, dest_perimetre: Path, dest_strates: Path, colonnes: Sequence[str],
                                 dep: str, icoms: Iterable[str], encodage: str = "utf-8", *,
                                 processus: int = 1) -> Prefiltre:
    """One byte-level pass over the national file: perimeter lines + ONE line per stratum + strata sizes.

    - ``dest_perimetre``: header + the lines whose ``dep``/``icom`` fields match (quotes tolerated);
    - ``dest_strates``: header + the FIRST line of every (``an``, ``nomsst2``, ``nomsst1``) stratum; the DGFiP
      prints the same strata means on every commune of a stratum, so this line carries the stratum's means;
    - the number of lines of every stratum (``nb_communes``).

    Only the first fields (up to ``nomsst2``, field 7 of the official headers) are split from the left and
    ``nomsst1`` (near the end of the line) from the right (:func:`_passe`). Pure Python line splitting
    measured cheaper than a projected DuckDB ``read_csv`` of the 205-column file (0.46 s vs 0.93 s CPU on
    bench/_work/comptes_communes_35000x6.csv); with ``processus`` > 1 the file is read by that many processes
    at once (bench/RESULTS_extraction.md).
    """
    return lancer_prefiltre(source, dest_perimetre, dest_strates, colonnes, dep, icoms, encodage,
                            processus=processus).resultat()


def renumeroter(exc: ErreurDonnees, numeros: list[int], chemin: Path) -> ErreurDonnees:
    """Error on line L of an extract -> same error on the matching line of the national file."""
    if exc.ligne is not None and 2 <= exc.ligne < len(numeros) + 2:
        return ErreurDonnees(exc.explication, fichier=chemin, ligne=numeros[exc.ligne - 2], colonne=exc.colonne,
                             valeur=exc.valeur)
    return exc


@contextmanager
def lignes_nationales(numeros: list[int], chemin: Path) -> Iterator[None]:
    """An :class:`ErreurDonnees` raised inside names ``chemin`` and the line of the national file that the
    extract's line came from (``numeros`` from :class:`Prefiltre`)."""
    try:
        yield
    except ErreurDonnees as exc:
        raise renumeroter(exc, numeros, chemin) from None
