"""Extraction of the perimeter from the national DGFiP files with DuckDB (memory-bounded, 2 threads).

Two national files are handled (docs/FORMATS.md §1 and §4):

- ``extraire comptes`` (:func:`extraire_comptes`, module :mod:`.comptes`): DGFiP « comptes individuels des
  communes » → ``communes_perimetre``, ``moyennes_strates`` and, on request, ``populations_communes``;
- ``extraire balances`` (:func:`extraire_balances`, module :mod:`.balances`): DGFiP balances comptables with the
  crossed nature × fonction presentation → real spending by M14 function of the perimeter and of every commune,
  strata means by function with a population table (:func:`lire_population`, module :mod:`.populations`).

Shared mechanics: :mod:`.lecture` (encoding, header, CP1252 transcoding), :mod:`.prefiltre` (byte-level pass
over the comptes file), :mod:`.moteur` (DuckDB connection, strict ``read_csv``, error translation: malformed
files raise :class:`~orleans_gov.base.erreurs.ErreurDonnees` naming file, line, column and value),
:mod:`.rapport` (report and atomic Parquet outputs).
"""
from __future__ import annotations

from orleans_gov.sources.nationaux.balances import (ENTETE_BALANCES, MONTANTS_BALANCES, REQUISES_BALANCES, SQL_SECTION,
                                                    extraire_balances, moyennes_fonction)
from orleans_gov.sources.nationaux.comptes import (REQUISES_COMPTES, colonnes_strate, extraire_comptes,
                                                   mise_en_forme_comptes, verifier_egalite_strates)
from orleans_gov.sources.nationaux.lecture import (TAILLE_SONDE, Entete, SourceLisible, detecter_encodage,
                                                   icoms_perimetre, lire_entete, transcoder_utf8, verifier_requises)
from orleans_gov.sources.nationaux.moteur import (MEMOIRE_PAR_DEFAUT, THREADS_PAR_DEFAUT, connexion, erreur_duckdb,
                                                  executer, source_csv)
from orleans_gov.sources.nationaux.populations import lire_population
from orleans_gov.sources.nationaux.prefiltre import (Prefiltre, lignes_nationales, prefiltrer_perimetre_strates,
                                                     renumeroter)
from orleans_gov.sources.nationaux.rapport import Rapport

__all__ = [
    "ENTETE_BALANCES", "MONTANTS_BALANCES", "REQUISES_BALANCES", "SQL_SECTION", "extraire_balances",
    "moyennes_fonction", "REQUISES_COMPTES", "colonnes_strate", "extraire_comptes", "mise_en_forme_comptes",
    "verifier_egalite_strates", "TAILLE_SONDE", "Entete", "SourceLisible", "detecter_encodage", "icoms_perimetre",
    "lire_entete", "transcoder_utf8", "verifier_requises", "MEMOIRE_PAR_DEFAUT", "THREADS_PAR_DEFAUT", "connexion",
    "erreur_duckdb", "executer", "source_csv", "lire_population", "Prefiltre", "lignes_nationales",
    "prefiltrer_perimetre_strates", "renumeroter", "Rapport",
]
