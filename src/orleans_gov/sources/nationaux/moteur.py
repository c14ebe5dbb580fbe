"""DuckDB plumbing of the national extractions: bounded connection, strict ``read_csv``, error translation.

Settings (measured in bench/RESULTS_extraction.md): ``SET threads`` (2 by default), ``SET memory_limit`` (1 GB
by default, spilling to ``dossier_temp``), ``preserve_insertion_order=false``; ``read_csv`` with explicit column
names and types, no sniffing, strict rows. A DuckDB CSV error becomes an
:class:`~orleans_gov.base.erreurs.ErreurDonnees` naming file, line, column and value (:func:`erreur_duckdb`).

``duckdb`` (≈ 0.13 s to import) is imported inside the functions that use it: the ``orleans-gov`` parser
imports this package for its defaults, and no other command should pay for DuckDB.
"""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from orleans_gov.base.erreurs import ErreurDonnees
from orleans_gov.sources.nationaux.progression import suivre_requete

if TYPE_CHECKING:
    import duckdb

MEMOIRE_PAR_DEFAUT = "1GB"
THREADS_PAR_DEFAUT = 2


def connexion(memoire: str = MEMOIRE_PAR_DEFAUT, threads: int = THREADS_PAR_DEFAUT,
              dossier_temp: str | os.PathLike | None = None) -> duckdb.DuckDBPyConnection:
    """In-memory DuckDB connection with bounded memory and threads (spills to ``dossier_temp``)."""
    import duckdb  # heavy third-party import, kept lazy (module docstring)

    con = duckdb.connect(":memory:")
    con.execute(f"SET threads={int(threads)}")
    con.execute(f"SET memory_limit='{memoire}'")
    con.execute("SET preserve_insertion_order=false")
    # progress estimate of a running query, read by progression.suivre_requete (DuckDB draws nothing itself)
    con.execute("SET enable_progress_bar=true")
    con.execute("SET enable_progress_bar_print=false")
    if dossier_temp:
        con.execute(f"SET temp_directory='{sql_texte(str(dossier_temp))}'")
    return con


def sql_texte(s: str) -> str:
    """Body of a SQL string literal (quotes doubled)."""
    return s.replace("'", "''")


def ident(s: str) -> str:
    """Quoted SQL identifier."""
    return '"' + s.replace('"', '""') + '"'


def sql_code_insee(dep: str, icom: str) -> str:
    """SQL twin of :func:`orleans_gov.base.territoire.code_insee_depuis_dgfip`."""
    return (f"CASE WHEN {dep} LIKE '0%' THEN substr({dep}, 2) || {icom} "
            f"ELSE {dep} || right({icom}, 2) END")


def source_csv(chemin: Path, types: dict[str, str], *, encodage: str, decimale: str = ".") -> str:
    """``read_csv(...)`` expression with explicit columns and types, no sniffing, strict rows."""
    colonnes = "{" + ", ".join(f"'{sql_texte(c)}': '{t}'" for c, t in types.items()) + "}"
    enc = "utf-8" if encodage == "utf-8" else "latin-1"
    return (f"read_csv('{sql_texte(str(chemin))}', delim=';', quote='\"', escape='\"', header=true, "
            f"auto_detect=false, columns={colonnes}, decimal_separator='{decimale}', encoding='{enc}', "
            f"strict_mode=true, null_padding=false)")


_RE_LIGNE = re.compile(r"CSV Error on Line: (\d+)")
_RE_CONVERSION = re.compile(r'converting column "([^"]+)"\. Could not convert string "([^"]*)"')
_RE_NB_COLONNES = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")
_RE_ORIGINALE = re.compile(r"Original Line: (.*)")


def erreur_duckdb(exc: Exception, chemin: Path, *, decimale: str = ".") -> ErreurDonnees:
    """Translate a DuckDB CSV error into an :class:`ErreurDonnees` with line, column and value."""
    msg = str(exc)
    m_ligne = _RE_LIGNE.search(msg)
    ligne = int(m_ligne.group(1)) if m_ligne else None
    conv = _RE_CONVERSION.search(msg)
    if conv:
        colonne, valeur = conv.group(1), conv.group(2)
        if decimale == "." and re.fullmatch(r"[+-]?\d+,\d+", valeur):
            texte = "virgule décimale : ce fichier officiel utilise le point (ex. 12.5)"
        elif decimale == "," and re.fullmatch(r"[+-]?\d+\.\d+", valeur):
            texte = "point décimal : ce fichier officiel utilise la virgule (ex. 12,5)"
        else:
            texte = "valeur non numérique dans une colonne de montants"
        return ErreurDonnees(texte, fichier=chemin, ligne=ligne, colonne=colonne, valeur=valeur)
    nb = _RE_NB_COLONNES.search(msg)
    if nb:
        orig = _RE_ORIGINALE.search(msg)
        return ErreurDonnees(f"{nb.group(2)} champs au lieu des {nb.group(1)} de l'en-tête", fichier=chemin,
                             ligne=ligne, valeur=(orig.group(1)[:80] if orig else None))
    if "unicode" in msg.lower() or "utf" in msg.lower():
        return ErreurDonnees("octets invalides pour l'encodage détecté sur le début du fichier "
                             "(fichier à encodage mixte ?)", fichier=chemin, ligne=ligne)
    premiere = msg.splitlines()[0] if msg else type(exc).__name__
    return ErreurDonnees(f"fichier illisible par DuckDB : {premiere}", fichier=chemin, ligne=ligne)


def executer(con: duckdb.DuckDBPyConnection, sql: str, chemin: Path, *, decimale: str = ".",
             progression: str | None = None) -> None:
    """Run ``sql``; a DuckDB error is raised as :func:`erreur_duckdb` of it (no DuckDB traceback).

    ``progression``: label of a progress bar (:func:`~orleans_gov.sources.nationaux.progression.suivre_requete`,
    drawn on a terminal after two seconds) for a statement that scans a national file.
    """
    import duckdb  # already loaded by connexion(); kept lazy (module docstring)

    try:
        if progression is None:
            con.execute(sql)
        else:
            suivre_requete(con, lambda: con.execute(sql), progression)
    except duckdb.Error as exc:
        raise erreur_duckdb(exc, chemin, decimale=decimale) from None
