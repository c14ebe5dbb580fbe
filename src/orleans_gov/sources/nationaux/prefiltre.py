"""Byte-level pre-filter of a national comptes individuels file: one streamed Python pass, no CSV parser.

The pass copies the lines of the perimeter and the first line of every stratum into two small files that
DuckDB then parses strictly, and counts the lines of every stratum. The original line numbers are kept so that
an error found in an extract names the line of the national file (:func:`renumeroter`).

The pass runs in a thread of the calling process (:func:`lancer_prefiltre`), while the optional full DuckDB
scan of ``--verifier-strates`` / ``--populations`` runs; its bytes read feed a progress bar. The command line
runs it in forked children instead (:mod:`.passe_processus`), two of them on a large file, each reading one
byte range (``debut``/``fin`` of :func:`_passe`, results joined by :func:`joindre`): measured on 04/12 at the
same CPU time as one pass (0.23 + 0.23 s against 0.47 s), so it gains wall time whenever a second core is free
(an earlier version of this split had cost 0.35 s more CPU; bench/RESULTS_extraction.md).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.nationaux.progression import attendre

REQUISES_COMPTES = ("an", "dep", "icom", "pop1", "nomsst1", "nomsst2")
"""Compulsory columns of a comptes individuels file (the pass reads five of them)."""
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
    """What the pass found (line indices from 0 = the first data line)."""

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


def _passe(source: Path, p: _Plan, compteur: list[int] | None = None, debut: int = 0,
           fin: int | None = None) -> _Morceau:
    """Read the data lines of ``source``; ``compteur``: [bytes read so far, updated every 4 MB; stop flag:
    set to 1, the pass raises :class:`KeyboardInterrupt` at its next update].

    ``debut``/``fin``: read only the data lines that start at a byte offset in [``debut``, ``fin``) (line
    indices then count from the first of them): two processes reading [0, m) and [m, end) together read every
    line once (:func:`joindre`; :mod:`.passe_processus`).

    Only the first ``k`` fields are split from the left and ``nomsst1`` (near the end of the line) from the
    right (splitting only the first/last 512 bytes of each line instead was measured: no gain); a line with
    a wrong number of fields therefore usually yields an unknown stratum key, is copied and rejected by the
    strict DuckDB parse of the extract.
    """
    m = _Morceau()
    k, n_droite, droite, i_ns1 = p.k, p.n_droite, p.droite, p.i_ns1
    i_an, i_ns2, i_dep, i_icom, cible_dep, cibles = p.i_an, p.i_ns2, p.i_dep, p.i_icom, p.dep, p.icoms
    nb, premieres, perimetre = m.nb, m.premieres, m.perimetre
    signale = 0
    n = -1
    borne = float("inf") if fin is None else fin
    with open(source, "rb") as s:
        if debut <= 0:
            lu = len(s.readline())             # the header
        else:                                  # the rest of the line that started before debut
            s.seek(debut - 1)
            lu = debut - 1 + len(s.readline())
        for n, ligne in enumerate(s):
            if lu >= borne:
                n -= 1
                break
            champs = ligne.split(b";", k)
            if len(champs) <= k - 1:
                champs += [b""] * (k + 1 - len(champs))
            if droite:
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
            if compteur is not None and lu - signale >= _PAS_COMPTEUR:
                signale = lu
                compteur[0] = lu - debut
                if compteur[1]:
                    raise KeyboardInterrupt
    if compteur is not None:
        compteur[0] = min(lu, borne) - debut
    m.lignes = n + 1
    return m


def joindre(morceaux: Sequence[_Morceau]) -> _Morceau:
    """What one pass over the whole file finds, from the passes over consecutive ranges of it (:func:`_passe`
    with ``debut``/``fin``): line indices shifted, strata counts added, the first line of a stratum taken from
    the first range that has one."""
    m = _Morceau()
    for x in morceaux:
        m.perimetre += [(n + m.lignes, ligne) for n, ligne in x.perimetre]
        m.premieres += [(cle, n + m.lignes, ligne) for cle, n, ligne in x.premieres if cle not in m.nb]
        for cle, compte in x.nb.items():
            m.nb[cle] = m.nb.get(cle, 0) + compte
        m.lignes += x.lignes
    return m


def _valeur_csv(champ: bytes, encodage: str) -> str:
    """Field value as a CSV reader gives it: end of line and enclosing quotes removed, ``""`` unescaped."""
    v = champ.rstrip(b"\r\n")
    if len(v) >= 2 and v.startswith(b'"') and v.endswith(b'"'):
        v = v[1:-1].replace(b'""', b'"')
    return v.decode("utf-8" if encodage == "utf-8" else "latin-1", errors="replace")


class Passe:
    """A running pre-filter pass (:func:`lancer_prefiltre`, in a thread); :meth:`resultat` waits for it and
    writes the extracts. Started before the optional DuckDB scan of the same file so that both run at once."""

    def __init__(self, source: Path, dest_perimetre: Path, dest_strates: Path, plan: _Plan, encodage: str) -> None:
        self.source, self.dest_perimetre, self.dest_strates = source, dest_perimetre, dest_strates
        self.plan, self.encodage = plan, encodage
        self.taille = max(source.stat().st_size, 1)
        self.compteur = [0, 0]
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="prefiltre")
        self._futur = self._pool.submit(_passe, source, plan, self.compteur)

    def abandonner(self) -> None:
        """Stop the pass (it stops at its next 4 MB) and wait for its thread."""
        self.compteur[1] = 1
        self._pool.shutdown(wait=True)

    def resultat(self, progression: str | None = None) -> Prefiltre:
        """Wait for the pass (a bar on bytes read when ``progression`` is given), then write the extracts."""
        try:
            if progression is not None:
                attendre(self._futur, lambda: float(self.compteur[0]), progression, float(self.taille), "o",
                         lambda: self.compteur.__setitem__(1, 1))
            morceau = self._futur.result()
        finally:
            self._pool.shutdown(wait=True)
        return _fusionner(morceau, self.source, self.dest_perimetre, self.dest_strates, self.plan, self.encodage)


def _fusionner(m: _Morceau, source: Path, dest_perimetre: Path, dest_strates: Path, p: _Plan,
               encodage: str) -> Prefiltre:
    """Write the extracts of the pass and decode its stratum keys (raw bytes -> values as DuckDB reads them;
    two raw spellings of one stratum, quoted or not, are one stratum: its first line is kept)."""
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
        for i, ligne in m.perimetre:
            dp.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
            num_p.append(i + 2)            # line number in the file (header = line 1)
        for cle, i, ligne in m.premieres:
            a, b2, b1 = (_valeur_csv(x, encodage) for x in cle)
            norme = (a, b1, b2) if not p.inverse else (a, b2, b1)
            normes[cle] = norme
            if norme not in vues:
                vues.add(norme)
                ds.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                num_s.append(i + 2)
        for cle, compte in m.nb.items():
            norme = normes[cle]
            nb[norme] = nb.get(norme, 0) + compte
    return Prefiltre(num_p, num_s, nb)


def lancer_prefiltre(source: Path, dest_perimetre: Path, dest_strates: Path, colonnes: Sequence[str], dep: str,
                     icoms: Iterable[str], encodage: str = "utf-8") -> Passe:
    """Start the pass of :func:`prefiltrer_perimetre_strates` in a thread and return at once;
    :meth:`Passe.resultat` waits and writes the extracts."""
    return Passe(Path(source), Path(dest_perimetre), Path(dest_strates), _plan(colonnes, dep, icoms), encodage)


def prefiltrer_perimetre_strates(source: Path, dest_perimetre: Path, dest_strates: Path, colonnes: Sequence[str],
                                 dep: str, icoms: Iterable[str], encodage: str = "utf-8") -> Prefiltre:
    """One byte-level pass over the national file: perimeter lines + ONE line per stratum + strata sizes.

    - ``dest_perimetre``: header + the lines whose ``dep``/``icom`` fields match (quotes tolerated);
    - ``dest_strates``: header + the FIRST line of every (``an``, ``nomsst2``, ``nomsst1``) stratum; the DGFiP
      prints the same strata means on every commune of a stratum, so this line carries the stratum's means;
    - the number of lines of every stratum (``nb_communes``).

    Only the first fields (up to ``nomsst2``, field 7 of the official headers) are split from the left and
    ``nomsst1`` (near the end of the line) from the right (:func:`_passe`). Pure Python line splitting
    measured cheaper than a projected DuckDB ``read_csv`` of the 205-column file (0.46 s vs 0.93 s CPU on
    bench/_work/comptes_communes_35000x6.csv).
    """
    return lancer_prefiltre(source, dest_perimetre, dest_strates, colonnes, dep, icoms, encodage).resultat()


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
