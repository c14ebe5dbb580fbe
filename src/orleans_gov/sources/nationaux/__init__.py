"""Extraction of the perimeter from the national DGFiP files with DuckDB (memory-bounded, 2 threads).

Two national files are handled (docs/FORMATS.md §1 and §4):

- ``extraire comptes`` (:func:`extraire_comptes`, module :mod:`.comptes`): DGFiP « comptes individuels des
  communes » → ``communes_perimetre``, ``moyennes_strates`` and, on request, ``populations_communes``;
- ``extraire balances`` (:func:`extraire_balances`, module :mod:`.balances`): DGFiP balances comptables with the
  crossed nature × fonction presentation → real spending by M14 function of the perimeter and of every commune,
  strata means by function with a population table (:func:`lire_population`, module :mod:`.populations`).

Shared mechanics: :mod:`.lecture` (encoding, header, CP1252 transcoding), :mod:`.prefiltre` (byte-level pass
over the comptes file; :mod:`.passe_processus`: the same pass in a child process, started by the command line
before pandas is imported), :mod:`.moteur` (DuckDB connection, strict ``read_csv``, error translation: malformed
files raise :class:`~orleans_gov.base.erreurs.ErreurDonnees` naming file, line, column and value),
:mod:`.rapport` (report and atomic Parquet outputs).

The names are resolved lazily (PEP 562, as the root package does): importing this package or one of its light
modules (:mod:`.lecture`, :mod:`.prefiltre`, :mod:`.progression`) loads neither pandas nor DuckDB, so that
``extraire comptes`` starts its byte-level pass, and ``extraire balances`` its DuckDB scan, before the heavy
imports; neither command imports pandas with its default options (bench/RESULTS_extraction.md).
"""
from __future__ import annotations

import importlib
from typing import Any

_API: dict[str, str] = {
    **dict.fromkeys(("ENTETE_BALANCES", "MONTANTS_BALANCES", "REQUISES_BALANCES", "SQL_SECTION", "extraire_balances",
                     "moyennes_fonction"), "balances"),
    **dict.fromkeys(("REQUISES_COMPTES", "colonnes_strate", "extraire_comptes", "mise_en_forme_comptes",
                     "verifier_egalite_strates"), "comptes"),
    **dict.fromkeys(("TAILLE_SONDE", "Entete", "SourceLisible", "detecter_encodage", "icoms_perimetre", "lire_entete",
                     "transcoder_utf8", "verifier_requises"), "lecture"),
    **dict.fromkeys(("MEMOIRE_PAR_DEFAUT", "THREADS_PAR_DEFAUT", "connexion", "erreur_duckdb", "executer",
                     "source_csv"), "moteur"),
    "lire_population": "populations",
    **dict.fromkeys(("Prefiltre", "lignes_nationales", "prefiltrer_perimetre_strates", "renumeroter"), "prefiltre"),
    "Rapport": "rapport",
    **dict.fromkeys(("PasseProcessus", "demarrer_passe"), "passe_processus"),
}
"""Public name -> module of this package that defines it."""

__all__ = list(_API)


_MODULES = frozenset(_API.values())


def __getattr__(nom: str) -> Any:
    if nom in _MODULES:                     # a sub-module (``nationaux.balances``) not imported yet
        return importlib.import_module(f"{__name__}.{nom}")
    if nom not in _API:
        raise AttributeError(f"module {__name__!r} has no attribute {nom!r}")
    valeur = getattr(importlib.import_module(f"{__name__}.{_API[nom]}"), nom)
    globals()[nom] = valeur
    return valeur


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
