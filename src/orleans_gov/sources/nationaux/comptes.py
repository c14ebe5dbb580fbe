"""``extraire comptes``: the perimeter and its strata means from the national DGFiP « comptes individuels des
communes » file (docs/FORMATS.md §1).

The file: all ~35 000 communes, one or many years, hundreds of MB, ``;``, ``.`` decimal point, 2013 or 2017+
header, optional UTF-8 byte-order mark and trailing empty column, UTF-8 or CP1252. Outputs:

- ``communes_perimetre.parquet``: the rows of the 22 communes, every column, in the layout that
  :func:`orleans_gov.sources.dgfip.read_comptes_communes` produces (``code_insee`` 5 characters, ``an`` int,
  numbers as float64, text as ``string``, ``provenance``, ``fichier``);
- ``moyennes_strates.parquet``: for every (``an``, ``nomsst1``, ``nomsst2``) stratum one of our communes
  belongs to, every strata-mean column (``m*``, ``rm*``, ``tm*``) — the DGFiP prints the same values on every
  commune of a stratum, so one value per stratum is kept — plus ``nb_communes`` (communes of the stratum in
  the file);
- ``populations_communes.parquet`` (only with ``populations=True`` / ``--populations``): ``code_insee``,
  ``an``, ``pop1``, ``nomsst1``, ``nomsst2`` of **every** commune of the file (input of ``extraire balances
  --population``).

By default the strata means are read on one line per stratum (DGFiP convention: identical on every commune
of a stratum); ``verifier_strates=True`` / ``--verifier-strates`` reads the whole file to check it.

pandas is not imported with the default options (≈ 0.45 s CPU, bench/RESULTS_extraction.md): the few hundred rows
kept are checked and laid out in plain Python (:func:`mise_en_forme_comptes`, the ratio check of
:mod:`orleans_gov.sources.colonnes_communes`) and written by pyarrow, byte for byte the files ``to_parquet``
wrote (:func:`~orleans_gov.sources.nationaux.rapport.ecrire_table`). The options' full scans still go through
pandas (DuckDB's ``.df()``).
"""
from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence

import numpy as np

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.base.provenance import REEL
from orleans_gov.base.territoire import CODES_INSEE, DEP_DGFIP
from orleans_gov.sources.colonnes_communes import (COLONNES_CONNUES_COMMUNES, COLONNES_TEXTE_COMMUNES,
                                                   signaler_inconnues, verifier_ratios_colonnes)
from orleans_gov.sources.nationaux.lecture import Entete, SourceLisible, icoms_perimetre, lire_entete, verifier_requises
from orleans_gov.sources.nationaux.moteur import (MEMOIRE_PAR_DEFAUT, THREADS_PAR_DEFAUT, connexion, executer, ident,
                                                  source_csv, sql_code_insee)
from orleans_gov.sources.nationaux.prefiltre import (REQUISES_COMPTES, Passe, Prefiltre, _plan, lancer_prefiltre,
                                                     lignes_nationales)
from orleans_gov.sources.nationaux.rapport import Rapport, verifier_dossier_sortie

if TYPE_CHECKING:   # pandas only for the optional full scans (--verifier-strates, --populations: DuckDB's .df())
    import pandas as pd

Colonnes = dict[str, list]
"""A small table as column name -> Python values (None = missing), in DuckDB's row order."""
Sortie = dict[str, tuple[str, list]]
"""An output table for :func:`~orleans_gov.sources.nationaux.rapport.ecrire_table`: name -> (pandas dtype, values)."""

_PREFIXES_STRATE = ("m", "rm", "tm")
_CLES_STRATE = ["an", "nomsst1", "nomsst2"]
_SEMI_JOIN_PERIMETRE = (
    "SEMI JOIN (SELECT DISTINCT an, nomsst1, nomsst2 FROM perim) p ON s.an IS NOT DISTINCT FROM p.an "
    "AND s.nomsst1 IS NOT DISTINCT FROM p.nomsst1 AND s.nomsst2 IS NOT DISTINCT FROM p.nomsst2")
"""Keeps the rows of table ``s`` whose stratum is one of the perimeter's."""


def colonnes_strate(colonnes: Iterable[str]) -> list[str]:
    """Strata-mean columns of a communes header: known columns starting with ``m``, ``rm`` or ``tm``."""
    return [c for c in colonnes if c in COLONNES_CONNUES_COMMUNES and c not in COLONNES_TEXTE_COMMUNES
            and c.startswith(_PREFIXES_STRATE)]


def _premiere(valeurs: list, mauvais) -> object:
    """The first value of ``valeurs`` for which ``mauvais(value)`` is true, or ``_AUCUNE``."""
    return next((v for v in valeurs if mauvais(v)), _AUCUNE)


_AUCUNE = object()
_ANNEE = re.compile(r"\d{4}")


def mise_en_forme_comptes(brut: Colonnes, colonnes: Sequence[str], inconnues: Sequence[str],
                          chemin: Path, provenance: str = REEL) -> Sortie:
    """Give the perimeter rows the exact layout of :func:`read_comptes_communes` (column order, dtypes), as
    columns for :func:`~orleans_gov.sources.nationaux.rapport.ecrire_table` (no pandas): ``code_insee``
    (``object``), ``an`` (int64), text as ``string`` (empty = missing), numbers as float64, unknown columns as
    ``object`` strings (missing = empty), ``provenance`` and ``fichier``; rows sorted by (``code_insee``, ``an``).
    ``brut``: the rows as DuckDB read them (``code_insee`` first, then the file's columns)."""
    for col in ("dep", "icom"):
        mauvais = _premiere(brut[col], lambda v: len(v or "") != 3)
        if mauvais is not _AUCUNE:
            raise ErreurDonnees(f"« {col} » doit compter exactement 3 caractères", fichier=chemin, colonne=col,
                                valeur=mauvais)
    mauvais = _premiere(brut["an"], lambda v: not _ANNEE.fullmatch(v or ""))
    if mauvais is not _AUCUNE:
        raise ErreurDonnees("année attendue sur 4 chiffres", fichier=chemin, colonne="an", valeur=mauvais)
    texte = [c for c in COLONNES_TEXTE_COMMUNES if c in colonnes and c != "an"]
    numeriques = [c for c in colonnes if c not in COLONNES_TEXTE_COMMUNES and c not in inconnues]
    if "pop1" in numeriques:
        mauvais = _premiere(brut["pop1"], lambda v: v is not None and v < 0)
        if mauvais is not _AUCUNE:
            raise ErreurDonnees("population négative", fichier=chemin, colonne="pop1", valeur=mauvais)
    codes, ans = brut["code_insee"], [int(a) for a in brut["an"]]
    vus: dict[tuple[str, int], int] = {}
    for cle in zip(codes, ans):
        vus[cle] = vus.get(cle, 0) + 1
    doubles = [cle for cle in zip(codes, ans) if vus[cle] > 1]
    if doubles:
        raise ErreurDonnees("commune-année en double : une seule ligne par commune et année", fichier=chemin,
                            colonne="icom", valeur=f"{doubles[0][0]} / {doubles[0][1]}")
    ordre = sorted(range(len(codes)), key=lambda i: (codes[i], ans[i]))

    def trie(valeurs: list) -> list:
        return [valeurs[i] for i in ordre]
    out: Sortie = {"code_insee": ("object", trie(codes)), "an": ("int64", trie(ans))}
    for c in texte:
        out[c] = ("string", [None if v == "" else v for v in trie(brut[c])])
    for c in numeriques:
        out[c] = ("float64", trie(brut[c]))
    for c in inconnues:
        out[c] = ("object", ["" if v is None else v for v in trie(brut[c])])
    out["provenance"] = ("str", [provenance] * len(ordre))
    out["fichier"] = ("str", [chemin.name] * len(ordre))
    return out


def _colonnes(resultat) -> Colonnes:
    """A DuckDB result as :data:`Colonnes` (a few hundred rows: Python values, no pandas)."""
    noms = [d[0] for d in resultat.description]
    lignes = resultat.fetchall()
    return {nom: [ligne[k] for ligne in lignes] for k, nom in enumerate(noms)}


def _flottants(table: Sortie):
    """Column getter of :func:`~orleans_gov.sources.colonnes_communes.verifier_ratios_colonnes` on a
    :data:`Sortie` (None -> NaN)."""
    return lambda c: np.array(table[c][1], dtype="float64")


def _prechauffer() -> None:
    """Import pyarrow and its Parquet writer (≈ 0.17 s CPU) while the pass (in a child process) reads the file:
    only the outputs need them."""
    import pyarrow.parquet  # noqa: F401  third-party import, loaded here on purpose (docstring)


def _lire(chemin: Path, entete: Entete, types: dict[str, str], strates: list[str], icoms: list[str], *,
          memoire: str, threads: int, verifier_strates: bool, populations: bool,
          dossier_temp: str | os.PathLike | None, passe: Passe | None = None
          ) -> tuple[Prefiltre, Colonnes, Colonnes, pd.DataFrame | None, pd.DataFrame | None]:
    """The reads of :func:`extraire_comptes`: (a) the byte-level pass (:func:`lancer_prefiltre`, in a thread)
    while the optional full DuckDB scan runs; (b) the strict DuckDB parse of the
    two extracts. ``passe``: the same pass already started
    (:func:`~orleans_gov.sources.nationaux.passe_processus.demarrer_passe`), used when it reads this file with
    the same plan, stopped otherwise. Returns (pre-filter result, perimeter rows as read, first line of each
    stratum of the perimeter, strata min/max spreads or None, national populations or None)."""
    colonnes = list(entete.colonnes)
    ecarts = pops = None
    with SourceLisible(chemin, entete.encodage, Path(dossier_temp) if dossier_temp else None) as (lisible, enc), \
            tempfile.TemporaryDirectory(dir=dossier_temp) as dossier:
        extrait, extrait_s = Path(dossier) / "perimetre.csv", Path(dossier) / "strates.csv"
        # (a) byte-level pass, in a thread (or already running in a child process): perimeter lines, one line
        # per stratum, strata sizes
        if passe is not None and passe.correspond(lisible, _plan(colonnes, DEP_DGFIP, icoms), enc):
            passe.dest_perimetre, passe.dest_strates = extrait, extrait_s
        else:
            if passe is not None:
                passe.abandonner()
            passe = lancer_prefiltre(lisible, extrait, extrait_s, colonnes, DEP_DGFIP, icoms, enc)
        try:
            con = connexion(memoire, threads, dossier_temp)
        except BaseException:
            passe.abandonner()
            raise
        try:
            try:
                if verifier_strates or populations:
                    # optional full scan, reading only the strata columns and/or (code, pop1)
                    parts = list(_CLES_STRATE)
                    if verifier_strates:
                        parts += [f"min({ident(c)}) AS {ident(c)}, max({ident(c)}) - min({ident(c)}) AS "
                                  f"{ident('_ecart_' + c)}" for c in strates]
                    if populations:
                        parts += [f"list({sql_code_insee('dep', 'icom')}) AS _codes", "list(pop1) AS _pops"]
                    executer(con, f"CREATE TEMP TABLE scan AS SELECT {', '.join(parts)} "
                                  f"FROM {source_csv(lisible, types, encodage=enc)} GROUP BY ALL", chemin,
                             progression=f"lecture complète de {chemin.name}")
            except BaseException:
                passe.abandonner()
                raise
            _prechauffer()
            pre = passe.resultat(progression=f"lecture de {chemin.name}")
            # (b) the few extracted lines, parsed strictly (line numbers mapped back to the national file)
            with lignes_nationales(pre.numeros_perimetre, chemin):
                executer(con, f"CREATE TEMP TABLE perim AS SELECT {sql_code_insee('dep', 'icom')} AS code_insee, * "
                              f"FROM {source_csv(extrait, types, encodage=enc)}", chemin)
            with lignes_nationales(pre.numeros_strates, chemin):
                executer(con, "CREATE TEMP TABLE strates AS SELECT "
                              + ", ".join(ident(c) for c in _CLES_STRATE + strates)
                              + f" FROM {source_csv(extrait_s, types, encodage=enc)}", chemin)
            brut = _colonnes(con.execute("SELECT * FROM perim"))
            bandes = _colonnes(con.execute(f"SELECT s.* FROM strates s {_SEMI_JOIN_PERIMETRE} "
                                           "ORDER BY an, nomsst1, nomsst2"))
            if verifier_strates:
                sauf = " EXCLUDE (_codes, _pops)" if populations else ""
                ecarts = con.execute(f"SELECT s.*{sauf} FROM scan s {_SEMI_JOIN_PERIMETRE} "
                                     "ORDER BY an, nomsst1, nomsst2").df()
            if populations:
                pops = con.execute(
                    "SELECT unnest(_codes) AS code_insee, TRY_CAST(an AS INTEGER) AS an, unnest(_pops) AS pop1, "
                    "nomsst1, nomsst2 FROM scan ORDER BY 1, 2").df()
        finally:
            con.close()
    return pre, brut, bandes, ecarts, pops


def verifier_egalite_strates(ecarts: pd.DataFrame, strates: Sequence[str], chemin: Path) -> None:
    """:class:`ErreurDonnees` when two communes of a stratum carry different strata means (``_ecart_<c>`` =
    max − min of column ``c`` over the stratum; relative tolerance 1e-9, the file's values being rounded)."""
    for c in strates:
        ecart = ecarts[f"_ecart_{c}"]
        mauvais = ecart > 1e-9 * (1 + ecarts[c].abs())
        if mauvais.any():
            b = ecarts[mauvais].iloc[0]
            raise ErreurDonnees(
                f"moyenne de strate différente d'une commune à l'autre dans la strate « {b['nomsst1']} / "
                f"{b['nomsst2']} » {b['an']} (écart {b[f'_ecart_{c}']})", fichier=chemin, colonne=c, valeur=b[c])


def _moyennes(bandes: Colonnes, pre: Prefiltre, strates: list[str], chemin: Path) -> Sortie:
    """``moyennes_strates``: one row per stratum of the perimeter, ``nb_communes`` = lines of the stratum."""
    cles = [tuple("" if x is None else str(x) for x in k)
            for k in zip(bandes["an"], bandes["nomsst1"], bandes["nomsst2"])]
    n = len(cles)
    moyennes: Sortie = {"an": ("int64", [int(a) for a in bandes["an"]]),
                        "nomsst1": ("string", list(bandes["nomsst1"])), "nomsst2": ("string", list(bandes["nomsst2"])),
                        "nb_communes": ("int64", [pre.nb_lignes.get(k, 0) for k in cles])}
    for c in strates:
        moyennes[c] = ("float64", list(bandes[c]))
    moyennes["provenance"] = ("str", [REEL] * n)
    moyennes["fichier"] = ("str", [chemin.name] * n)
    return moyennes


def extraire_comptes(fichier: str | os.PathLike, sortie: str | os.PathLike, *,
                     codes_insee: Sequence[str] = CODES_INSEE, memoire: str = MEMOIRE_PAR_DEFAUT,
                     threads: int = THREADS_PAR_DEFAUT, verifier: bool = True, verifier_strates: bool = False,
                     populations: bool = False, dossier_temp: str | os.PathLike | None = None,
                     passe: Passe | None = None) -> Rapport:
    """Extract the perimeter and its strata means from a national DGFiP comptes individuels file.

    Definitions (DGFiP, docs/FORMATS.md §1): a stratum is (``an``, ``nomsst1`` population band, ``nomsst2``
    fiscal regime); ``mX`` is the strata mean of ``X`` in €/hab, ``rmX`` the strata structure ratio (%),
    ``tmX`` the strata mean tax rate (%). The DGFiP prints the same strata values on every commune of a
    stratum, so the means of a stratum are read on ONE line of it (the first in the file).

    Default work plan (measured in bench/RESULTS_extraction.md): (a) one byte-level Python pass
    (:func:`prefiltrer_perimetre_strates`) copies the perimeter lines and the first line of every stratum into
    two small temporary files and counts the lines of every stratum (``nb_communes``); (b) DuckDB parses
    strictly the perimeter lines with every column typed and, in the strata lines, the strata columns.

    What the default checks: every column of the 22 communes' lines (types, decimal point, field count, 3-
    character ``dep``/``icom``, 4-digit ``an``, duplicates, per-inhabitant values and ratios when ``verifier``),
    and the strata columns and field count of the line read for each stratum. Errors give the line number in
    the national file. What it does NOT check: that all communes of a stratum carry the same means, the
    field count and the values of the other lines of the file (a line with extra or missing fields is
    usually caught anyway: its ``nomsst1`` field, read from the end of the line, is then an unknown stratum).

    Options (each adds one streamed DuckDB scan of the whole file, run while the pass (a) runs):

    - ``verifier_strates=True`` (CLI ``--verifier-strates``): min/max of every strata column over ALL the
      communes of the strata of the perimeter; :class:`ErreurDonnees` if two communes disagree; the strata
      columns, ``pop1`` and the field count of every line of the file are then validated;
    - ``populations=True`` (CLI ``--populations``): also write ``populations_communes.parquet``
      (``code_insee``, ``an``, ``pop1``, ``nomsst1``, ``nomsst2`` of every commune of the file, input of
      ``extraire balances --population``). Without it, that file is not written.

    ``passe``: the byte-level pass already started on ``fichier`` by the command line before it imported this
    module (:func:`~orleans_gov.sources.nationaux.passe_processus.demarrer_passe`, a child process); it is
    stopped when the extraction fails before using it.
    """
    try:
        return _extraire_comptes(Path(fichier), Path(sortie), codes_insee, memoire, threads, verifier,
                                 verifier_strates, populations, dossier_temp, passe)
    finally:
        if passe is not None:
            passe.abandonner()          # no-op when the pass was used; stops it on an early error


def _extraire_comptes(chemin: Path, sortie: Path, codes_insee: Sequence[str], memoire: str, threads: int,
                      verifier: bool, verifier_strates: bool, populations: bool,
                      dossier_temp: str | os.PathLike | None, passe: Passe | None) -> Rapport:
    """Body of :func:`extraire_comptes`."""
    t0 = time.perf_counter()
    verifier_dossier_sortie(sortie)
    entete = lire_entete(chemin)
    colonnes = list(entete.colonnes)
    verifier_requises(colonnes, REQUISES_COMPTES, chemin)
    utiles = [c for c in colonnes if c not in entete.vides]
    inconnues = [c for c in utiles if c not in COLONNES_CONNUES_COMMUNES]
    signaler_inconnues(inconnues, chemin)
    types = {c: ("VARCHAR" if (c in COLONNES_TEXTE_COMMUNES or c in inconnues or c in entete.vides) else "DOUBLE")
             for c in colonnes}
    strates = colonnes_strate(utiles)
    icoms = icoms_perimetre(codes_insee)
    rapport = Rapport(encodage=entete.encodage)
    pre, brut, bandes, ecarts, pops = _lire(chemin, entete, types, strates, icoms, memoire=memoire, threads=threads,
                                            verifier_strates=verifier_strates, populations=populations,
                                            dossier_temp=dossier_temp, passe=passe)
    if not brut["code_insee"]:
        raise ErreurDonnees(f"aucune commune du périmètre dans le fichier (filtre dep = '{DEP_DGFIP}' et icom parmi "
                            f"{len(icoms)} numéros)", fichier=chemin, colonne="icom")
    for v in entete.vides:
        rempli = _premiere(brut[v], lambda x: (x or "").strip() != "")
        if rempli is not _AUCUNE:
            raise ErreurDonnees("colonne sans nom contenant des valeurs", fichier=chemin, colonne=v, valeur=rempli)
    communes = mise_en_forme_comptes(brut, utiles, inconnues, chemin)
    if verifier:
        try:
            verifier_ratios_colonnes(list(communes), _flottants(communes),
                                     _flottants(communes)("pop1") if "pop1" in communes else None,
                                     range(len(communes["code_insee"][1])), chemin)
        except ErreurDonnees as exc:
            i = exc.ligne
            ou = f" (commune {communes['code_insee'][1][i]}, an {communes['an'][1][i]})" if i is not None else ""
            raise ErreurDonnees(exc.explication + ou, fichier=chemin, colonne=exc.colonne, valeur=exc.valeur) from None
    if ecarts is not None:
        verifier_egalite_strates(ecarts, strates, chemin)
    moyennes = _moyennes(bandes, pre, strates, chemin)
    absentes = sorted(set(codes_insee) - set(communes["code_insee"][1]))
    if absentes:
        rapport.remarques.append(f"{len(absentes)} commune(s) du périmètre absente(s) du fichier : {', '.join(absentes)}")
    sorties: dict[str, Sortie | pd.DataFrame] = {"communes_perimetre": communes, "moyennes_strates": moyennes}
    if pops is not None:
        for c in ("code_insee", "nomsst1", "nomsst2"):
            pops[c] = pops[c].astype("string")
        sorties["populations_communes"] = pops
    else:
        rapport.remarques.append("populations nationales non écrites (option --populations pour "
                                 "populations_communes.parquet, entrée de « extraire balances --population »)")
    if not verifier_strates:
        rapport.remarques.append("moyennes de strate lues sur la première ligne de chaque strate ; leur égalité entre "
                                 "les communes d'une strate n'est pas contrôlée (option --verifier-strates)")
    rapport.ecrire(sortie, sorties)
    if entete.encodage == "cp1252":
        rapport.remarques.append("fichier CP1252 transcodé en UTF-8 (flux de 16 Mo) avant lecture par DuckDB")
    return rapport.terminer(t0)
