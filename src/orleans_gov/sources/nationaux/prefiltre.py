"""Byte-level pre-filter of a national comptes individuels file: one streamed Python pass, no CSV parser.

The pass copies the lines of the perimeter and the first line of every stratum into two small files that
DuckDB then parses strictly, and counts the lines of every stratum. The original line numbers are kept so that
an error found in an extract names the line of the national file (:func:`renumeroter`).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from orleans_gov.base.erreurs import ErreurDonnees


@dataclass
class Prefiltre:
    """Result of :func:`prefiltrer_perimetre_strates`: original line numbers of the copied lines and the
    number of lines of every stratum (key: decoded ``an``, ``nomsst1``, ``nomsst2`` as DuckDB reads them)."""

    numeros_perimetre: list[int]
    numeros_strates: list[int]
    nb_lignes: dict[tuple[str, str, str], int]


def _valeur_csv(champ: bytes, encodage: str) -> str:
    """Field value as a CSV reader gives it: end of line and enclosing quotes removed, ``""`` unescaped."""
    v = champ.rstrip(b"\r\n")
    if len(v) >= 2 and v.startswith(b'"') and v.endswith(b'"'):
        v = v[1:-1].replace(b'""', b'"')
    return v.decode("utf-8" if encodage == "utf-8" else "latin-1", errors="replace")


def prefiltrer_perimetre_strates(source: Path, dest_perimetre: Path, dest_strates: Path, colonnes: Sequence[str],
                                 dep: str, icoms: Iterable[str], encodage: str = "utf-8") -> Prefiltre:
    """One byte-level pass over the national file: perimeter lines + ONE line per stratum + strata sizes.

    - ``dest_perimetre``: header + the lines whose ``dep``/``icom`` fields match (quotes tolerated);
    - ``dest_strates``: header + the FIRST line of every (``an``, ``nomsst2``, ``nomsst1``) stratum; the DGFiP
      prints the same strata means on every commune of a stratum, so this line carries the stratum's means;
    - the number of lines of every stratum (``nb_communes``).

    Only the first fields (up to ``nomsst2``, field 7 of the official headers) are split from the left and
    ``nomsst1`` (near the end of the line) from the right with ``rsplit``; a line with a wrong number of
    fields therefore usually yields an unknown stratum key, is copied and rejected by the strict DuckDB
    parse of the extract. Pure Python line splitting measured cheaper than a projected DuckDB ``read_csv``
    of the 205-column file (0.46 s vs 0.93 s CPU on bench/_work/comptes_communes_35000x6.csv); a
    ``bytes.find`` search for ``;045;`` was slower than the split on this machine, whose memory bandwidth makes
    every extra pass over a block cost as much as the split.
    """
    i_an, i_dep, i_icom = colonnes.index("an"), colonnes.index("dep"), colonnes.index("icom")
    i_ns2, i_ns1 = colonnes.index("nomsst2"), colonnes.index("nomsst1")
    if i_ns1 < i_ns2:  # unofficial layout: both labels split from the left
        i_ns1, i_ns2 = i_ns2, i_ns1
        inverse = True
    else:
        inverse = False
    k = max(i_an, i_dep, i_icom, i_ns2) + 1
    n_droite = len(colonnes) - i_ns1          # rsplit(n) -> piece 1 is field len(colonnes) - n = i_ns1
    droite = i_ns1 >= k
    cible_dep = dep.encode()
    cibles = {i.encode() for i in icoms}
    num_p: list[int] = []
    num_s: list[int] = []
    brutes: dict[tuple[bytes, bytes, bytes], list] = {}   # raw key -> [normalised key, line count]
    with open(source, "rb") as s, open(dest_perimetre, "wb") as dp, open(dest_strates, "wb") as ds:
        entete = s.readline()
        dp.write(entete)
        ds.write(entete)
        for n, ligne in enumerate(s, start=2):
            champs = ligne.split(b";", k)
            if len(champs) <= k - 1:
                champs += [b""] * (k + 1 - len(champs))
            if droite:
                morceaux = ligne.rsplit(b";", n_droite)
                ns1 = morceaux[1] if len(morceaux) > 1 else b""
            else:
                ns1 = champs[i_ns1]
            cle = (champs[i_an], champs[i_ns2], ns1)
            vu = brutes.get(cle)
            if vu is None:
                a, b2, b1 = (_valeur_csv(x, encodage) for x in cle)
                norm = (a, b1, b2) if not inverse else (a, b2, b1)
                nouvelle = all(v[0] != norm for v in brutes.values())
                brutes[cle] = vu = [norm, 0]
                if nouvelle:
                    ds.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                    num_s.append(n)
            vu[1] += 1
            d = champs[i_dep]
            if cible_dep in d and d.strip(b'" ') == cible_dep and champs[i_icom].strip(b'" ') in cibles:
                dp.write(ligne if ligne.endswith(b"\n") else ligne + b"\n")
                num_p.append(n)
    nb: dict[tuple[str, str, str], int] = {}
    for norm, compte in brutes.values():
        nb[norm] = nb.get(norm, 0) + compte
    return Prefiltre(num_p, num_s, nb)


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

